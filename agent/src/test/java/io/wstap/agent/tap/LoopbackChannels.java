package io.wstap.agent.tap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * One real TCP connection on loopback, both ends' channels: the JDK objects the hooks key connections by, for tests
 * that drive the hooks' entry points directly.
 */
final class LoopbackChannels implements AutoCloseable {
    private final ServerSocketChannel listener;
    final SocketChannel client;
    final SocketChannel server;

    LoopbackChannels() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = SocketChannel.open(listener.getLocalAddress());
        server = listener.accept();
    }

    /**
     * The server end's opening handshake through the hooks' entry points, as an NIO server makes it: the RFC 6455
     * sample request read, its 101 written. The connection is then open for frames.
     */
    void serverUpgrades() {
        ByteBuffer request = ascii(UPGRADE_REQUEST);
        Tap.onRead(server, request, 0, request.limit());
        ByteBuffer response = ascii(UPGRADE_RESPONSE);
        Tap.onWriteStart(server, response, 0, response.limit());
        Tap.onWriteEnd(server, response.limit(), response.limit());
    }

    /** The RFC 6455 sample opening handshake: the client's request and the server's answer. */
    static final String UPGRADE_REQUEST = "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    static final String UPGRADE_RESPONSE = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() throws IOException {
        try (listener; client; server) {
            // all three closed, whichever throws
        }
    }
}
