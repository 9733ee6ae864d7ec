package io.wstap.samples;

import io.wstap.samples.raw.RawClient;
import io.wstap.samples.raw.RawServer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The seed scenarios with a real library on the side that behaves: a Jetty 12 application server misbehaving against
 * the JDK HttpClient (the application drops TCP, closes with 1002, never gets an answer...), and a raw client
 * misbehaving against Jetty (an unmasked frame, the seed's zero-mask Close, data after Close, giving up during the
 * handshake). Everything runs in one JVM, so under the agent each connection is captured at both ends, and what is
 * asserted is what Jetty and the JDK really do.
 *
 * <pre>
 * java -javaagent:agent/target/wstap-agent.jar=file=/tmp/jetty.wstap -cp ... io.wstap.samples.JettyScenarios [name...]
 * </pre>
 */
public final class JettyScenarios {
    static final Scenarios ALL = new Scenarios();

    static {
        // Jetty's application misbehaves; the JDK HttpClient is the client.
        ALL.add("jetty-server-closes-with-utf8-reason", () -> jdkClient("/reason", ws -> ws.sendText("hello", true), true));
        ALL.add("jetty-server-drops-tcp", () -> jdkClient("/drop", ws -> ws.sendText("hello", true), true));
        ALL.add("jetty-app-rejects-old-client-with-1002", () -> jdkClient("/app", ws -> ws.sendText("version=1.0", true), true));
        ALL.add("jetty-app-rejects-old-client-with-4000", () -> jdkClient("/app?fixed", ws -> ws.sendText("version=1.0", true), true));
        ALL.add("jetty-app-rejects-old-client-with-http-400", () -> jdkClient("/app?version=1", ws -> { }, true));
        ALL.add("jetty-close-not-answered", () -> jdkClient("/going-away", ws -> ws.sendText("hello", true), false));
        // A raw client misbehaves; Jetty is the server.
        ALL.add("unmasked-client-frame-to-jetty", () -> rawClient("/echo", client -> {
            client.sendText("no mask", false);
            int code = client.awaitClose();
            client.sendClose(code, "");
            client.awaitEof();
            return "Jetty closed with " + code;
        }));
        ALL.add("client-close-88-80-00-00-00-00-to-jetty", () -> rawClient("/echo", client -> {
            client.sendText("hello", true);
            client.sendSeedClose();
            int code = client.awaitClose();
            client.awaitEof();
            return "Jetty answered Close " + (code < 0 ? "(no code)" : code);
        }));
        ALL.add("client-data-after-close-to-jetty", () -> rawClient("/echo", client -> {
            client.sendClose(1000, "bye");
            client.sendText("one more thing", true);
            int code = client.awaitClose();
            client.awaitEof();
            return "Jetty answered Close " + code;
        }));
        ALL.add("client-gives-up-during-jetty-handshake", () -> {
            try (JettyScenarioServer server = new JettyScenarioServer();
                 Socket s = new Socket("127.0.0.1", ALL.port(server.port()))) {
                s.getOutputStream().write(("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                Thread.sleep(300); // no 101 yet: give up (Jetty's application takes 2 s to accept)
                s.close();
                Thread.sleep(2_200); // Jetty finds out when it finally answers
                return "gave up after 300 ms";
            }
        });
    }

    private JettyScenarios() {
    }

    private static String jdkClient(String path, JdkClient.Script script, boolean answerClose) throws Exception {
        try (JettyScenarioServer server = new JettyScenarioServer()) {
            return JdkClient.run(URI.create("ws://127.0.0.1:" + ALL.port(server.port()) + path), null, script,
                    answerClose);
        }
    }

    @FunctionalInterface
    private interface RawScript {
        String run(RawClient client) throws Exception;
    }

    private static String rawClient(String path, RawScript script) throws Exception {
        try (JettyScenarioServer server = new JettyScenarioServer();
             RawClient client = new RawClient(ALL.port(server.port()), path)) {
            String result = script.run(client);
            Thread.sleep(300); // let TCP finish closing while the capture runs
            return result;
        }
    }

    public static void main(String[] args) throws Exception {
        Exchange.watchdog("JettyScenarios", 90);
        ALL.main(args);
        System.exit(0); // Jetty's threads never keep the run waiting
    }

    /**
     * A Jetty 12 server whose endpoints are the applications of the scenarios, one per path. Idle timeout 500 ms: a
     * Close the client never answers ends there (Jetty then drops TCP).
     */
    static final class JettyScenarioServer implements AutoCloseable {
        private final Server server;
        private final ServerConnector connector;

        JettyScenarioServer() throws Exception {
            QueuedThreadPool threads = new QueuedThreadPool(8, 2);
            threads.setName("jetty");
            server = new Server(threads);
            connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            ContextHandler context = new ContextHandler("/");
            context.setHandler(WebSocketUpgradeHandler.from(server, context, container -> {
                container.setIdleTimeout(Duration.ofMillis(500));
                container.addMapping("/echo", (request, response, callback) -> new Echo());
                container.addMapping("/reason", (request, response, callback) -> new ClosesWithReason());
                container.addMapping("/drop", (request, response, callback) -> new DropsTcp());
                container.addMapping("/going-away", (request, response, callback) -> new GoingAway());
                container.addMapping("/app", (request, response, callback) -> {
                    String query = request.getHttpURI().getQuery();
                    if (query != null && query.contains("version=1")) {
                        // Decided in the opening handshake: the right place to refuse a client.
                        Response.writeError(request, response, callback, 400, "client too old");
                        return null;
                    }
                    return new RejectsOldClients(query != null && query.contains("fixed") ? 4000 : 1002);
                });
                container.addMapping("/slow", (request, response, callback) -> {
                    Thread.sleep(2_000); // an application that takes its time to accept (an auth look-up, say)
                    return new Echo();
                });
            }));
            server.setHandler(context);
            server.start();
        }

        int port() {
            return connector.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.stop();
        }
    }

    /** Echoes text; Jetty itself answers a Close and closes TCP. Public: Jetty binds endpoints with MethodHandles. */
    public static class Echo extends Session.Listener.AbstractAutoDemanding {
        @Override
        public void onWebSocketText(String message) {
            getSession().sendText(message, Callback.NOOP);
        }
    }

    /** Closes with 1000 and the seed's UTF-8 reason after the first message. */
    public static final class ClosesWithReason extends Echo {
        @Override
        public void onWebSocketText(String message) {
            getSession().close(1000, RawServer.CHINESE_REASON, Callback.NOOP);
        }
    }

    /** Drops the connection without a Close frame after the first message (the client sees 1006). */
    public static final class DropsTcp extends Echo {
        @Override
        public void onWebSocketText(String message) {
            getSession().disconnect();
        }
    }

    /** Says it is going away (1001); a client that never answers is dropped at the idle timeout. */
    public static final class GoingAway extends Echo {
        @Override
        public void onWebSocketText(String message) {
            getSession().close(1001, "going away", Callback.NOOP);
        }
    }

    /** Refuses a "too old" client once connected: with 1002 (the mistake of the seed question) or 4000 (the fix). */
    public static final class RejectsOldClients extends Echo {
        private final int code;

        RejectsOldClients(int code) {
            this.code = code;
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.startsWith("version=1")) {
                getSession().close(code, "client too old", Callback.NOOP);
                return;
            }
            super.onWebSocketText(message);
        }
    }
}
