package io.wstap.samples;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link JettyEchoServer} and a JDK {@code java.net.http} WebSocket client in one JVM, on 127.0.0.1: the client
 * sends the texts and the binary of {@link Exchange}, checks each echo, then closes with 1000 "bye"; Jetty answers
 * the Close and closes TCP.
 *
 * <pre>
 * java -cp ... io.wstap.samples.JettyServerHttpClientApp [--tls KEYSTORE PASSWORD] [--connections N] [--client-threads T]
 * </pre>
 *
 * <ul>
 *   <li>{@code --tls}: wss:// with the certificate of a PKCS12 keystore that both sides use (see {@link Tls});</li>
 *   <li>{@code --connections N}: N exchanges one after the other, each on a new connection of the same HttpClient
 *       (a client that reconnects); each starts with a line {@code connection K};</li>
 *   <li>{@code --client-threads T}: the HttpClient runs on a fixed pool of T threads instead of its default one.</li>
 * </ul>
 *
 * Both ends are NIO: the JDK HttpClient and Jetty each use a SocketChannel (and an SSLEngine for wss://).
 */
public final class JettyServerHttpClientApp {
    private JettyServerHttpClientApp() {
    }

    public static void main(String[] args) throws Exception {
        Exchange.watchdog("JettyServerHttpClientApp", 90);
        SSLContext tls = null;
        int connections = 1;
        int clientThreads = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--tls" -> tls = Tls.context(Path.of(args[++i]), args[++i].toCharArray());
                    case "--connections" -> connections = Integer.parseInt(args[++i]);
                    case "--client-threads" -> clientThreads = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("usage: JettyServerHttpClientApp [--tls KEYSTORE PASSWORD] [--connections N] [--client-threads T]");
            System.exit(2);
        }
        run(tls, connections, clientThreads);
        System.exit(0); // library threads (the HttpClient's, Jetty's) never keep the demo waiting
    }

    static void run(SSLContext tls, int connections, int clientThreads) throws Exception {
        ExecutorService pool = clientThreads <= 0 ? null : Executors.newFixedThreadPool(clientThreads, r -> {
            Thread t = new Thread(r, "http-client");
            t.setDaemon(true);
            return t;
        });
        try (JettyEchoServer server = new JettyEchoServer(tls)) {
            Exchange.say("server listening on 127.0.0.1:" + server.port());
            String uri = (tls == null ? "ws" : "wss") + "://127.0.0.1:" + server.port() + "/echo";
            HttpClient.Builder builder = HttpClient.newBuilder();
            if (tls != null) {
                builder.sslContext(tls);
            }
            if (pool != null) {
                builder.executor(pool);
            }
            HttpClient http = builder.build();
            String serverSaw = null;
            String clientSaw = null;
            for (int k = 1; k <= connections; k++) {
                if (connections > 1) {
                    Exchange.say("connection " + k);
                }
                clientSaw = exchange(http, URI.create(uri));
                serverSaw = server.closes.poll(Exchange.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (serverSaw == null || serverSaw.startsWith("error")) {
                    throw new IllegalStateException("the server's session did not close cleanly: " + serverSaw);
                }
            }
            Thread.sleep(Exchange.SETTLE_MILLIS); // let each side read the other's FIN before the server stops
            Exchange.say("summary: jetty " + (tls == null ? "ws" : "wss") + " server + JDK HttpClient: "
                    + (connections > 1 ? connections + " connections, each " : "") + Exchange.MESSAGES
                    + " messages echoed; client closed 1000 bye, server saw " + serverSaw + ", client saw " + clientSaw);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** One connection: the messages, each echo checked, then the client's Close; returns the server's Close as seen. */
    private static String exchange(HttpClient http, URI uri) throws Exception {
        long timeout = Exchange.TIMEOUT_SECONDS;
        Listener listener = new Listener();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, listener).get(timeout, TimeUnit.SECONDS);
        for (int i = 0; i < Exchange.TEXT_SIZES.length; i++) {
            String text = Exchange.text(i);
            ws.sendText(text, true).get(timeout, TimeUnit.SECONDS);
            Exchange.say("client sent text " + Exchange.utf8Length(text));
            Object echo = listener.messages.poll(timeout, TimeUnit.SECONDS);
            if (!text.equals(echo)) {
                throw new IllegalStateException("echo " + i + " differs from what was sent");
            }
            Exchange.say("client received text " + Exchange.utf8Length(text));
        }
        byte[] binary = Exchange.binary();
        ws.sendBinary(ByteBuffer.wrap(binary), true).get(timeout, TimeUnit.SECONDS);
        Exchange.say("client sent binary " + binary.length);
        Object echo = listener.messages.poll(timeout, TimeUnit.SECONDS);
        if (!(echo instanceof ByteBuffer b) || !Exchange.sameBytes(b, binary)) {
            throw new IllegalStateException("binary echo differs from what was sent");
        }
        Exchange.say("client received binary " + binary.length);

        ws.sendClose(1000, "bye").get(timeout, TimeUnit.SECONDS);
        Exchange.say("client sent close 1000 bye");
        return listener.closed.get(timeout, TimeUnit.SECONDS);
    }

    /** Collects whole messages (the JDK hands large ones over in parts) and the server's Close. */
    private static final class Listener implements WebSocket.Listener {
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private ByteBuffer binary = ByteBuffer.allocate(0);

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            ByteBuffer grown = ByteBuffer.allocate(binary.remaining() + data.remaining());
            grown.put(binary).put(data).flip();
            binary = grown;
            if (last) {
                messages.add(binary);
                binary = ByteBuffer.allocate(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            Exchange.say("client received close " + statusCode + " " + reason);
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            Exchange.say("client error " + error);
            closed.completeExceptionally(error);
        }
    }
}
