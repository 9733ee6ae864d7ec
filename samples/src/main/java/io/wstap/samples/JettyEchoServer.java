package io.wstap.samples;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import javax.net.ssl.SSLContext;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A Jetty 12 WebSocket echo server on 127.0.0.1 (ephemeral port), with the core WebSocket API:
 * {@link WebSocketUpgradeHandler} on a plain {@link Server}, no servlet container. It echoes every text and binary
 * message and leaves the closing handshake to Jetty, which answers a Close and then closes TCP. With an SSLContext
 * it speaks wss:// (Jetty's SslConnection: an SSLEngine over the NIO SocketChannel).
 *
 * <p>Run alone ({@code main}): serves {@code ws://127.0.0.1:PORT/echo} until stdin closes.
 */
public final class JettyEchoServer implements AutoCloseable {
    /** Messages up to 1 MiB in one frame: Jetty's defaults (64 KiB) would refuse the 70 000-byte text with 1009. */
    private static final int MAX_MESSAGE = 1 << 20;

    private final Server server;
    private final ServerConnector connector;
    /** "CODE REASON" of each session's closing handshake as Jetty reports it, in order (an error: "error ..."). */
    final BlockingQueue<String> closes = new LinkedBlockingQueue<>();

    JettyEchoServer(SSLContext tls) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(16, 4);
        threads.setName("jetty");
        server = new Server(threads);
        connector = loopbackConnector(server, tls);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        context.setHandler(WebSocketUpgradeHandler.from(server, context, container -> {
            container.setMaxTextMessageSize(MAX_MESSAGE);
            container.setMaxBinaryMessageSize(MAX_MESSAGE);
            container.setMaxFrameSize(MAX_MESSAGE);
            container.addMapping("/echo", (request, response, callback) -> new Echo(closes));
        }));
        server.setHandler(context);
        server.start();
    }

    int port() {
        return connector.getLocalPort();
    }

    /** A connector on 127.0.0.1, ephemeral port; wss:// (Jetty's SslConnection over an SSLEngine) when tls is set. */
    public static ServerConnector loopbackConnector(Server server, SSLContext tls) {
        ServerConnector connector;
        if (tls == null) {
            connector = new ServerConnector(server);
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls);
            connector = new ServerConnector(server, ssl);
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        return connector;
    }

    /** The echo endpoint, one instance per connection; public because Jetty binds its methods with MethodHandles. */
    public static final class Echo extends Session.Listener.AbstractAutoDemanding {
        private final BlockingQueue<String> closes;

        Echo(BlockingQueue<String> closes) {
            this.closes = closes;
        }

        @Override
        public void onWebSocketText(String message) {
            int n = Exchange.utf8Length(message);
            Exchange.say("server received text " + n);
            Exchange.say("server sent text " + n);
            getSession().sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
            callback.succeed();
            Exchange.say("server received binary " + copy.remaining());
            Exchange.say("server sent binary " + copy.remaining());
            getSession().sendBinary(copy, Callback.NOOP);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            Exchange.say("server received close " + statusCode + " " + reason);
            closes.add(statusCode + " " + reason);
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            Exchange.say("server error " + cause);
            closes.add("error " + cause);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop", e);
        }
    }

    public static void main(String[] args) throws Exception {
        try (JettyEchoServer s = new JettyEchoServer(null)) {
            System.out.println("serving ws://127.0.0.1:" + s.port() + "/echo until stdin closes");
            while (System.in.read() >= 0) {
                // serve
            }
        }
    }
}
