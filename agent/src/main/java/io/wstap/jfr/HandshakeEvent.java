package io.wstap.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The answer to a WebSocket upgrade request (101, or a refusal). */
@Name("io.wstap.Handshake")
@Label("WebSocket Opening Handshake")
@Category({"WebSocket", "Opening Handshake"})
@Description("A WebSocket upgrade request and its answer")
@StackTrace(false)
public final class HandshakeEvent extends jdk.jfr.Event {
    @Label("Connection Id")
    public long connectionId;

    @Label("Role")
    @Description("This JVM's role: client or server")
    public String role;

    @Label("Path")
    public String path;

    @Label("Status")
    public int status;

    @Label("Subprotocol")
    public String subprotocol;

    @Label("Extensions")
    public String extensions;

    @Label("Local Address")
    public String local;

    @Label("Remote Address")
    public String remote;
}
