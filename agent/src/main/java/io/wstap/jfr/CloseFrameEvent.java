package io.wstap.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A Close frame sent or received; committed on the thread that wrote or read it, so it carries that stack. */
@Name("io.wstap.Close")
@Label("WebSocket Close Frame")
@Category({"WebSocket", "Closing Handshake"})
@Description("A WebSocket Close frame sent or received by this JVM, with its code and reason")
@StackTrace(true)
public final class CloseFrameEvent extends jdk.jfr.Event {
    @Label("Connection Id")
    public long connectionId;

    @Label("Direction")
    @Description("out: sent by this JVM; in: received")
    public String direction;

    @Label("Sender Role")
    @Description("client or server (who sent the frame); empty when unknown")
    public String role;

    @Label("Code")
    @Description("The status code, -1 when the frame has none")
    public int code;

    @Label("Reason")
    public String reason;

    @Label("Local Address")
    public String local;

    @Label("Remote Address")
    public String remote;

    @Label("Frame Index")
    @Description("Index of this frame among its sender's frames on the connection (0-based), as a Finding's frameIndex")
    public long frameIndex;
}
