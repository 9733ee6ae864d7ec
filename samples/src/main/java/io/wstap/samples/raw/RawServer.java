package io.wstap.samples.raw;

import javax.net.ssl.SSLContext;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket server on plain blocking sockets whose behaviour is chosen per run, well and badly: the situations of
 * the seed questions (a server that drops TCP, an application that closes with 1002, a Close never answered...).
 * One connection at a time, on 127.0.0.1, ephemeral port; ws:// or wss://.
 */
public final class RawServer implements AutoCloseable {
    /** What the server does with a connection. */
    public enum Behavior {
        /** Echo text; answer a Close with the same code; close TCP. */
        ECHO,
        /** After the first message, close with 1000 and the seed's UTF-8 reason; wait for the answer; close TCP. */
        CLOSE_WITH_CHINESE_REASON,
        /** After the first message, close TCP without a Close frame (the client sees 1006). */
        DROP_TCP,
        /** A client that says it is "version=1" is too old: close with 1002 (the mistake: an application reason). */
        REJECT_OLD_CLIENT_WITH_1002,
        /** The same, done right: close with 4000 (private use). */
        REJECT_OLD_CLIENT_WITH_4000,
        /** The same, decided in the opening handshake: HTTP 400. */
        REJECT_OLD_CLIENT_WITH_HTTP_400,
        /** Fail the connection with 1002 when a client frame is unmasked (a real protocol error). */
        STRICT_MASKING,
        /** After the first message, send Close 1001, wait {@link #ANSWER_TIMEOUT_MILLIS} for the answer, drop TCP. */
        CLOSE_AND_DROP_TCP,
        /** Answer the client's Close, then send one more text frame (after its own Close: a protocol error). */
        DATA_AFTER_CLOSE,
        /** Answer the client's Close, then wait for the client to close TCP first (reading until EOF). */
        WAIT_FOR_CLIENT_FIN,
        /** Take 2 s to answer the upgrade request (a client may give up before). */
        SLOW_HANDSHAKE,
        /** Speak draft hixie-76: 00..FF frames, FF 00 close (echo text; answer FF 00 with FF 00; close TCP). */
        HIXIE_76
    }

    public static final String CHINESE_REASON = "孩子,地球太危险了,快回火星去吧!";
    static final int ANSWER_TIMEOUT_MILLIS = 300;

    private final ServerSocket socket;
    private final Behavior behavior;
    private final Thread thread;

    public RawServer(Behavior behavior) throws IOException {
        this(behavior, null);
    }

    /** With {@code tls}, wss://: the same server on {@link javax.net.ssl.SSLSocket}s (blocking TLS, as in OkHttp). */
    public RawServer(Behavior behavior, SSLContext tls) throws IOException {
        this.behavior = behavior;
        this.socket = tls == null ? new ServerSocket(0, 10, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.thread = new Thread(this::acceptLoop, "raw-server-" + behavior);
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                serve(s);
            } catch (IOException e) {
                // the client went away, or the server closed
            }
        }
    }

    private void serve(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        String head = Frames.readHead(in);
        String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
        if (behavior == Behavior.HIXIE_76) {
            Hixie76.serve(head, in, out);
            return;
        }
        if (behavior == Behavior.SLOW_HANDSHAKE) {
            s.setSoTimeout(2_000);
            try {
                if (in.read() < 0) {
                    return; // the client gave up and closed: nothing to answer
                }
            } catch (SocketTimeoutException e) {
                // still there: answer late
            }
        }
        if (behavior == Behavior.REJECT_OLD_CLIENT_WITH_HTTP_400 && path.contains("version=1")) {
            out.write(("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n"
                    + "Connection: close\r\n\r\nclient too old\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return;
        }
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + Frames.accept(Frames.header(head, "Sec-WebSocket-Key")) + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        while (true) {
            Frames.Frame f = Frames.read(in);
            if (behavior == Behavior.STRICT_MASKING && !f.masked()) {
                // "The server MUST close the connection upon receiving a frame that is not masked" (§5.1): 1002 is right.
                Frames.write(out, Frames.CLOSE, Frames.closePayload(1002, "unmasked frame"), null);
                awaitClose(s, in, 5_000);
                return;
            }
            if (f.opcode() == Frames.CLOSE) {
                Frames.write(out, Frames.CLOSE, f.payload(), null); // echo the code and reason
                if (behavior == Behavior.DATA_AFTER_CLOSE) {
                    Frames.write(out, Frames.TEXT, "one more thing".getBytes(StandardCharsets.UTF_8), null);
                } else if (behavior == Behavior.WAIT_FOR_CLIENT_FIN) {
                    s.setSoTimeout(5_000);
                    while (in.read() >= 0) {
                        // until the client's FIN
                    }
                }
                return; // the server closes TCP (first, as RFC 6455 §7.1.1 asks, unless it waited for the client)
            }
            switch (behavior) {
                case CLOSE_WITH_CHINESE_REASON -> {
                    Frames.write(out, Frames.CLOSE, Frames.closePayload(1000, CHINESE_REASON), null);
                    awaitClose(s, in, 5_000);
                    return;
                }
                case DROP_TCP -> {
                    s.close(); // no Close frame: the client's application sees 1006
                    return;
                }
                case REJECT_OLD_CLIENT_WITH_1002, REJECT_OLD_CLIENT_WITH_4000 -> {
                    if (f.text().startsWith("version=1")) {
                        int code = behavior == Behavior.REJECT_OLD_CLIENT_WITH_1002 ? 1002 : 4000;
                        Frames.write(out, Frames.CLOSE, Frames.closePayload(code, "client too old"), null);
                        awaitClose(s, in, 5_000);
                        return;
                    }
                    Frames.write(out, Frames.TEXT, f.payload(), null);
                }
                case CLOSE_AND_DROP_TCP -> {
                    Frames.write(out, Frames.CLOSE, Frames.closePayload(1001, "going away"), null);
                    awaitClose(s, in, ANSWER_TIMEOUT_MILLIS);
                    return;
                }
                default -> Frames.write(out, Frames.TEXT, f.payload(), null);
            }
        }
    }

    /** Waits (at most {@code millis}) for the client's answering Close, then returns: the server closes TCP. */
    private static void awaitClose(Socket s, DataInputStream in, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            while (Frames.read(in).opcode() != Frames.CLOSE) {
                // data still in flight
            }
        } catch (SocketTimeoutException e) {
            // no answer: close anyway
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
