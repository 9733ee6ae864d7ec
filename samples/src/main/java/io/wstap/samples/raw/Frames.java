package io.wstap.samples.raw;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** Hand-written RFC 6455 framing for the raw peers: they must be able to break the rules on purpose. */
final class Frames {
    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;

    /** One frame as read: opcode, whether it was masked, and the unmasked payload. */
    record Frame(int opcode, boolean masked, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF) : -1;
        }

        String text() {
            return new String(payload, opcode == CLOSE && payload.length >= 2 ? 2 : 0,
                    opcode == CLOSE ? Math.max(0, payload.length - 2) : payload.length, StandardCharsets.UTF_8);
        }
    }

    private Frames() {
    }

    /** Writes one frame; {@code mask} null = unmasked (a server, or a broken client). */
    static void write(OutputStream out, int opcode, byte[] payload, byte[] mask) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x80 | opcode);
        int maskBit = mask != null ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        }
        if (mask != null) {
            f.write(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ (mask == null ? 0 : mask[i & 3]));
        }
        out.write(f.toByteArray());
        out.flush();
    }

    static byte[] closePayload(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return p;
    }

    static Frame read(DataInputStream in) throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] mask = new byte[4];
        if ((b1 & 0x80) != 0) {
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        return new Frame(b0 & 0x0F, (b1 & 0x80) != 0, payload);
    }

    /** Reads an HTTP head up to the blank line (ISO-8859-1). */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed in the HTTP head");
            }
            head.append((char) c);
        }
        return head.toString();
    }

    static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    static String accept(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
