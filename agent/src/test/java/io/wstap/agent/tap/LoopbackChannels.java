package io.wstap.agent.tap;

import java.io.IOException;
import java.net.InetSocketAddress;
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

    @Override
    public void close() throws IOException {
        try (listener; client; server) {
            // all three closed, whichever throws
        }
    }
}
