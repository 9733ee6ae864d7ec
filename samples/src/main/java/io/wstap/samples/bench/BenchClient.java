package io.wstap.samples.bench;

import io.wstap.samples.Tls;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load of {@link HostOverheadBenchmark}, in its own JVM without the agent: {@code connections} JDK HttpClient
 * WebSockets (ws:// or wss://), each in a closed loop sending one binary message of {@code size} bytes and waiting for
 * its echo, for {@code warmup} then {@code seconds}, counted from when every connection is open ({@code READY}).
 * Prints {@code RESULT msgs_per_s= p50_us= p99_us= messages=} for
 * the measured part, then waits for a line on stdin and closes every connection with 1000.
 *
 * <p>Args: port keystore|- connections size warmupSeconds seconds.
 */
public final class BenchClient {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        boolean tls = !args[1].equals("-");
        int connections = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        long measureNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[5]));
        HttpClient.Builder builder = HttpClient.newBuilder();
        if (tls) {
            builder.sslContext(Tls.context(Path.of(args[1]), BenchServer.PASSWORD.toCharArray()));
        }
        HttpClient client = builder.build();
        URI uri = URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + port + "/echo");
        // Every connection is open (TLS handshakes done) before the clock starts: only echo traffic is measured.
        List<WebSocket> sockets = new ArrayList<>();
        List<AtomicReference<CompletableFuture<Void>>> echoes = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            AtomicReference<CompletableFuture<Void>> echo = new AtomicReference<>();
            echoes.add(echo);
            sockets.add(client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                    webSocket.request(1);
                    if (last) {
                        echo.get().complete(null);
                    }
                    return null;
                }
            }).get(60, TimeUnit.SECONDS));
        }
        System.out.println("READY");
        System.out.flush();
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long end = measureFrom + measureNanos;
        CountDownLatch close = new CountDownLatch(1);
        List<Loop> loops = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Loop loop = new Loop(sockets.get(c), echoes.get(c), size, measureFrom, end, close);
            loops.add(loop);
            loop.thread.start();
        }
        for (Loop loop : loops) {
            loop.measured.await(TimeUnit.NANOSECONDS.toSeconds(end - start) + 60, TimeUnit.SECONDS);
            if (loop.failure != null) {
                System.out.println("FAILED " + loop.failure);
                System.exit(1);
            }
        }
        long[] all = loops.stream().flatMapToLong(l -> Arrays.stream(l.latencies, 0, l.count)).sorted().toArray();
        if (all.length == 0) {
            System.out.println("FAILED no round trip in the measured window");
            System.exit(1);
        }
        System.out.printf(Locale.ROOT, "RESULT msgs_per_s=%.0f p50_us=%.1f p99_us=%.1f messages=%d%n",
                all.length / (measureNanos / 1e9), all[all.length / 2] / 1e3, all[(int) (all.length * 0.99)] / 1e3,
                all.length);
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        close.countDown();
        for (Loop loop : loops) {
            loop.thread.join(30_000);
        }
    }

    /** One connection's closed loop, on its own thread. */
    private static final class Loop {
        final Thread thread;
        final CountDownLatch measured = new CountDownLatch(1);
        /** Round trips of the measured window, in ns; bounded (1 MiB a connection), so a long run cannot grow it. */
        final long[] latencies = new long[1 << 17];
        int count;
        volatile Throwable failure;

        Loop(WebSocket ws, AtomicReference<CompletableFuture<Void>> echo, int size, long measureFrom, long end,
             CountDownLatch close) {
            thread = new Thread(() -> {
                try {
                    run(ws, echo, size, measureFrom, end, close);
                } catch (Throwable t) {
                    failure = t;
                    measured.countDown();
                }
            }, "bench-client");
        }

        private void run(WebSocket ws, AtomicReference<CompletableFuture<Void>> echo, int size, long measureFrom,
                         long end, CountDownLatch close) throws Exception {
            byte[] payload = new byte[size];
            for (long t0; (t0 = System.nanoTime()) < end; ) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                echo.set(f);
                ws.sendBinary(ByteBuffer.wrap(payload), true).get(30, TimeUnit.SECONDS);
                f.get(30, TimeUnit.SECONDS);
                if (t0 >= measureFrom && count < latencies.length) {
                    latencies[count++] = System.nanoTime() - t0;
                }
            }
            measured.countDown();
            // Open until the server has read its threads' allocation (an open connection keeps Jetty's threads busy).
            close.await(120, TimeUnit.SECONDS);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").get(30, TimeUnit.SECONDS);
        }
    }
}
