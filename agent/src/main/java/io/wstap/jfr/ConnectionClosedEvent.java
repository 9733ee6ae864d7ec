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
}
