package io.wstap.analyzer.watch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code wstap watch --http}: one page ({@code /}, inline HTML, CSS, JS and SVG: nothing fetched from elsewhere), the
 * dashboard as server-sent events ({@code /events}, one JSON snapshot per refresh) and the latest snapshot
 * ({@code /snapshot.json}, for scripts). Listens on the given address only; a request naming another host (DNS
 * rebinding from a web page) is refused.
 */
public final class WatchServer {
    private final HttpServer server;
    private final ExecutorService pool;
    private final byte[] page;
    private final Object lock = new Object();
    private String latest;
    private long version;
    private volatile boolean stopped;

    private WatchServer(HttpServer server, ExecutorService pool, byte[] page) {
        this.server = server;
        this.pool = pool;
        this.page = page;
    }

    public static WatchServer start(InetSocketAddress address) throws IOException {
        byte[] page;
        try (InputStream in = WatchServer.class.getResourceAsStream("watch.html")) {
            if (in == null) {
                throw new IllegalStateException("watch.html is missing from the classpath (a broken build)");
            }
            page = in.readAllBytes();
        }
        HttpServer http = HttpServer.create(address, 0);
        // one thread per open page (an event stream blocks its thread); daemon: never keeps wstap alive
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "wstap-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(pool);
        WatchServer w = new WatchServer(http, pool, page);
        http.createContext("/", w::handle);
        http.start();
        return w;
    }

    /** "http://127.0.0.1:8090/" with the port actually bound. */
    public String url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The next snapshot for every open page. */
    public void publish(Snapshot s) {
        String json = s.json();
        synchronized (lock) {
            latest = json;
            version++;
            lock.notifyAll();
        }
    }

    public void stop() {
        stopped = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!hostAllowed(x)) {
                send(x, 403, "text/plain", "wrong Host header\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!x.getRequestMethod().equals("GET")) {
                send(x, 405, "text/plain", "GET only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (x.getRequestURI().getPath()) {
                case "/" -> send(x, 200, "text/html; charset=utf-8", page);
                case "/snapshot.json" -> {
                    String json;
                    synchronized (lock) {
                        json = latest == null ? "null" : latest;
                    }
                    send(x, 200, "application/json", json.getBytes(StandardCharsets.UTF_8));
                }
                case "/events" -> events(x);
                default -> send(x, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** Server-sent events: the latest snapshot at once, then each new one, until the page or wstap goes. */
    private void events(HttpExchange x) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        long seen = -1;
        while (!stopped) {
            String json;
            synchronized (lock) {
                while (version == seen && !stopped) {
                    try {
                        lock.wait(15_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (version == seen) {
                        break; // a comment line keeps proxies and the page from timing out
                    }
                }
                json = version == seen ? null : latest;
                seen = version;
            }
            StringBuilder msg = new StringBuilder();
            if (json == null) {
                msg.append(": idle\n\n");
            } else {
                json.lines().forEach(l -> msg.append("data: ").append(l).append('\n'));
                msg.append('\n');
            }
            try {
                out.write(msg.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException gone) {
                return; // the page was closed
            }
        }
    }

    /** The Host header must name the address listened on (or localhost on loopback). */
    private boolean hostAllowed(HttpExchange x) {
        String host = x.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return true; // HTTP/1.0 clients
        }
        InetSocketAddress a = server.getAddress();
        if (a.getAddress().isAnyLocalAddress()) {
            return true; // listening everywhere was asked for explicitly
        }
        String port = ":" + a.getPort();
        String ip = a.getAddress().getHostAddress();
        return host.equals(ip + port) || host.equals("[" + ip + "]" + port)
                || (a.getAddress().isLoopbackAddress() && host.equals("localhost" + port));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
    }
}
