package io.wstap.samples;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A {@link JettyEchoServer} for a peer outside the JVM (a Node client, a headless browser): starts the server, runs
 * the peer's command, prints the peer's output and what Jetty saw, and exits.
 *
 * <pre>
 * java -cp ... io.wstap.samples.ExternalPeerServer COMMAND ARGS...
 * </pre>
 *
 * In the command, {@code {ws}} stands for {@code ws://127.0.0.1:PORT/echo} and {@code {page}} for the URL of an HTML
 * page (served over plain HTTP by a JDK {@link HttpServer} on 127.0.0.1) whose script opens a WebSocket to
 * {@code {ws}}, sends "hello", and on the echo navigates to a second page ({@code /bye.html}, which says "bye").
 * The page does not finish loading before that navigation: it ends with a script that the server holds until
 * {@code /bye.html} is asked for (at most 10 s), so a headless browser that waits for the load (Chromium's
 * {@code --dump-dom}) leaves the page by navigating, never by exiting first.
 * The plain HTTP connections are not WebSocket: the agent leaves them out of the capture.
 */
public final class ExternalPeerServer {
    private static final long PEER_SECONDS = 40;

    private ExternalPeerServer() {
    }

    public static void main(String[] args) throws Exception {
        Exchange.watchdog("ExternalPeerServer", 60);
        if (args.length == 0) {
            System.err.println("usage: ExternalPeerServer COMMAND ARGS... ({ws} and {page} are replaced)");
            System.exit(2);
        }
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        try (JettyEchoServer server = new JettyEchoServer(null)) {
            String ws = "ws://127.0.0.1:" + server.port() + "/echo";
            CountDownLatch left = new CountDownLatch(1);
            pages.setExecutor(Executors.newCachedThreadPool());
            pages.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                String type = "text/html; charset=utf-8";
                String body = switch (path) {
                    case "/ws.html" -> html(page(ws));
                    case "/bye.html" -> {
                        left.countDown();
                        yield html("<p>bye</p>");
                    }
                    case "/held.js" -> {
                        awaitQuietly(left);
                        type = "text/javascript";
                        yield "";
                    }
                    default -> null;
                };
                byte[] bytes = (body == null ? "not found" : body).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", type);
                exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            pages.start();
            String page = "http://127.0.0.1:" + pages.getAddress().getPort() + "/ws.html";
            Exchange.say("server listening on 127.0.0.1:" + server.port());
            List<String> command = new ArrayList<>();
            for (String a : args) {
                command.add(a.replace("{ws}", ws).replace("{page}", page));
            }
            int exit = runPeer(command);
            Exchange.say("peer exited " + exit);
            // What Jetty's session saw (onWebSocketClose, or onWebSocketError on a TCP drop).
            String close = server.closes.poll(Exchange.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Exchange.say("server saw " + close);
            Thread.sleep(Exchange.SETTLE_MILLIS); // Jetty ends TCP after its callbacks: let it, before it stops
        } finally {
            pages.stop(0);
            ((ExecutorService) pages.getExecutor()).shutdownNow();
        }
        System.exit(0);
    }

    /** Runs the peer (killed with its descendants after PEER_SECONDS), copies its stdout and stderr to ours (prefixed "peer: "), and returns its exit code. */
    private static int runPeer(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        Thread copy = new Thread(() -> copy(p.getInputStream()), "peer-output");
        copy.start();
        if (!p.waitFor(PEER_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // a browser's own processes too
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Exchange.say("peer timed out after " + PEER_SECONDS + " s");
            return -1;
        }
        copy.join(TimeUnit.SECONDS.toMillis(5));
        return p.exitValue();
    }

    private static void copy(InputStream in) {
        try {
            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().forEach(l -> Exchange.say("peer: " + l));
        } catch (IOException e) {
            Exchange.say("peer: output lost: " + e);
        }
    }

    private static String html(String body) {
        return "<!doctype html><html><body>" + body + "</body></html>";
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The page's script: one WebSocket, one message, and away on the echo (what the browser does then is the test). */
    private static String page(String ws) {
        return "<p id=\"state\">loading</p><script>\n"
                + "const ws = new WebSocket('" + ws + "');\n"
                + "ws.onopen = () => ws.send('hello');\n"
                + "ws.onmessage = (e) => { document.getElementById('state').textContent = 'got ' + e.data;"
                + " location.href = '/bye.html'; };\n"
                + "</script><script src=\"/held.js\"></script>";
    }
}
