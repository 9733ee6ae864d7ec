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
        this(port, path, false);
    }

    /** Connects; with {@code hixie76} true it speaks draft hixie-76 (Key1/Key2/key3). */
    public RawClient(int port, String path, boolean hixie76) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        if (hixie76) {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key2: " + Hixie76.KEY2 + "\r\nUpgrade: WebSocket\r\nSec-WebSocket-Key1: "
                    + Hixie76.KEY1 + "\r\nOrigin: http://127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(Hixie76.KEY3);
            out.flush();
            String head = Frames.readHead(in);
            byte[] answer = in.readNBytes(16);
            if (!head.startsWith("HTTP/1.1 101") || !java.util.Arrays.equals(answer,
                    Hixie76.answer(Hixie76.KEY1, Hixie76.KEY2, Hixie76.KEY3))) {
                throw new IOException("hixie-76 handshake failed: " + head.lines().findFirst().orElse(""));
            }
            return;
        }
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

    /** hixie-76 text frame: 00, UTF-8, FF; returns the echoed text. */
    public String hixieText(String text) throws IOException {
        out.write(0);
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.write(0xFF);
        out.flush();
        if (in.readUnsignedByte() != 0) {
            throw new IOException("not a hixie-76 text frame");
        }
        java.io.ByteArrayOutputStream echo = new java.io.ByteArrayOutputStream();
        for (int b; (b = in.readUnsignedByte()) != 0xFF; ) {
            echo.write(b);
        }
        return echo.toString(StandardCharsets.UTF_8);
    }

    /** hixie-76 close: FF 00, then wait for the server's FF 00. */
    public void hixieClose() throws IOException {
        out.write(new byte[] {(byte) 0xFF, 0});
        out.flush();
        if (in.readUnsignedByte() != 0xFF || in.readUnsignedByte() != 0) {
            throw new IOException("expected the server's FF 00");
        }
    }

    /** Reads one frame; returns its opcode (data after a Close shows here). */
    public int readOpcode() throws IOException {
        return Frames.read(in).opcode();
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
