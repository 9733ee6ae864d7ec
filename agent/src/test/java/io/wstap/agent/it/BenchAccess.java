package io.wstap.agent.it;

import java.io.IOException;

/** Lets the benchmarks (another package) start the tests' raw WebSocket server. */
public final class BenchAccess {
    private BenchAccess() {
    }

    /** A running echo server. */
    public interface Server extends AutoCloseable {
        int port();

        @Override
        void close() throws IOException;
    }

    public static Server newServer() throws IOException {
        RawWebSocketServer s = new RawWebSocketServer(null, true);
        return new Server() {
            @Override
            public int port() {
                return s.port();
            }

            @Override
            public void close() throws IOException {
                s.close();
            }
        };
    }
}
