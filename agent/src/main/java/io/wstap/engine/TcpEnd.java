package io.wstap.engine;

/** How one endpoint ended its side of TCP, as the driver observed it. */
public enum TcpEnd {
    /**
     * An orderly close: a FIN on the wire, EOF for the peer. Seen locally it is close() (nothing more is read); seen
     * from the peer (EOF) or on the wire it may also be a half-close, after which the closer still reads.
     */
    FIN,
    /** A reset (RST on the wire, "connection reset" read). */
    RESET,
    /** Another I/O error ended the connection. */
    IO_ERROR,
    /**
     * A local half-close: shutdownOutput() or TLS close_notify. A FIN on the wire, but the endpoint still reads: a
     * Close it is waiting for can still arrive (Jetty half-closes right after every Close frame it sends).
     */
    HALF_CLOSE;

    /** An orderly end (FIN or half-close), not a reset or an error. */
    public boolean orderly() {
        return this == FIN || this == HALF_CLOSE;
    }

    /** "fin", "reset", "io-error": what the wire shows (a half-close is a FIN there too; see {@link #HALF_CLOSE}). */
    public String label() {
        return this == HALF_CLOSE ? "fin" : name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
