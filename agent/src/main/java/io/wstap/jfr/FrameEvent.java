package io.wstap.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Every frame's header: high volume, so disabled unless a recording enables it (see wstap.jfc). */
@Name("io.wstap.Frame")
@Label("WebSocket Frame")
@Category({"WebSocket", "Frames"})
@Description("One WebSocket frame header sent or received (no payload)")
@Enabled(false)
@StackTrace(false)
public final class FrameEvent extends jdk.jfr.Event {
    @Label("Connection Id")
    public long connectionId;

    @Label("Direction")
    public String direction;

    @Label("Opcode")
    public int opcode;

    @Label("FIN")
    public boolean fin;

    @Label("Masked")
    public boolean masked;

    @Label("Payload Length")
    @DataAmount
    public long payloadLength;
}
