package io.wstap.samples.raw;

import io.wstap.samples.JdkClient;
import io.wstap.samples.Scenarios;
import io.wstap.samples.Tls;
import io.wstap.samples.raw.RawServer.Behavior;

import javax.net.ssl.SSLContext;

import java.net.URI;
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
    /** The scenarios, in the order of the samples issue. */
    static final Scenarios ALL = new Scenarios();

    static {
        JdkClient.Script clientCloses1000 = ws -> {
            ws.sendText("hello", true).get(10, TimeUnit.SECONDS);
            ws.sendClose(1000, "bye").get(10, TimeUnit.SECONDS);
        };
        ALL.add("client-closes-1000", () -> httpClient(Behavior.ECHO, "/chat", clientCloses1000, true));
        // The same over wss://: the agent sees the plaintext at the client's SSLEngine and the server's SSLSocket.
        ALL.add("client-closes-1000-over-wss", () -> httpClient(Behavior.ECHO, "/chat", clientCloses1000, true,
                Tls.selfSigned()));
        ALL.add("server-closes-with-utf8-reason", () -> httpClient(Behavior.CLOSE_WITH_CHINESE_REASON, "/chat",
                ws -> ws.sendText("hello", true).get(10, TimeUnit.SECONDS), true));
        ALL.add("server-drops-tcp", () -> httpClient(Behavior.DROP_TCP, "/chat",
                ws -> ws.sendText("hello", true).get(10, TimeUnit.SECONDS), true));
        ALL.add("app-rejects-old-client-with-1002", () -> httpClient(Behavior.REJECT_OLD_CLIENT_WITH_1002, "/app",
                ws -> ws.sendText("version=1.0", true).get(10, TimeUnit.SECONDS), true));
        ALL.add("app-rejects-old-client-with-4000", () -> httpClient(Behavior.REJECT_OLD_CLIENT_WITH_4000, "/app",
                ws -> ws.sendText("version=1.0", true).get(10, TimeUnit.SECONDS), true));
        ALL.add("app-rejects-old-client-with-http-400", () -> httpClient(Behavior.REJECT_OLD_CLIENT_WITH_HTTP_400,
                "/app?version=1", ws -> { }, true));
        ALL.add("unmasked-client-frame", () -> {
            try (RawServer server = new RawServer(Behavior.STRICT_MASKING);
                 RawClient client = new RawClient(ALL.port(server.port()), "/chat")) {
                client.sendText("no mask", false);
                int code = client.awaitClose();
                client.sendClose(code, "");
                client.awaitEof();
                return "server closed with " + code;
            }
        });
        ALL.add("client-close-88-80-00-00-00-00", () -> {
            try (RawServer server = new RawServer(Behavior.ECHO);
                 RawClient client = new RawClient(ALL.port(server.port()), "/chat")) {
                client.sendText("hello", true);
                client.sendSeedClose();
                int code = client.awaitClose();
                client.awaitEof();
                return "server answered Close " + (code < 0 ? "(no code)" : code);
            }
        });
        ALL.add("close-not-answered", () -> httpClient(Behavior.CLOSE_AND_DROP_TCP, "/chat",
                ws -> ws.sendText("hello", true).get(10, TimeUnit.SECONDS), false));
        ALL.add("data-after-close", () -> {
            try (RawServer server = new RawServer(Behavior.DATA_AFTER_CLOSE);
                 RawClient client = new RawClient(ALL.port(server.port()), "/chat")) {
                client.sendClose(1000, "bye");
                int code = client.awaitClose();
                int after = client.readOpcode();
                client.awaitEof();
                return "server answered Close " + code + ", then sent opcode " + after;
            }
        });
        ALL.add("client-closes-tcp-first", () -> {
            try (RawServer server = new RawServer(Behavior.WAIT_FOR_CLIENT_FIN);
                 RawClient client = new RawClient(ALL.port(server.port()), "/chat")) {
                client.sendClose(1000, "bye");
                int code = client.awaitClose();
                client.close(); // at once: the client, not the server, closes TCP first
                Thread.sleep(300);
                return "closed " + code + " and closed TCP first";
            }
        });
        ALL.add("client-gives-up-during-handshake", () -> {
            try (RawServer server = new RawServer(Behavior.SLOW_HANDSHAKE)) {
                ALL.port(server.port());
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
        ALL.add("hixie-76-close-ff-00", () -> {
            try (RawServer server = new RawServer(Behavior.HIXIE_76);
                 RawClient client = new RawClient(ALL.port(server.port()), "/hixie", true)) {
                String echo = client.hixieText("hello, 2010");
                client.hixieClose();
                client.awaitEof();
                return "echoed \"" + echo + "\", closed with FF 00 both ways";
            }
        });
    }

    /** The JDK HttpClient against a server with {@code behavior}; {@code answerClose} false = never reply to a Close. */
    private static String httpClient(Behavior behavior, String path, JdkClient.Script script, boolean answerClose)
            throws Exception {
        return httpClient(behavior, path, script, answerClose, null);
    }

    /** The same, over wss:// when {@code tls} is given (both ends trust its self-signed certificate). */
    private static String httpClient(Behavior behavior, String path, JdkClient.Script script, boolean answerClose,
                                     SSLContext tls) throws Exception {
        try (RawServer server = new RawServer(behavior, tls)) {
            URI uri = URI.create((tls == null ? "ws" : "wss") + "://127.0.0.1:" + ALL.port(server.port()) + path);
            return JdkClient.run(uri, tls, script, answerClose);
        }
    }

    public static void main(String[] args) throws Exception {
        ALL.main(args);
    }
}
