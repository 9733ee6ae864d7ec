package io.wstap.agent.tap;

import io.wstap.capture.CaptureHeader;
import io.wstap.capture.IgnoringSink;
import io.wstap.capture.CaptureSink;
import io.wstap.capture.CaptureWriter;
import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import io.wstap.wire.Frame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What wstap costs per small WebSocket message on a saturated server core, and where it goes.
 *
 * <p>{@code echo}: all of it. The hooked read of one masked 64-byte text frame and the hooked write of the unmasked
 * answer, on a real connected {@link SocketChannel} the tap has seen upgrade to WebSocket, and the writer's work for
 * the two records (ring drain, encoding, CRC, file writes), done on the same thread every {@value #BATCH} records:
 * the host benchmark pins the server to one core, so the writer thread's work is taken from the application's there
 * too, and one thread measures both without a second thread's noise. {@code echoNoEncode}: the same with the records
 * dropped at the drain (the tap and the ring, no encoding, no file). {@code writerPerRecord}: the writer's part alone,
 * per frame record (the ring is filled and drained on this thread, the filling not counted apart);
 * {@code ringPerRecord} the same into a sink that does nothing (the ring's put and drain). With {@code -p evictKiB=64}
 * each message first writes 64 KiB of other memory, as a server's kernel and library work does between two messages
 * of one connection: the tap's state is then as cold as in a real server ({@code evictOnly} is that walk alone, to
 * subtract). With {@code -p connections=2048} the messages go round that many connections, whose state then does not
 * fit the core's caches either, with no walk to subtract (the finer measure). With {@code -p otherCode=400} as well,
 * generated code runs between two messages as a server's own does, so that one message's misses no longer overlap
 * with the next one's: the model closest to a server ({@code otherCodeOnly} to subtract). Numbers in
 * docs/benchmarks.md.
 *
 * <pre>
 * mvn -B -pl agent -Pbench verify -Djmh.args="FramePathBenchmark -prof gc"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FramePathBenchmark {
    static final int PAYLOAD = 64;
    private static final int BATCH = 256;

    /**
     * KiB of other memory written between two messages (0: none), as a server's kernel and library work does: with it
     * the tap's state and the ring are as cold as in a real server, and {@code evictOnly} is the walk alone.
     */
    @Param({"0"})
    public int evictKiB;
    private long[] evict;

    /**
     * Connections the messages go round, each upgraded the same way (1: the channel's alone; the others are keyed by
     * plain objects, as the table only sees identities). With a few thousand, each message finds its connection's
     * state out of the core's caches, as on a busy server, with no eviction walk to subtract.
     */
    @Param({"1"})
    public int connections;
    private Object[] keys;

    /**
     * Distinct generated methods run before each message (0: none), as a server's own code runs between two: with a
     * few hundred one message's misses no longer overlap with the next one's, as in a server ({@code otherCodeOnly}
     * is that code alone, to subtract). See {@link OtherCode}.
     */
    @Param({"0"})
    public int otherCode;
    private OtherCode other;
    /** Keeps the result of the other code. */
    public long otherResult;
    private int next;
    /** Keeps the benchmark's read of each key (see echoOnce). */
    public int keyHashes;

    /** The ring's size in 64-byte units, as the agent's {@code ring} option (its default). */
    @Param({"65536"})
    public int ringUnits;

    private Path dir;
    private TapRuntime runtime;
    private CaptureWriter echoFile;
    private int echoed;
    private LoopbackChannels channels;
    /** The client's masked frame as the server reads it, and the server's unmasked answer. */
    private final ByteBuffer in = ByteBuffer.allocateDirect(2 + 4 + PAYLOAD);
    private final ByteBuffer out = ByteBuffer.allocateDirect(2 + PAYLOAD);
    private int maskSeed = 0x1234567;

    // writerPerRecord: a ring and a capture file of its own, drained on this thread
    private Recorder ring;
    private CaptureWriter file;
    private final Frame frame = new Frame();
    private final Frame drainView = new Frame();
    private final byte[] closeScratch = new byte[Frame.MAX_CONTROL_PAYLOAD];
    private long time;
    private int inBatch;
    private long localOffset = 1_000, remoteOffset = 1_000;

    @Setup(Level.Trial)
    public void setUp() throws IOException, ReflectiveOperationException {
        evict = new long[evictKiB * 1024 / Long.BYTES];
        dir = Files.createTempDirectory("wstap-frame-bench");
        echoFile = CaptureWriter.create(dir.resolve("echo.wstap"), CaptureHeader.forThisJvm(""), 0);
        runtime = new TapRuntime(echoFile, ringUnits, 0, Set.of(), Set.of(), false, "none", "keep");
        Tap.runtime = runtime; // live hooks, no writer thread: echo drains on its own thread
        if (otherCode > 0) {
            other = new OtherCode(otherCode, dir);
        }
        channels = new LoopbackChannels();
        keys = new Object[connections];
        keys[0] = channels.server;
        for (int k = 1; k < connections; k++) {
            keys[k] = new Object();
        }
        for (Object key : keys) {
            // The opening handshake as the server sees it: the request read, the 101 written.
            read(key, ascii("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
            write(key, ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"));
            if (!(runtime.table.get(key) instanceof TapConnection c) || c.ignored()) {
                throw new IllegalStateException("the tap did not take the upgrade as WebSocket");
            }
        }
        in.put(0, (byte) 0x81).put(1, (byte) (0x80 | PAYLOAD));
        out.put(0, (byte) 0x81).put(1, (byte) PAYLOAD);

        ring = new Recorder(1024, Recorder.Reasons.KEEP);
        file = CaptureWriter.create(dir.resolve("writer.wstap"), CaptureHeader.forThisJvm(""), 0);
        file.connection(1, 0, "127.0.0.1:1", "127.0.0.1:2", Transport.PLAIN);
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static void read(Object key, ByteBuffer b) {
        Tap.onRead(key, b, 0, b.limit());
    }

    private static void write(Object key, ByteBuffer b) {
        Tap.onWriteStart(key, b, 0, b.limit());
        Tap.onWriteEnd(key, b.limit(), b.limit());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Tap.runtime = null;
        runtime.recorder.drain(echoFile, drainView, closeScratch);
        echoFile.close();
        file.close();
        channels.close();
        TapBenchmark.deleteFlatDirectory(dir);
    }

    /** One echoed message on the server's thread: a 70-byte read (masked 64-byte text) and a 66-byte write. */
    @Benchmark
    public void echo() {
        echoOnce(echoFile);
    }

    /** As {@link #echo}, the records drained into a sink that does nothing: the tap and the ring, no capture file. */
    @Benchmark
    public void echoNoEncode() {
        echoOnce(DROP);
    }

    private static final CaptureSink DROP = new IgnoringSink();

    /** The eviction walk alone: subtract it from {@code echo} and {@code echoNoEncode} at the same {@code evictKiB}. */
    @Benchmark
    public long evictOnly() {
        return walk();
    }

    /** The other code alone: subtract it from {@code echo} and {@code echoNoEncode} at the same {@code otherCode}. */
    @Benchmark
    public long otherCodeOnly() {
        runOtherCode();
        return otherResult;
    }

    // Not inlined: it stands for other methods' code, and the benchmark's compiled method stays the tap's path alone.
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private void runOtherCode() {
        if (other != null) {
            otherResult = other.run(otherResult + next);
        }
    }

    /** Writes one long per cache line of {@link #evict}. */
    private long walk() {
        long[] e = evict;
        for (int i = 0; i < e.length; i += 8) {
            e[i]++;
        }
        return e.length;
    }

    private void echoOnce(CaptureSink sink) {
        walk();
        runOtherCode();
        maskSeed = maskSeed * 0x9E3779B9 + 1; // clients pick a fresh mask per frame (§5.3)
        in.putInt(2, maskSeed);
        Object key = keys[next];
        next = next + 1 == keys.length ? 0 : next + 1;
        keyHashes += key.hashCode(); // the hooked JDK method has its channel in cache: so must the benchmark
        Tap.onRead(key, in, 0, 2 + 4 + PAYLOAD);
        Tap.onWriteStart(key, out, 0, 2 + PAYLOAD);
        Tap.onWriteEnd(key, 2 + PAYLOAD, 2 + PAYLOAD);
        if (++echoed == BATCH / 2) {
            echoed = 0;
            runtime.recorder.drain(sink, drainView, closeScratch);
        }
    }

    /** One frame record through the writer thread's work: ring slot filled (not counted apart) and drained to a file. */
    @Benchmark
    public void writerPerRecord() {
        recordThrough(file);
    }

    /** As {@link #writerPerRecord}, drained into a sink that does nothing: the ring's part (put and drain) alone. */
    @Benchmark
    public void ringPerRecord() {
        recordThrough(DROP);
    }

    private void recordThrough(CaptureSink sink) {
        time += 1_000;
        // Alternately the client's masked frame and the server's answer, each at its stream's next offset.
        boolean fromClient = (inBatch & 1) == 0;
        long offset = fromClient ? (remoteOffset += 2 + 4 + PAYLOAD) : (localOffset += 2 + PAYLOAD);
        frame.set(true, 0, 1, fromClient, fromClient ? (int) time : 0, PAYLOAD, fromClient ? 6 : 2, offset, false, false,
                false, closeScratch, 0, 0);
        ring.putFrame(1, time, fromClient ? Endpoint.REMOTE : Endpoint.LOCAL, frame, -1);
        if (++inBatch == BATCH) {
            inBatch = 0;
            ring.drain(sink, drainView, closeScratch);
        }
    }
}
