package io.wstap.engine;

/** How one endpoint ended its side of TCP, as the driver observed it. */
public enum TcpEnd {
    /** An orderly close: close() or shutdownOutput(), a FIN on the wire, EOF for the peer. */
    FIN,
    /** A reset (RST on the wire, "connection reset" read). */
    RESET,
    /** Another I/O error ended the connection. */
    IO_ERROR;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
