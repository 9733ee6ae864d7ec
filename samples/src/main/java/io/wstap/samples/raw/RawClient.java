package io.wstap.samples.raw;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/** A WebSocket client on a plain socket that can break the rules on purpose (unmasked frames, a zero mask key). */
public final class RawClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawClient(int port, String path) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = Frames.readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
        }
    }

    /** A text frame, masked with a fresh random key as RFC 6455 §5.3 requires, or (the mistake) unmasked. */
    public void sendText(String text, boolean masked) throws IOException {
        Frames.write(out, Frames.TEXT, text.getBytes(StandardCharsets.UTF_8), masked ? freshKey() : null);
    }

    /** The seed's "artificial" client Close: {@code 88 80 00 00 00 00} (valid, but the mask key is all zero). */
    public void sendSeedClose() throws IOException {
        out.write(new byte[] {(byte) 0x88, (byte) 0x80, 0, 0, 0, 0});
        out.flush();
    }

    /** A masked Close with a code. */
    public void sendClose(int code, String reason) throws IOException {
        Frames.write(out, Frames.CLOSE, Frames.closePayload(code, reason), freshKey());
    }

    /** Reads frames until a Close; returns its code (or -1 for none). */
    public int awaitClose() throws IOException {
        while (true) {
            Frames.Frame f = Frames.read(in);
            if (f.opcode() == Frames.CLOSE) {
                return f.closeCode();
            }
        }
    }

    /** Reads until the server closes TCP (bounded by the socket timeout). */
    public void awaitEof() throws IOException {
        while (in.read() >= 0) {
            // drain
        }
    }

    private static byte[] freshKey() {
        byte[] key = new byte[4];
        RANDOM.nextBytes(key);
        return key;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
