package io.wstap.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load of {@link EchoBenchmark}, in its own JVM without the agent: {@code connections} JDK HttpClient
 * WebSockets, each sending a binary message of {@code size} bytes and waiting for its echo, for {@code warmup} then
 * {@code seconds}; prints messages/s and p50/p99 round-trip latency of the measured part.
 * Args: port connections size warmupSeconds seconds.
 */
public final class EchoClientMain {
    /** Every message sent, warm-up included (the server's allocation covers them all). */
    private static final java.util.concurrent.atomic.LongAdder SENT = new java.util.concurrent.atomic.LongAdder();
    /** Released by a line on stdin: then the connections close. */
    private static final java.util.concurrent.CountDownLatch CLOSE = new java.util.concurrent.CountDownLatch(1);

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        long measureNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        HttpClient client = HttpClient.newHttpClient();
        List<Thread> threads = new ArrayList<>();
        long[][] latencies = new long[connections][];
        int[] counts = new int[connections];
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long end = measureFrom + measureNanos;
        for (int c = 0; c < connections; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                try {
                    run(client, port, size, measureFrom, end, counts, latencies, id);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            threads.add(t);
            t.start();
        }
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(end - start) + 200);
        while (Arrays.stream(latencies).anyMatch(x -> x == null) && threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(10); // every connection's last round trip
        }
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int k = 0;
        for (int c = 0; c < connections; c++) {
            System.arraycopy(latencies[c], 0, all, k, counts[c]);
            k += counts[c];
        }
        Arrays.sort(all);
        double seconds = measureNanos / 1e9;
        System.out.printf("RESULT msgs_per_s=%.0f p50_us=%.1f p99_us=%.1f messages=%d all=%d%n", total / seconds,
                all[total / 2] / 1e3, all[(int) (total * 0.99)] / 1e3, total, SENT.sum());
        System.out.flush();
        new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
        CLOSE.countDown();
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    private static void run(HttpClient client, int port, int size, long measureFrom, long end, int[] counts,
                            long[][] latencies, int id) throws Exception {
        AtomicReference<CompletableFuture<Void>> echo = new AtomicReference<>();
        WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/bench"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                        webSocket.request(1);
                        if (last) {
                            echo.get().complete(null);
                        }
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        byte[] payload = new byte[size];
        long[] lat = new long[1 << 20];
        int n = 0;
        while (true) {
            long t0 = System.nanoTime();
            if (t0 >= end) {
                break;
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            echo.set(f);
            ws.sendBinary(ByteBuffer.wrap(payload), true).get(10, TimeUnit.SECONDS);
            f.get(10, TimeUnit.SECONDS);
            long t1 = System.nanoTime();
            SENT.increment();
            if (t0 >= measureFrom && n < lat.length) {
                lat[n++] = t1 - t0;
            }
        }
        latencies[id] = lat;
        counts[id] = n;
        CLOSE.await(60, TimeUnit.SECONDS); // the server reads its threads' allocation while they are still alive
        ws.sendClose(1000, "bench done").get(10, TimeUnit.SECONDS);
    }
}
