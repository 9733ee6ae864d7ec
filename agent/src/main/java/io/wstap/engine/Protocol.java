package io.wstap.engine;

/** The WebSocket dialect a connection speaks. */
public enum Protocol {
    /** RFC 6455 (version 13). */
    RFC6455("rfc6455"),
    /** draft-hixie-thewebsocketprotocol-76: 00..FF frames, FF 00 close, no codes, no masking. */
    HIXIE76("hixie-76");

    private final String label;

    Protocol(String label) {
        this.label = label;
    }

    /** The name used in reports ("rfc6455", "hixie-76"). */
    public String label() {
        return label;
    }
}
