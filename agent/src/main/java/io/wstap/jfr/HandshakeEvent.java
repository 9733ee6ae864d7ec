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

    // Added for `wstap analyze rec.jfr`: the rest of what a report shows of the two heads.

    @Label("Method")
    public String method;

    @Label("Host")
    public String host;

    @Label("Origin")
    public String origin;

    @Label("Version")
    @Description("The request's Sec-WebSocket-Version")
    public String version;

    @Label("Key")
    @Description("The request's Sec-WebSocket-Key: a nonce per connection, which pairs the two ends' events")
    public String key;

    @Label("Offered Subprotocols")
    public String offeredProtocols;

    @Label("Offered Extensions")
    public String offeredExtensions;

    @Label("Status Reason")
    public String reason;
}
