package io.wstap.analyzer.testing;

import io.wstap.wire.Opcode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Real WebSocket frame bytes (RFC 6455 §5.2, hixie-76) for test captures; built independently of the scanner. */
public final class Wire {
    private Wire() {
    }

    /** A frame; {@code maskKey} null for an unmasked frame; the payload is masked here when a key is given. */
    public static byte[] frame(boolean fin, int opcode, Integer maskKey, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (opcode & 0xF));
        int maskBit = maskKey != null ? 0x80 : 0;
        int len = payload.length;
        if (len > 0xFFFF) {
            out.write(maskBit | 127);
            for (int k = 7; k >= 0; k--) {
                out.write((int) ((long) len >>> (8 * k)) & 0xFF);
            }
        } else if (len > 125) {
            out.write(maskBit | 126);
            out.write(len >>> 8 & 0xFF);
            out.write(len & 0xFF);
        } else {
            out.write(maskBit | len);
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

    public static byte[] text(String s, Integer maskKey) {
        return frame(true, Opcode.TEXT, maskKey, utf8(s));
    }

    /** A Close with a status code and reason; code -1 for an empty payload. */
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

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
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

    /** hixie-76 text frame: 00, UTF-8, FF. */
    public static byte[] hixieText(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(utf8(s));
        out.write(0xFF);
        return out.toByteArray();
    }

    /** hixie-76 close: FF 00. */
    public static byte[] hixieClose() {
        return new byte[] {(byte) 0xFF, 0};
    }
}
