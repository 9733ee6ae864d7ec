package io.wstap.wire;

/** WebSocket opcodes (RFC 6455 §5.2) and the predicates the rules need. */
public final class Opcode {
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    private Opcode() {
    }

    /** Control frames have the high bit of the opcode set (§5.5). */
    public static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }

    /** Continuation, text or binary: the frames that carry a message (§5.6). */
    public static boolean isData(int opcode) {
        return opcode <= BINARY;
    }

    /** 0x3-0x7 and 0xB-0xF are reserved for further frames (§5.2). */
    public static boolean isReserved(int opcode) {
        return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xB;
    }

    public static String name(int opcode) {
        return switch (opcode) {
            case CONTINUATION -> "continuation";
            case TEXT -> "text";
            case BINARY -> "binary";
            case CLOSE -> "close";
            case PING -> "ping";
            case PONG -> "pong";
            default -> "reserved-0x" + Integer.toHexString(opcode);
        };
    }
}
