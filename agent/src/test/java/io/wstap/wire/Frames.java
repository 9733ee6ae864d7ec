package io.wstap.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds real WebSocket frame bytes for tests (RFC 6455 §5.2 and hixie-76), independently of the scanner. */
public final class Frames {
    /** Length encodings: the minimal one, or a forced 16- or 64-bit form. */
    public static final int AUTO = 0;
    public static final int LEN16 = 16;
    public static final int LEN64 = 64;

    private Frames() {
    }

    /** A frame; {@code maskKey} null for an unmasked frame; the payload is masked here when a key is given. */
    public static byte[] frame(boolean fin, int rsv, int opcode, Integer maskKey, byte[] payload, int lengthForm) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0xF));
        int maskBit = maskKey != null ? 0x80 : 0;
        long len = payload.length;
        if (lengthForm == LEN64 || (lengthForm == AUTO && len > 0xFFFF)) {
            out.write(maskBit | 127);
            for (int k = 7; k >= 0; k--) {
                out.write((int) (len >>> (8 * k)) & 0xFF);
            }
        } else if (lengthForm == LEN16 || (lengthForm == AUTO && len > 125)) {
            out.write(maskBit | 126);
            out.write((int) (len >>> 8) & 0xFF);
            out.write((int) len & 0xFF);
        } else {
            out.write(maskBit | (int) len);
        }
        byte[] key = new byte[4];
        if (maskKey != null) {
            for (int k = 0; k < 4; k++) {
                key[k] = (byte) (maskKey >>> (24 - 8 * k));
            }
            out.write(key, 0, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ key[i & 3]);
        }
        return out.toByteArray();
    }

    public static byte[] frame(boolean fin, int opcode, Integer maskKey, byte[] payload) {
        return frame(fin, 0, opcode, maskKey, payload, AUTO);
    }

    public static byte[] text(String s, Integer maskKey) {
        return frame(true, Opcode.TEXT, maskKey, utf8(s));
    }

    public static byte[] binary(int length, Integer maskKey) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) (i * 31 + 7);
        }
        return frame(true, Opcode.BINARY, maskKey, p);
    }

    /** A Close with a status code (and reason); code -1 for an empty payload. */
    public static byte[] close(int code, String reason, Integer maskKey) {
        if (code < 0) {
            return frame(true, Opcode.CLOSE, maskKey, new byte[0]);
        }
        byte[] r = utf8(reason);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return frame(true, Opcode.CLOSE, maskKey, p);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** "88 80 00 00 00 00" to bytes. */
    public static byte[] hex(String hex) {
        String h = hex.replace(" ", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    /** hixie-76 text frame: 00, UTF-8, FF. */
    public static byte[] hixieText(String s) {
        return concat(new byte[] {0}, utf8(s), new byte[] {(byte) 0xFF});
    }

    /** hixie-76 binary frame: type 0x80, length in 7-bit groups (high bit = more), payload. */
    public static byte[] hixieBinary(int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        int groups = 1;
        while ((length >>> (7 * groups)) != 0) {
            groups++;
        }
        for (int g = groups - 1; g >= 0; g--) {
            out.write(((length >>> (7 * g)) & 0x7F) | (g > 0 ? 0x80 : 0));
        }
        for (int i = 0; i < length; i++) {
            out.write(i);
        }
        return out.toByteArray();
    }

    /** hixie-76 close: FF 00. */
    public static byte[] hixieClose() {
        return new byte[] {(byte) 0xFF, 0};
    }
}
