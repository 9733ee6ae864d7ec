package io.wstap.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A WebSocket connection's end as wstap reconstructs it, committed when TCP first closes. */
@Name("io.wstap.ConnectionClosed")
@Label("WebSocket Connection Closed")
@Category({"WebSocket", "Closing Handshake"})
@Description("How a WebSocket connection ended: outcome, codes, reasons, who closed TCP")
@StackTrace(true)
public final class ConnectionClosedEvent extends jdk.jfr.Event {
    @Label("Connection Id")
    public long connectionId;

    @Label("Outcome")
    @Description("clean, clean-client-tcp-first, half-closed, abrupt, reset, rejected")
    public String outcome;

    @Label("Initiator")
    @Description("client or server: who sent the first Close; empty when none")
    public String initiator;

    @Label("TCP Closed By")
    public String tcpClosedBy;

    @Label("How TCP Ended")
    @Description("fin, reset or io-error")
    public String tcpEnd;

    @Label("TCP Half-Closed")
    @Description("The first TCP end was a half-close (shutdownOutput() or TLS close_notify): a FIN, still reading")
    public boolean tcpHalfClose;

    @Label("Client Saw Code")
    @Description("The CloseEvent code the client's application saw (1006: no Close arrived)")
    public int clientSawCode;

    @Label("Client Saw Reason")
    public String clientSawReason;

    @Label("Server Saw Code")
    public int serverSawCode;

    @Label("Server Saw Reason")
    public String serverSawReason;

    @Label("Closing Handshake")
    @Description("From the first Close to the answering one; 0 when not answered")
    @Timespan(Timespan.NANOSECONDS)
    public long closingHandshake;

    @Label("Local Address")
    public String local;

    @Label("Remote Address")
    public String remote;

    // Added for `wstap analyze rec.jfr`: what a report needs that the fields above do not say.

    @Label("Local Role")
    @Description("This JVM's role: client or server; empty when unknown")
    public String localRole;

    @Label("Protocol")
    @Description("rfc6455 or hixie-76")
    public String protocol;

    @Label("Joined Mid-Stream")
    @Description("The opening handshake was not seen (late attach)")
    public boolean joinedMidStream;

    @Label("Client Saw Clean")
    @Description("The client's CloseEvent.wasClean")
    public boolean clientSawClean;

    @Label("Server Saw Clean")
    public boolean serverSawClean;

    @Label("Local Frames")
    @Description("Frames this JVM sent until TCP first closed")
    public long localFrames;

    @Label("Remote Frames")
    @Description("Frames the peer sent until TCP first closed")
    public long remoteFrames;

    @Label("Transport")
    @Description("plain or tls")
    public String transport;

    @Label("Since TCP Close")
    @Description("From the TCP close to this event's commit: the close's own time is the event's minus this")
    @jdk.jfr.Timespan(jdk.jfr.Timespan.NANOSECONDS)
    public long sinceTcpClose;
}
