package io.wstap.samples.raw;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Draft hixie-76 (what browsers spoke before RFC 6455): the Key1/Key2/key3 challenge, text frames 00 … FF, and the
 * close FF 00. Kept to reproduce the seed question about closing a hixie-76 connection.
 */
final class Hixie76 {
    static final String KEY1 = "4 @1  46546xW%0l 1 5";
    static final String KEY2 = "12998 5 Y3 1  .P00";
    static final byte[] KEY3 = "^n:ds[4U".getBytes(StandardCharsets.ISO_8859_1);

    private Hixie76() {
    }

    /** The server's side: answer the challenge, echo text frames, answer FF 00 with FF 00, return (close TCP). */
    static void serve(String head, DataInputStream in, OutputStream out) throws IOException {
        byte[] key3 = in.readNBytes(8);
        out.write(("HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Origin: " + Frames.header(head, "Origin") + "\r\n"
                + "Sec-WebSocket-Location: ws://" + Frames.header(head, "Host") + "/hixie\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(answer(Frames.header(head, "Sec-WebSocket-Key1"), Frames.header(head, "Sec-WebSocket-Key2"), key3));
        out.flush();
        while (true) {
            int type = in.readUnsignedByte();
            if (type == 0xFF) {
                in.readUnsignedByte(); // 00
                out.write(new byte[] {(byte) 0xFF, 0});
                out.flush();
                return;
            }
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            for (int b; (b = in.readUnsignedByte()) != 0xFF; ) {
                text.write(b);
            }
            out.write(0);
            out.write(text.toByteArray());
            out.write(0xFF);
            out.flush();
        }
    }

    /** The 16-byte challenge answer: MD5 of the two keys' numbers (digits / spaces, big-endian) and key3. */
    static byte[] answer(String key1, String key2, byte[] key3) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putInt((int) number(key1)).putInt((int) number(key2)).put(key3);
        try {
            return MessageDigest.getInstance("MD5").digest(b.array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long number(String key) {
        long digits = Long.parseLong(key.replaceAll("[^0-9]", ""));
        long spaces = key.chars().filter(c -> c == ' ').count();
        return digits / spaces;
    }
}
