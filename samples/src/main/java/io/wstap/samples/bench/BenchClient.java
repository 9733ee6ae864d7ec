package io.wstap.samples.bench;

import io.wstap.samples.Tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
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
 * The load of {@link HostOverheadBenchmark}, in its own JVM without the agent: {@code connections} WebSockets (ws://
 * or wss://), each in a closed loop sending one binary message of {@code size} bytes and waiting for its echo, for
 * {@code warmup} then {@code seconds}, counted from when every connection is open ({@code READY}). Prints {@code RESULT
 * msgs_per_s= p50_us= p99_us= messages=} for the measured part, then waits for a line on stdin and closes every
 * connection with 1000.
 *
 * <p>Two clients: {@code jdk}, the JDK's HttpClient WebSocket (a real library, but a heavy one: futures and a selector
 * thread per message), and {@code raw}, one blocking socket per connection (an {@code SSLSocket} for wss://) writing a
 * masked frames built once (four, each with its own masking key, sent in turn) and reading the echo into a reused
 * buffer: no allocation per message, so the client costs little of the 2 cores and the server's cost shows.
 *
 * <p>A third, {@code spin}: one thread polls every connection's non-blocking channel in turn (over an SSLEngine for
 * wss://) and never sleeps, so the server never has to wake a client thread. On a VM, waking a
 * thread whose CPU went idle costs the waker microseconds in the kernel (an interrupt to a halted virtual CPU), and in a
 * closed loop a slightly slower server leaves the client idle more often: with blocking clients, that cost grows
 * with any slowdown of the server and amplifies it (docs/benchmarks.md, 2026-12-06 second run). The spinning client
 * takes that feedback out, so what differs between arms is the server's own work.
 *
 * <p>With a last argument {@code toggleMs} > 0 (the server's agent runs with benchToggle=toggleMs), it also prints the
 * round trips of each tenth of a window ({@link Windows}) before the RESULT line.
 *
 * <p>Args: port keystore|- connections size warmupSeconds seconds [jdk|raw|spin [toggleMs]].
 */
public final class BenchClient {
    /** One connection's round trip: send the message, wait for its echo. */
    interface Echoer {
        void roundTrip() throws Exception;

        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        boolean tls = !args[1].equals("-");
        int connections = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        long measureNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[5]));
        String kind = args.length > 6 ? args[6] : "jdk";
        long toggleNanos = TimeUnit.MILLISECONDS.toNanos(args.length > 7 ? Long.parseLong(args[7]) : 0);
        SSLContext context = tls ? Tls.context(Path.of(args[1]), BenchServer.PASSWORD.toCharArray()) : null;
        // Every connection is open (TLS handshakes done) before the clock starts: only echo traffic is measured.
        List<Echoer> echoers = new ArrayList<>();
        HttpClient client = null;
        if (kind.equals("jdk")) {
            HttpClient.Builder builder = HttpClient.newBuilder();
            if (tls) {
                builder.sslContext(context);
            }
            client = builder.build();
        } else if (kind.equals("spin")) {
            spin(context, port, connections, size, warmupNanos, measureNanos, toggleNanos);
            return;
        } else if (!kind.equals("raw") && !kind.equals("spin")) {
            throw new IllegalArgumentException("client " + kind + ": expected jdk, raw or spin");
        }
        for (int c = 0; c < connections; c++) {
            echoers.add(client != null ? new JdkEchoer(client, tls, port, size) : new RawEchoer(context, port, size));
        }
        System.out.println("READY");
        System.out.flush();
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long end = measureFrom + measureNanos;
        CountDownLatch close = new CountDownLatch(1);
        List<Loop> loops = new ArrayList<>();
        for (Echoer e : echoers) {
            Loop loop = new Loop(e, measureFrom, end, close, toggleNanos);
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
        if (!Tally.report(loops.stream().map(l -> l.tally).toList(), measureNanos)) {
            System.exit(1);
        }
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        close.countDown();
        for (Loop loop : loops) {
            loop.thread.join(30_000);
        }
    }

    /**
     * What one client thread measured: every round trip that started in the measured window, the latencies of the
     * first ones (bounded, so a long run does not grow it), and with benchToggle the round trips per window tenth.
     */
    static final class Tally {
        private final long measureFrom;
        private final long[] latencies;
        private int count;
        private long messages;
        private final Windows windows;

        Tally(int capacity, long measureFrom, long end, long toggleNanos) {
            this.measureFrom = measureFrom;
            latencies = new long[capacity];
            windows = toggleNanos > 0 ? new Windows(toggleNanos, measureFrom, end) : null;
        }

        /** A round trip sent at {@code sentAt} and answered at {@code doneAt}. */
        void roundTrip(long sentAt, long doneAt) {
            if (sentAt >= measureFrom) {
                messages++;
                if (count < latencies.length) {
                    latencies[count++] = doneAt - sentAt;
                }
            }
            if (windows != null) {
                windows.count(doneAt);
            }
        }

        /**
         * Prints the threads' WINDOWS line (with benchToggle) and the RESULT line, or FAILED; false when no round trip
         * was measured. Throughput counts every round trip; the percentiles, the latencies kept.
         */
        static boolean report(List<Tally> tallies, long measureNanos) {
            Windows sum = null;
            for (Tally t : tallies) {
                if (t.windows != null) {
                    if (sum == null) {
                        sum = new Windows(t.windows);
                    } else {
                        sum.add(t.windows);
                    }
                }
            }
            if (sum != null) {
                sum.print();
            }
            long[] all = tallies.stream().flatMapToLong(t -> Arrays.stream(t.latencies, 0, t.count)).toArray();
            long messages = tallies.stream().mapToLong(t -> t.messages).sum();
            if (all.length == 0) {
                System.out.println("FAILED no round trip in the measured window");
                return false;
            }
            Arrays.sort(all);
            System.out.printf(Locale.ROOT, "RESULT msgs_per_s=%.0f p50_us=%.1f p99_us=%.1f messages=%d%n",
                    messages / (measureNanos / 1e9), all[all.length / 2] / 1e3, all[(int) (all.length * 0.99)] / 1e3,
                    messages);
            System.out.flush();
            return true;
        }
    }

    /** client=spin: every connection's closed loop on this one thread, over non-blocking channels, never sleeping. */
    private static void spin(SSLContext tls, int port, int connections, int size, long warmupNanos, long measureNanos,
                             long toggleNanos) throws IOException {
        List<SpinConnection> conns = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            conns.add(new SpinConnection(tls, port, size));
        }
        System.out.println("READY");
        System.out.flush();
        long measureFrom = System.nanoTime() + warmupNanos;
        long end = measureFrom + measureNanos;
        Tally tally = new Tally(1 << 21, measureFrom, end, toggleNanos);
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            for (SpinConnection c : conns) {
                long t0 = c.step(now);
                if (t0 >= 0) {
                    tally.roundTrip(t0, System.nanoTime());
                }
            }
        }
        if (!Tally.report(List.of(tally), measureNanos)) {
            System.exit(1);
        }
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        for (SpinConnection c : conns) {
            c.close();
        }
    }

    /**
     * One connection of the spinning client: a non-blocking channel, the frame to send, the echo being read. For wss://
     * an {@link SSLEngine} over the channel: the frame is wrapped into TLS records as it is sent and the echo unwrapped
     * as it arrives, so a TLS server is loaded the same way as a plain one (a blocking client amplifies its slowdowns).
     */
    static final class SpinConnection {
        private final java.nio.channels.SocketChannel channel;
        /** wss:// only (else null): the engine, the records being written and the records read but not unwrapped. */
        private final SSLEngine engine;
        private final ByteBuffer netOut;
        private final ByteBuffer netIn;
        /** The masked frames sent in turn; {@code frames[next]} is the one being (or last) sent. */
        private final ByteBuffer[] frames;
        private int next;
        private final ByteBuffer in;
        private boolean sending;
        private boolean awaiting;
        private long sentAt;

        SpinConnection(SSLContext tls, int port, int size) throws IOException {
            channel = java.nio.channels.SocketChannel.open(new java.net.InetSocketAddress("127.0.0.1", port));
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            if (tls != null) {
                engine = tls.createSSLEngine("127.0.0.1", port);
                engine.setUseClientMode(true);
                netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize()).flip(); // nothing to write
                netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
                handshake(); // blocking, like the upgrade: the clock starts once every connection is open
            } else {
                engine = null;
                netOut = netIn = null;
            }
            // Blocking until upgraded: the server sends nothing after its 101 unasked, so nothing is read ahead.
            upgrade(port);
            channel.configureBlocking(false);
            byte[][] masked = RawEchoer.frames(0x82, new byte[size]);
            frames = new ByteBuffer[masked.length];
            for (int k = 0; k < masked.length; k++) {
                frames[k] = ByteBuffer.wrap(masked[k]);
            }
            // An unwrap needs room for a whole record's plaintext besides the part of the echo already in.
            in = ByteBuffer.allocate(size + 14 + (engine == null ? 0 : engine.getSession().getApplicationBufferSize()));
        }

        /** The TLS handshake over the (still blocking) channel. */
        private void handshake() throws IOException {
            engine.beginHandshake();
            ByteBuffer none = ByteBuffer.allocate(0);
            ByteBuffer scratch = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            while (hs != SSLEngineResult.HandshakeStatus.FINISHED && hs != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
                switch (hs) {
                    case NEED_WRAP -> {
                        netOut.clear();
                        SSLEngineResult r = engine.wrap(none, netOut);
                        netOut.flip();
                        while (netOut.hasRemaining()) {
                            channel.write(netOut);
                        }
                        hs = r.getHandshakeStatus();
                    }
                    case NEED_TASK -> {
                        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                            task.run();
                        }
                        hs = engine.getHandshakeStatus();
                    }
                    default -> { // NEED_UNWRAP, NEED_UNWRAP_AGAIN
                        netIn.flip();
                        SSLEngineResult r = engine.unwrap(netIn, scratch);
                        netIn.compact();
                        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(netIn) < 0) {
                            throw new IOException("the server closed the connection during the TLS handshake");
                        }
                        hs = r.getHandshakeStatus();
                    }
                }
            }
        }

        /** Sends the upgrade request and reads the answer's head (blocking); an IOException unless it is a 101. */
        private void upgrade(int port) throws IOException {
            ByteBuffer request = ByteBuffer.wrap(RawEchoer.upgradeRequest(port));
            while (!send(request)) {
                // blocking writes: the loop ends once every byte (and record) is out
            }
            ByteBuffer answer = ByteBuffer.allocate(engine == null ? 8192 : engine.getSession().getApplicationBufferSize());
            String head = "";
            while (!head.contains("\r\n\r\n")) {
                if (receive(answer) < 0 || !answer.hasRemaining()) {
                    throw new IOException("no handshake response: " + head);
                }
                head = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
            }
            RawEchoer.expectSwitchingProtocols(head);
        }

        /** Writes what it can of {@code plain} (wss://: wrapped into records); true once it and its records are out. */
        private boolean send(ByteBuffer plain) throws IOException {
            if (engine == null) {
                channel.write(plain);
                return !plain.hasRemaining();
            }
            while (true) {
                if (netOut.hasRemaining()) {
                    channel.write(netOut);
                    if (netOut.hasRemaining()) {
                        return false;
                    }
                }
                if (!plain.hasRemaining()) {
                    return true;
                }
                netOut.clear();
                SSLEngineResult r = engine.wrap(plain, netOut);
                netOut.flip();
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    throw new IOException("TLS wrap: " + r.getStatus());
                }
            }
        }

        /** Reads what has arrived into {@code plain} (wss://: unwrapped); -1 at the end of the stream. */
        private int receive(ByteBuffer plain) throws IOException {
            if (engine == null) {
                return channel.read(plain);
            }
            if (channel.read(netIn) < 0) {
                return -1;
            }
            netIn.flip();
            int produced = 0;
            while (netIn.hasRemaining()) {
                SSLEngineResult r = engine.unwrap(netIn, plain);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return -1;
                }
                produced += r.bytesProduced();
                if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0) {
                    break; // a record still arriving (underflow), or no room for the next one's plaintext (overflow)
                }
            }
            netIn.compact();
            return produced;
        }

        /** One non-blocking turn; returns the send time of a round trip it completed, else -1. */
        long step(long now) throws IOException {
            if (sending) {
                sending = !send(frames[next]);
            } else if (!awaiting) {
                next = (next + 1) % frames.length;
                frames[next].clear();
                sentAt = now;
                awaiting = true;
                sending = !send(frames[next]);
            }
            if (awaiting) {
                if (receive(in) < 0) {
                    throw new IOException("the server closed the connection");
                }
                if (echoed()) {
                    awaiting = false;
                    return sentAt;
                }
            }
            return -1;
        }

        /** Consumes the whole frames read so far; true when one had FIN (the echo is complete). */
        private boolean echoed() throws IOException {
            boolean fin = false;
            in.flip();
            while (in.remaining() >= 2) {
                int b0 = in.get(in.position()) & 0xFF;
                int b1 = in.get(in.position() + 1) & 0xFF;
                int ext = (b1 & 0x7F) == 126 ? 2 : (b1 & 0x7F) == 127 ? 8 : 0;
                if (in.remaining() < 2 + ext) {
                    break;
                }
                long n = ext == 0 ? b1 & 0x7F : ext == 2 ? in.getShort(in.position() + 2) & 0xFFFF
                        : in.getLong(in.position() + 2);
                if ((b1 & 0x80) != 0 || n > in.capacity() - 2 - ext) {
                    throw new IOException("unexpected server frame: " + Integer.toHexString(b0) + " "
                            + Integer.toHexString(b1) + ", " + n + " bytes");
                }
                if (in.remaining() < 2 + ext + n) {
                    break;
                }
                in.position(in.position() + 2 + ext + (int) n);
                fin |= (b0 & 0x80) != 0;
            }
            in.compact();
            return fin;
        }

        void close() throws IOException {
            channel.configureBlocking(true);
            ByteBuffer close = ByteBuffer.wrap(RawEchoer.frame(0x88, new byte[] {0x03, (byte) 0xE8}));
            while (!send(close)) {
                // blocking writes
            }
            channel.close();
        }
    }

    /**
     * Round trips completed per tenth of the agent's benchToggle windows (arm agent-toggled), by the monotonic clock,
     * which the server JVM's toggling thread reads too: tenth k of window w is slot {@code w * 10 + k}. Printed as
     * {@code WINDOWS slot_ns=... first=... counts=c0,c1,...} for the harness, which knows which windows were on.
     */
    static final class Windows {
        static final int SLOTS = 10;
        final long slotNanos;
        final long first;
        final long[] counts;

        Windows(long toggleNanos, long from, long to) {
            slotNanos = toggleNanos / SLOTS;
            first = Math.floorDiv(from, slotNanos);
            counts = new long[(int) (Math.floorDiv(to, slotNanos) - first + 1)];
        }

        void count(long now) {
            long i = Math.floorDiv(now, slotNanos) - first;
            if (i >= 0 && i < counts.length) {
                counts[(int) i]++;
            }
        }

        /** A copy of {@code other}: the sum of several threads' windows starts from one. */
        Windows(Windows other) {
            slotNanos = other.slotNanos;
            first = other.first;
            counts = other.counts.clone();
        }

        void add(Windows other) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += other.counts[i];
            }
        }

        void print() {
            System.out.println("WINDOWS slot_ns=" + slotNanos + " first=" + first + " counts="
                    + Arrays.stream(counts).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(",")));
        }
    }

    /** One connection's closed loop, on its own thread. */
    private static final class Loop {
        final Thread thread;
        final CountDownLatch measured = new CountDownLatch(1);
        /** Its round trips; latencies bounded to 1 MiB a connection. */
        final Tally tally;
        volatile Throwable failure;

        Loop(Echoer echoer, long measureFrom, long end, CountDownLatch close, long toggleNanos) {
            tally = new Tally(1 << 17, measureFrom, end, toggleNanos);
            thread = new Thread(() -> {
                try {
                    run(echoer, measureFrom, end, close);
                } catch (Throwable t) {
                    failure = t;
                    measured.countDown();
                }
            }, "bench-client");
        }

        private void run(Echoer echoer, long measureFrom, long end, CountDownLatch close) throws Exception {
            for (long t0; (t0 = System.nanoTime()) < end; ) {
                echoer.roundTrip();
                tally.roundTrip(t0, System.nanoTime());
            }
            measured.countDown();
            // Open until the server has read its threads' allocation (an open connection keeps Jetty's threads busy).
            close.await(120, TimeUnit.SECONDS);
            echoer.close();
        }
    }

    /** The JDK HttpClient's WebSocket. */
    static final class JdkEchoer implements Echoer {
        private final AtomicReference<CompletableFuture<Void>> echo = new AtomicReference<>();
        private final WebSocket ws;
        private final byte[] payload;

        JdkEchoer(HttpClient client, boolean tls, int port, int size) throws Exception {
            payload = new byte[size];
            URI uri = URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + port + "/echo");
            ws = client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                    webSocket.request(1);
                    if (last) {
                        echo.get().complete(null);
                    }
                    return null;
                }
            }).get(60, TimeUnit.SECONDS);
        }

        @Override
        public void roundTrip() throws Exception {
            CompletableFuture<Void> f = new CompletableFuture<>();
            echo.set(f);
            ws.sendBinary(ByteBuffer.wrap(payload), true).get(30, TimeUnit.SECONDS);
            f.get(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A blocking socket speaking RFC 6455 itself: the opening handshake, then masked binary frames built once and
     * written whole, one per message, and the echo read into a reused buffer (the server's frames, whole or fragmented).
     */
    static final class RawEchoer implements Echoer {
        private static final int MASK = 0x37FA213D;
        /**
         * Frames built per connection, each with its own masking key, sent in turn: a conforming client picks a fresh
         * key per frame (RFC 6455 §5.3), and with one key for all a server under wstap would pay for a WS110 finding on
         * every frame, which no real client makes it do.
         */
        static final int KEYS = 4;
        private final Socket socket;
        private final OutputStream out;
        private final DataInputStream in;
        private final byte[][] frames;
        private int next;
        private final byte[] echo;

        RawEchoer(SSLContext tls, int port, int size) throws IOException {
            socket = tls != null ? tls.getSocketFactory().createSocket("127.0.0.1", port) : new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 17));
            upgrade(out, in, port);
            frames = frames(0x82, new byte[size]);
            echo = new byte[Math.max(size, 125)];
        }

        /** Sends the upgrade request for /echo and reads the answer's head; an IOException unless it is a 101. */
        static void upgrade(OutputStream out, java.io.InputStream in, int port) throws IOException {
            out.write(upgradeRequest(port));
            out.flush();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0 || head.length() > 8192) {
                    throw new IOException("no handshake response: " + head);
                }
                head.append((char) b);
            }
            expectSwitchingProtocols(head.toString());
        }

        /** The opening handshake's request for /echo (a fixed key: the server's accept is not what is measured). */
        static byte[] upgradeRequest(int port) {
            return ("GET /echo HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        /** An IOException unless the answer's {@code head} is a 101. */
        static void expectSwitchingProtocols(String head) throws IOException {
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
            }
        }

        /** {@link #KEYS} masked client frames of {@code payload}, each with another key, built once. */
        static byte[][] frames(int first, byte[] payload) {
            byte[][] frames = new byte[KEYS][];
            for (int k = 0; k < KEYS; k++) {
                frames[k] = frame(first, payload, MASK + k * 0x9E3779B9);
            }
            return frames;
        }

        /** A masked client frame (FIN set) of {@code payload}: the bytes to write, built once. */
        static byte[] frame(int first, byte[] payload) {
            return frame(first, payload, MASK);
        }

        private static byte[] frame(int first, byte[] payload, int mask) {
            int n = payload.length;
            int ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
            ByteBuffer b = ByteBuffer.allocate(2 + ext + 4 + n);
            b.put((byte) first);
            if (ext == 0) {
                b.put((byte) (0x80 | n));
            } else if (ext == 2) {
                b.put((byte) (0x80 | 126)).putShort((short) n);
            } else {
                b.put((byte) (0x80 | 127)).putLong(n);
            }
            b.putInt(mask);
            for (int i = 0; i < n; i++) {
                b.put((byte) (payload[i] ^ (mask >>> (8 * (3 - (i & 3))))));
            }
            return b.array();
        }

        @Override
        public void roundTrip() throws IOException {
            next = (next + 1) % KEYS;
            out.write(frames[next]);
            out.flush();
            while (!readFrame()) {
                // the echo's continuation frames, until the one with FIN
            }
        }

        /** Reads one server frame (unmasked) into the buffer; true when it had FIN. */
        private boolean readFrame() throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long n = b1 & 0x7F;
            if (n == 126) {
                n = in.readUnsignedShort();
            } else if (n == 127) {
                n = in.readLong();
            }
            if ((b1 & 0x80) != 0 || n > echo.length) {
                throw new IOException("unexpected server frame: " + Integer.toHexString(b0) + " " + Integer.toHexString(b1)
                        + ", " + n + " bytes");
            }
            in.readFully(echo, 0, (int) n);
            return (b0 & 0x80) != 0;
        }

        @Override
        public void close() throws IOException {
            out.write(frame(0x88, new byte[] {0x03, (byte) 0xE8}));
            out.flush();
            try {
                readFrame(); // the server's Close
            } catch (IOException e) {
                // it may close TCP at once: either way the connection ends
            }
            socket.close();
        }
    }
}
