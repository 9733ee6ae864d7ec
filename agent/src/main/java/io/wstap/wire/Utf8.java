package io.wstap.wire;

/**
 * A streaming UTF-8 validator (RFC 3629), one byte at a time, with its whole state in one {@code int} so it can be
 * carried across calls and across the frames of a fragmented message without allocating.
 *
 * <p>This is Björn Höhrmann's DFA ("Flexible and Economical UTF-8 Decoder"), validation part only: overlong forms,
 * surrogates (U+D800-U+DFFF) and code points above U+10FFFF are rejected, as RFC 6455 §8.1 requires.
 */
public final class Utf8 {
    /** State after a complete, valid sequence (and the initial state). */
    public static final int ACCEPT = 0;
    /** State after an invalid byte; sticky. */
    public static final int REJECT = 12;

    // Byte classes (first 256 entries) then the transition table (state + class -> state), as published.
    private static final byte[] CLASS = new byte[256];
    private static final byte[] TRANSITION = {
            0, 12, 24, 36, 60, 96, 84, 12, 12, 12, 48, 72, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
            12, 0, 12, 12, 12, 12, 12, 0, 12, 0, 12, 12, 12, 24, 12, 12, 12, 12, 12, 24, 12, 24, 12, 12,
            12, 12, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12, 12, 12, 12, 24, 12, 12,
            12, 12, 12, 12, 12, 12, 12, 36, 12, 36, 12, 12, 12, 36, 12, 12, 12, 12, 12, 36, 12, 36, 12, 12,
            12, 36, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12};

    static {
        for (int b = 0x80; b <= 0x8F; b++) CLASS[b] = 1;
        for (int b = 0x90; b <= 0x9F; b++) CLASS[b] = 9;
        for (int b = 0xA0; b <= 0xBF; b++) CLASS[b] = 7;
        CLASS[0xC0] = 8;
        CLASS[0xC1] = 8;
        for (int b = 0xC2; b <= 0xDF; b++) CLASS[b] = 2;
        CLASS[0xE0] = 10;
        for (int b = 0xE1; b <= 0xEC; b++) CLASS[b] = 3;
        CLASS[0xED] = 4;
        CLASS[0xEE] = 3;
        CLASS[0xEF] = 3;
        CLASS[0xF0] = 11;
        for (int b = 0xF1; b <= 0xF3; b++) CLASS[b] = 6;
        CLASS[0xF4] = 5;
        for (int b = 0xF5; b <= 0xFF; b++) CLASS[b] = 8;
    }

    private Utf8() {
    }

    /** The state after {@code b} in state {@code state}; {@link #REJECT} stays {@link #REJECT}. */
    public static int step(int state, int b) {
        return TRANSITION[state + CLASS[b & 0xFF]];
    }

    /** True when bytes {@code [off, off+len)} are complete, valid UTF-8. */
    public static boolean isValid(byte[] bytes, int off, int len) {
        int state = ACCEPT;
        for (int i = off; i < off + len && state != REJECT; i++) {
            state = step(state, bytes[i]);
        }
        return state == ACCEPT;
    }
}
