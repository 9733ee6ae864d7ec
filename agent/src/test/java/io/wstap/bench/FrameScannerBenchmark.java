package io.wstap.bench;

import io.wstap.engine.Connection;
import io.wstap.engine.ConnectionObserver;
import io.wstap.engine.EngineOptions;
import io.wstap.engine.Endpoint;
import io.wstap.wire.Frame;
import io.wstap.wire.FrameScanner;
import io.wstap.wire.FrameSink;
import io.wstap.wire.Frames;
import io.wstap.wire.Opcode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Frame headers per second through {@link FrameScanner}, and through the whole engine byte path ({@link Connection}).
 *
 * <p>Each benchmark scans one pre-built stream of real RFC 6455 frames (built by the test helper {@link Frames},
 * independently of the scanner) in fixed-size chunks, exactly as the agent does: {@code scan(ByteBuffer, from, to)} or
 * {@code scan(byte[], off, len)} over windows of one big buffer, absolute indexes, no copies. Chunks do not line up
 * with frames, so headers and payloads straddle chunk boundaries as they do on a socket. The stream ends at a frame
 * boundary and the scanner is kept running across invocations (its stream offset just keeps counting); every
 * invocation scans the whole stream, so with {@link OperationsPerInvocation} set to the stream's frame count the
 * throughput score is frames per second.
 *
 * <p>Run: {@code mvn -B -pl agent -Pbench verify} (see docs/benchmarks.md).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameScannerBenchmark {

    /** Frames in each small-frame stream: with payloads 0..125 about 4.2 MiB (server) or 4.4 MiB (client). */
    static final int SMALL_FRAMES = 65_536;
    /** Frames in each 64 KiB-frame stream: 8 MiB. */
    static final int LARGE_FRAMES = 128;
    /** Frames after the handshake in the engine's stream. */
    static final int ENGINE_FRAMES = SMALL_FRAMES;

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    // ---- the sink ---------------------------------------------------------------------------------------------------

    /** What a cheap real consumer does: count frames and fold a few header fields into fields; nothing is kept. */
    static final class CountingSink implements FrameSink {
        long frames;
        long opcodes;
        long lengths;
        long keys;

        @Override
        public void onFrame(Frame f) {
            frames++;
            opcodes += f.opcode() + (f.fin() ? 16 : 0);
            lengths += f.payloadLength();
            keys ^= f.maskKey();
        }

        void consume(Blackhole bh) {
            bh.consume(frames);
            bh.consume(opcodes);
            bh.consume(lengths);
            bh.consume(keys);
        }
    }

    // ---- the buffers the chunks come from ---------------------------------------------------------------------------

    /** The stream in the three forms the agent sees: a heap ByteBuffer, a direct ByteBuffer, a byte[]. */
    static final class Source {
        final byte[] array;
        final ByteBuffer heap;
        final ByteBuffer direct;

        Source(byte[] stream) {
            array = stream;
            heap = ByteBuffer.wrap(stream);
            direct = ByteBuffer.allocateDirect(stream.length);
            direct.put(stream).clear();
        }
    }

    /** Scans the whole stream in {@code chunk}-byte windows of {@code source}. */
    static void scanAll(FrameScanner scanner, String source, Source s, int chunk) {
        switch (source) {
            case "heap" -> scanBuffer(scanner, s.heap, chunk);
            case "direct" -> scanBuffer(scanner, s.direct, chunk);
            case "array" -> scanArray(scanner, s.array, chunk);
            default -> throw new IllegalArgumentException("source " + source);
        }
    }

    static void scanBuffer(FrameScanner scanner, ByteBuffer buf, int chunk) {
        int end = buf.capacity();
        for (int from = 0; from < end; from += chunk) {
            scanner.scan(buf, from, Math.min(from + chunk, end));
        }
    }

    static void scanArray(FrameScanner scanner, byte[] buf, int chunk) {
        int end = buf.length;
        for (int off = 0; off < end; off += chunk) {
            scanner.scan(buf, off, Math.min(chunk, end - off));
        }
    }

    static void check(String what, FrameScanner scanner, long frames, int perInvocation) {
        if (!scanner.atFrameBoundary() || frames % perInvocation != 0) {
            throw new IllegalStateException(what + ": " + frames + " frames, not a multiple of " + perInvocation
                    + ", or the scanner is not at a frame boundary (stream offset " + scanner.streamOffset() + ")");
        }
    }

    // ---- streams ----------------------------------------------------------------------------------------------------

    /**
     * {@code count} small frames, seeded: 90% text or binary messages (FIN set), 5% Ping, 5% Pong; payload sizes
     * uniform in 0..125 ({@code payload} "mix") or all {@code payload} bytes; masked with a fresh non-zero key each
     * frame when {@code masked} (client frames: 6-byte header), else unmasked (server frames: 2-byte header).
     */
    static byte[] smallStream(int count, boolean masked, String payload, long seed) {
        Random r = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(count * 70);
        int fixed = payload.equals("mix") ? -1 : Integer.parseInt(payload);
        if (fixed > 125) {
            throw new IllegalArgumentException("small frames carry 0..125 payload bytes: " + payload);
        }
        for (int n = 0; n < count; n++) {
            int len = fixed >= 0 ? fixed : r.nextInt(126);
            int pick = r.nextInt(100);
            int opcode = pick < 45 ? Opcode.TEXT : pick < 90 ? Opcode.BINARY : pick < 95 ? Opcode.PING : Opcode.PONG;
            byte[] p = new byte[len];
            if (opcode == Opcode.TEXT) {
                for (int i = 0; i < len; i++) {
                    p[i] = (byte) ('a' + r.nextInt(26));
                }
            } else {
                r.nextBytes(p);
            }
            Integer key = null;
            if (masked) {
                int k;
                do {
                    k = r.nextInt();
                } while (k == 0);
                key = k;
            }
            byte[] f = Frames.frame(true, 0, opcode, key, p, Frames.AUTO);
            out.write(f, 0, f.length);
        }
        return out.toByteArray();
    }

    /** {@code count} binary frames of {@code length} bytes, unmasked (server frames). */
    static byte[] largeStream(int count, int length) {
        byte[] f = Frames.binary(length, null);
        byte[] s = new byte[f.length * count];
        for (int n = 0; n < count; n++) {
            System.arraycopy(f, 0, s, n * f.length, f.length);
        }
        return s;
    }

    // ---- small frames -----------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class SmallFrames {
        /** server: unmasked, 2-byte headers; client: masked, 6-byte headers. */
        @Param({"server", "client"})
        public String side;
        /** Payload bytes per frame: "mix" (seeded uniform 0..125) or a fixed size such as 0, 16, 125. */
        @Param({"mix"})
        public String payload;
        @Param({"8192", "65536"})
        public int chunk;
        @Param({"heap", "direct", "array"})
        public String source;

        Source stream;
        CountingSink sink;
        FrameScanner scanner;

        @Setup(Level.Trial)
        public void setUp() {
            stream = new Source(smallStream(SMALL_FRAMES, side.equals("client"), payload, 0x5EED));
            sink = new CountingSink();
            scanner = new FrameScanner(sink, FrameScanner.Mode.RFC6455, false);
        }

        @TearDown(Level.Iteration)
        public void verify() {
            check("small frames", scanner, sink.frames, SMALL_FRAMES);
        }
    }

    /** Small frames (payload 0..125): frames per second. */
    @Benchmark
    @OperationsPerInvocation(SMALL_FRAMES)
    public void smallFrames(SmallFrames s, Blackhole bh) {
        scanAll(s.scanner, s.source, s.stream, s.chunk);
        s.sink.consume(bh);
    }

    // ---- 64 KiB frames ----------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class LargeFrames {
        /** 65536 needs the 64-bit length form (10-byte header); 65535 the 16-bit form (4-byte header). */
        @Param({"65536", "65535"})
        public int length;
        @Param({"8192", "65536"})
        public int chunk;
        @Param({"heap", "direct", "array"})
        public String source;

        Source stream;
        CountingSink sink;
        FrameScanner scanner;

        @Setup(Level.Trial)
        public void setUp() {
            stream = new Source(largeStream(LARGE_FRAMES, length));
            sink = new CountingSink();
            scanner = new FrameScanner(sink, FrameScanner.Mode.RFC6455, false);
        }

        @TearDown(Level.Iteration)
        public void verify() {
            check("64 KiB frames", scanner, sink.frames, LARGE_FRAMES);
        }
    }

    /** 64 KiB frames: frames per second (each frame spans 1 to 9 chunks). */
    @Benchmark
    @OperationsPerInvocation(LARGE_FRAMES)
    public void largeFrames(LargeFrames s, Blackhole bh) {
        scanAll(s.scanner, s.source, s.stream, s.chunk);
        s.sink.consume(bh);
    }

    // ---- the engine's byte path -------------------------------------------------------------------------------------

    /** Counts what the connection reports, as a cheap recorder would. */
    static final class CountingObserver implements ConnectionObserver {
        long frames;
        long lengths;

        @Override
        public void onFrame(Connection connection, Endpoint sender, long timeNanos, Frame frame) {
            frames++;
            lengths += frame.payloadLength();
        }
    }

    @State(Scope.Thread)
    public static class Engine {
        @Param({"8192", "65536"})
        public int chunk;
        /** heap or direct ByteBuffer, or byte[]. */
        @Param({"heap"})
        public String source;

        Source stream;
        CountingObserver observer;
        Connection connection;
        long now;

        @Setup(Level.Trial)
        public void setUp() {
            observer = new CountingObserver();
            connection = new Connection(1, EngineOptions.DEFAULTS, observer);
            // This JVM is the client (LOCAL): its upgrade request, the server's 101, then the server's frames.
            byte[] request = ("GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            byte[] response = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            connection.onBytes(Endpoint.LOCAL, ++now, request, 0, request.length);
            connection.onBytes(Endpoint.REMOTE, ++now, response, 0, response.length);
            if (connection.phase() != Connection.Phase.OPEN) {
                throw new IllegalStateException("handshake not accepted: " + connection.phase());
            }
            stream = new Source(smallStream(ENGINE_FRAMES, false, "mix", 0x5EED));
        }

        @TearDown(Level.Iteration)
        public void verify() {
            if (observer.frames % ENGINE_FRAMES != 0 || connection.phase() != Connection.Phase.OPEN) {
                throw new IllegalStateException("engine: " + observer.frames + " frames, phase " + connection.phase());
            }
            if (!connection.findings().isEmpty()) {
                throw new IllegalStateException("clean traffic raised findings: " + connection.findings());
            }
        }
    }

    /** Server frames (payload 0..125) through Connection.onBytes: handshake parsed, framing rules checked. */
    @Benchmark
    @OperationsPerInvocation(ENGINE_FRAMES)
    public void engineSmallFrames(Engine e, Blackhole bh) {
        Connection c = e.connection;
        Source s = e.stream;
        int chunk = e.chunk;
        long now = e.now;
        switch (e.source) {
            case "heap", "direct" -> {
                ByteBuffer buf = e.source.equals("heap") ? s.heap : s.direct;
                int end = buf.capacity();
                for (int from = 0; from < end; from += chunk) {
                    c.onBytes(Endpoint.REMOTE, now += 1_000, buf, from, Math.min(from + chunk, end));
                }
            }
            case "array" -> {
                byte[] buf = s.array;
                int end = buf.length;
                for (int off = 0; off < end; off += chunk) {
                    c.onBytes(Endpoint.REMOTE, now += 1_000, buf, off, Math.min(chunk, end - off));
                }
            }
            default -> throw new IllegalArgumentException("source " + e.source);
        }
        e.now = now;
        bh.consume(e.observer.frames);
        bh.consume(e.observer.lengths);
    }
}
