package io.wstap.wire;

import java.nio.ByteBuffer;

/**
 * Finds whether bytes begin at a frame boundary, for connections picked up mid-stream (late attach): a run of bytes
 * counts only if it is exactly a sequence of plausible RFC 6455 frames (defined opcodes, no RSV bits, the same MASK
 * bit throughout, control frames short and final) ending exactly at its end. A write call usually carries whole
 * frames, so the first such call after the agent arrives is a safe place to start; anything else (another protocol,
 * the middle of a frame) is left alone.
 */
public final class FrameSync {
    private FrameSync() {
    }

    /** Exactly one of {@code bb} and {@code a} is non-null; reads {@code [from, to)} with absolute gets. */
    public static boolean tilesFrames(ByteBuffer bb, byte[] a, int from, int to) {
        int i = from;
        int frames = 0;
        int maskBit = -1;
        while (i < to) {
            if (to - i < 2) {
                return false;
            }
            int b0 = at(bb, a, i);
            int b1 = at(bb, a, i + 1);
            int opcode = b0 & 0x0F;
            if ((b0 & 0x70) != 0 || Opcode.isReserved(opcode)) {
                return false;
            }
            int mask = b1 & 0x80;
            if (maskBit >= 0 && mask != maskBit) {
                return false;
            }
            maskBit = mask;
            int len7 = b1 & 0x7F;
            int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (mask != 0 ? 4 : 0);
            if (to - i < header) {
                return false;
            }
            long length = len7;
            if (len7 == 126) {
                length = at(bb, a, i + 2) << 8 | at(bb, a, i + 3);
            } else if (len7 == 127) {
                length = 0;
                for (int k = 0; k < 8; k++) {
                    length = length << 8 | at(bb, a, i + 2 + k);
                }
            }
            if (Opcode.isControl(opcode) && (length > Frame.MAX_CONTROL_PAYLOAD || (b0 & 0x80) == 0)) {
                return false;
            }
            if (length < 0 || length > to - i - header) {
                return false;
            }
            i += header + (int) length;
            frames++;
        }
        return frames > 0;
    }

    private static int at(ByteBuffer bb, byte[] a, int i) {
        return (a != null ? a[i] : bb.get(i)) & 0xFF;
    }
}
