package io.wstap.agent.it;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Three kinds of SocketChannel, each after an exchange on loopback, and whether each carries the agent's mark (the
 * field the agent adds to SocketChannelImpl: "nothing for the tap here"): a non-WebSocket pair, a ws:// client and a
 * wss:// client (an SSLEngine over the channel, as the JDK HttpClient, Jetty and Netty do), both to
 * {@link RawWebSocketServer}. Prints {@code MARK kind=true|false|absent} per channel. Args: keystore path, password.
 * Needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} to read the field.
 */
public final class ChannelMarkApp {
    private static final String UPGRADE = "GET /marked HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /** A masked text frame "hi" (key 1 2 3 4), and the server's unmasked echo of it. */
    private static final byte[] HI = {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
    private static final byte[] ECHO = {(byte) 0x81, 2, 'h', 'i'};
    private static final int RESPONSE_HEAD = 129; // "HTTP/1.1 101 ..." with the RFC sample key's accept

    public static void main(String[] args) throws Exception {
        SSLContext tls = NoiseApp.tls(Path.of(args[0]), args[1].toCharArray());
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                 SocketChannel server = listener.accept()) {
                client.write(ByteBuffer.wrap("HELO wstap\r\n".getBytes(StandardCharsets.US_ASCII)));
                readFully(server, 12);
                server.write(ByteBuffer.wrap(new byte[] {0x4a, 0, 0, 0, 0x0a}));
                readFully(client, 5);
                System.out.println("MARK other-client=" + mark(client));
                System.out.println("MARK other-server=" + mark(server));
            }
        }
        try (RawWebSocketServer ws = new RawWebSocketServer();
             SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", ws.port()))) {
            client.write(ByteBuffer.wrap(UPGRADE.getBytes(StandardCharsets.US_ASCII)));
            readFully(client, RESPONSE_HEAD);
            client.write(ByteBuffer.wrap(HI));
            expect(readFully(client, ECHO.length));
            System.out.println("MARK ws-client=" + mark(client));
        }
        try (RawWebSocketServer wss = new RawWebSocketServer(tls);
             TlsClient client = new TlsClient(tls, wss.port())) {
            client.send(UPGRADE.getBytes(StandardCharsets.US_ASCII));
            client.receive(RESPONSE_HEAD);
            client.send(HI);
            expect(client.receive(ECHO.length));
            System.out.println("MARK wss-client=" + mark(client.channel));
        }
    }

    private static void expect(byte[] echo) {
        if (!Arrays.equals(ECHO, echo)) {
            throw new IllegalStateException("unexpected echo " + Arrays.toString(echo));
        }
    }

    private static String mark(SocketChannel channel) throws IllegalAccessException {
        try {
            Field f = channel.getClass().getDeclaredField("wstap$passedOver");
            f.setAccessible(true);
            return String.valueOf(f.getBoolean(channel));
        } catch (NoSuchFieldException e) {
            return "absent";
        }
    }

    private static byte[] readFully(SocketChannel channel, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException("after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.array();
    }

    /** A blocking TLS client: an SSLEngine over a SocketChannel, wrap then write, read then unwrap. */
    private static final class TlsClient implements AutoCloseable {
        final SocketChannel channel;
        private final SSLEngine engine;
        private final ByteBuffer netIn = ByteBuffer.allocate(1 << 16);
        private final ByteBuffer netOut = ByteBuffer.allocate(1 << 16);
        private final ByteBuffer appIn = ByteBuffer.allocate(1 << 16);

        TlsClient(SSLContext tls, int port) throws IOException {
            channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            engine = tls.createSSLEngine("localhost", port);
            engine.setUseClientMode(true);
            engine.beginHandshake();
            for (int steps = 0; steps < 100; steps++) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> wrap(ByteBuffer.allocate(0));
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapOnce();
                    case NEED_TASK -> {
                        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                            task.run();
                        }
                    }
                    default -> {
                        return; // FINISHED or NOT_HANDSHAKING
                    }
                }
            }
            throw new IllegalStateException("TLS handshake did not finish");
        }

        void send(byte[] plain) throws IOException {
            ByteBuffer src = ByteBuffer.wrap(plain);
            while (src.hasRemaining()) {
                wrap(src);
            }
        }

        byte[] receive(int n) throws IOException {
            for (int steps = 0; appIn.position() < n; steps++) {
                if (steps > 1000) {
                    throw new IllegalStateException("no plaintext after 1000 reads");
                }
                unwrapOnce();
            }
            appIn.flip();
            byte[] out = new byte[n];
            appIn.get(out);
            appIn.compact();
            return out;
        }

        private void wrap(ByteBuffer src) throws IOException {
            netOut.clear();
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                throw new IllegalStateException("wrap: " + r);
            }
            netOut.flip();
            while (netOut.hasRemaining()) {
                channel.write(netOut);
            }
        }

        private void unwrapOnce() throws IOException {
            netIn.flip();
            SSLEngineResult r = engine.unwrap(netIn, appIn);
            netIn.compact();
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(netIn) < 0) {
                throw new EOFException("the server closed during TLS");
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
