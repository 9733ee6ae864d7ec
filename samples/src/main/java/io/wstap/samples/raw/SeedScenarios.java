package io.wstap.samples.raw;

import io.wstap.samples.Tls;
import io.wstap.samples.raw.RawServer.Behavior;

import javax.net.ssl.SSLContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The situations of the seed questions, each a real exchange on 127.0.0.1 between the JDK HttpClient (or a raw
 * client that breaks a rule on purpose) and {@link RawServer}. Run it under the agent and analyse the capture:
 *
 * <pre>
 * java -javaagent:agent/target/wstap-agent.jar=file=/tmp/seeds.wstap -cp samples/target/classes \
 *      io.wstap.samples.raw.SeedScenarios [name...]
 * </pre>
 * Prints one line per scenario: what the client's application saw.
 */
public final class SeedScenarios {
    /** Scenario name → what runs it; in the order of the samples issue. */
    static final Map<String, Scenario> ALL = new LinkedHashMap<>();

    @FunctionalInterface
    interface Scenario {
        String run() throws Exception;
    }

    /** The port of the server of the scenario running now (printed with its result, for tests to find it). */
    private static int lastPort;

    static {
        Exchange clientCloses1000 = ws -> {
            ws.sendText("hello", true).get(10, TimeUnit.SECONDS);
            ws.sendClose(1000, "bye").get(10, TimeUnit.SECONDS);
        };
        ALL.put("client-closes-1000", () -> httpClient(Behavior.ECHO, "/chat", clientCloses1000, true));
        // The same over wss://: the agent sees the plaintext at the client's SSLEngine and the server's SSLSocket.
        ALL.put("client-closes-1000-over-wss", () -> httpClient(Behavior.ECHO, "/chat", clientCloses1000, true,
                Tls.selfSigned()));
        ALL.put("server-closes-with-utf8-reason", () -> httpClient(Behavior.CLOSE_WITH_CHINESE_REASON, "/chat",
                ws -> ws.sendText("hello", true).get(10, TimeUnit.SECONDS), true));
        ALL.put("server-drops-tcp", () -> httpClient(Behavior.DROP_TCP, "/chat",
                ws -> ws.sendText("hello", true).get(10, TimeUnit.SECONDS), true));
        ALL.put("app-rejects-old-client-with-1002", () -> httpClient(Behavior.REJECT_OLD_CLIENT_WITH_1002, "/app",
                ws -> ws.sendText("version=1.0", true).get(10, TimeUnit.SECONDS), true));
        ALL.put("app-rejects-old-client-with-4000", () -> httpClient(Behavior.REJECT_OLD_CLIENT_WITH_4000, "/app",
                ws -> ws.sendText("version=1.0", true).get(10, TimeUnit.SECONDS), true));
        ALL.put("app-rejects-old-client-with-http-400", () -> httpClient(Behavior.REJECT_OLD_CLIENT_WITH_HTTP_400,
                "/app?version=1", ws -> { }, true));
        ALL.put("unmasked-client-frame", () -> {
            try (RawServer server = new RawServer(Behavior.STRICT_MASKING);
                 RawClient client = new RawClient(lastPort = server.port(), "/chat")) {
                client.sendText("no mask", false);
                int code = client.awaitClose();
                client.sendClose(code, "");
                client.awaitEof();
                return "server closed with " + code;
            }
        });
        ALL.put("client-close-88-80-00-00-00-00", () -> {
            try (RawServer server = new RawServer(Behavior.ECHO);
                 RawClient client = new RawClient(lastPort = server.port(), "/chat")) {
                client.sendText("hello", true);
                client.sendSeedClose();
                int code = client.awaitClose();
                client.awaitEof();
                return "server answered Close " + (code < 0 ? "(no code)" : code);
            }
        });
        ALL.put("close-not-answered", () -> httpClient(Behavior.CLOSE_AND_DROP_TCP, "/chat",
                ws -> ws.sendText("hello", true).get(10, TimeUnit.SECONDS), false));
        ALL.put("data-after-close", () -> {
            try (RawServer server = new RawServer(Behavior.DATA_AFTER_CLOSE);
                 RawClient client = new RawClient(lastPort = server.port(), "/chat")) {
                client.sendClose(1000, "bye");
                int code = client.awaitClose();
                int after = client.readOpcode();
                client.awaitEof();
                return "server answered Close " + code + ", then sent opcode " + after;
            }
        });
        ALL.put("client-closes-tcp-first", () -> {
            try (RawServer server = new RawServer(Behavior.WAIT_FOR_CLIENT_FIN);
                 RawClient client = new RawClient(lastPort = server.port(), "/chat")) {
                client.sendClose(1000, "bye");
                int code = client.awaitClose();
                client.close(); // at once: the client, not the server, closes TCP first
                Thread.sleep(300);
                return "closed " + code + " and closed TCP first";
            }
        });
        ALL.put("client-gives-up-during-handshake", () -> {
            try (RawServer server = new RawServer(Behavior.SLOW_HANDSHAKE)) {
                lastPort = server.port();
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
                    s.getOutputStream().write(("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                    Thread.sleep(300); // no 101 yet: give up
                }
                Thread.sleep(300);
                return "gave up after 300 ms";
            }
        });
        ALL.put("hixie-76-close-ff-00", () -> {
            try (RawServer server = new RawServer(Behavior.HIXIE_76);
                 RawClient client = new RawClient(lastPort = server.port(), "/hixie", true)) {
                String echo = client.hixieText("hello, 2010");
                client.hixieClose();
                client.awaitEof();
                return "echoed \"" + echo + "\", closed with FF 00 both ways";
            }
        });
    }

    /** The JDK HttpClient against a server with {@code behavior}; {@code answerClose} false = never reply to a Close. */
    private static String httpClient(Behavior behavior, String path, Exchange exchange, boolean answerClose)
            throws Exception {
        return httpClient(behavior, path, exchange, answerClose, null);
    }

    /** The same, over wss:// when {@code tls} is given (both ends trust its self-signed certificate). */
    private static String httpClient(Behavior behavior, String path, Exchange exchange, boolean answerClose,
                                     SSLContext tls) throws Exception {
        try (RawServer server = new RawServer(behavior, tls)) {
            lastPort = server.port();
            CompletableFuture<String> closed = new CompletableFuture<>();
            HttpClient http = tls == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(tls).build();
            WebSocket ws;
            try {
                ws = http.newWebSocketBuilder().buildAsync(
                        URI.create((tls == null ? "ws" : "wss") + "://127.0.0.1:" + server.port() + path),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
                                closed.complete("closed " + code + (reason.isEmpty() ? "" : " \"" + reason + "\""));
                                // Completing the stage lets the client answer the Close; a stage that never completes
                                // means the application never lets it (the peer waits in vain).
                                return answerClose ? null : new CompletableFuture<Void>();
                            }

                            @Override
                            public void onError(WebSocket webSocket, Throwable error) {
                                closed.complete("error " + error.getClass().getSimpleName() + " (1006)");
                            }
                        }).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof WebSocketHandshakeException h) {
                    return "handshake refused: HTTP " + h.getResponse().statusCode();
                }
                throw e;
            }
            exchange.run(ws);
            String result = closed.get(10, TimeUnit.SECONDS);
            Thread.sleep(500); // let TCP finish closing while the capture runs
            if (!answerClose) {
                ws.abort();
            }
            return result;
        }
    }

    @FunctionalInterface
    private interface Exchange {
        void run(WebSocket ws) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        List<String> names = args.length == 0 ? new ArrayList<>(ALL.keySet()) : List.of(args);
        for (String name : names) {
            Scenario s = ALL.get(name);
            if (s == null) {
                System.err.println("unknown scenario " + name + "; known: " + String.join(", ", ALL.keySet()));
                System.exit(2);
            }
            String result = s.run();
            System.out.println("scenario " + name + ": " + result + " (server port " + lastPort + ")");
        }
    }
}
