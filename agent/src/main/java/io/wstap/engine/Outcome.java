package io.wstap.engine;

/** How a connection ended (RULES.md, "The reconstruction of each connection"). */
public enum Outcome {
    /** Both Close frames exchanged, then the server closed TCP (Autobahn's wasClean). */
    CLEAN("clean"),
    /** Both Close frames exchanged, but the client closed TCP. */
    CLEAN_CLIENT_TCP_FIRST("clean-client-tcp-first"),
    /** Only one side had sent a Close when TCP was first closed (FIN or reset from either side). */
    HALF_CLOSED("half-closed"),
    /** No Close frame at all when TCP was first closed by an orderly FIN: the peer sees 1006. */
    ABRUPT("abrupt"),
    /** No Close frame at all, and the connection ended by a reset or an I/O error. */
    RESET("reset"),
    /** The opening handshake got a non-101 answer. */
    REJECTED("rejected"),
    /** Still open when the capture ended. */
    OPEN("open");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    /** The name used in reports and JSON ("clean-client-tcp-first"). */
    public String label() {
        return label;
    }
}
