package io.wstap.agent.tap;

import io.wstap.capture.CaptureHeader;
import io.wstap.capture.CaptureWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the agent costs a call on a socket that is not WebSocket (a database driver's, a plain HTTP client's): the
 * tap's part of a hooked write (entry and exit) and of a hooked read, on a real connected {@link SocketChannel} that
 * the tap itself has classified as not WebSocket, with {@code others} more such sockets in the connection table.
 * Issue #8's goal: at most 20 ns per call. {@code noRuntime} is the same write before the agent is live (the floor:
 * a volatile read and a return).
 *
 * <pre>
 * mvn -B -pl agent -Pbench verify -Djmh.args="TapBenchmark -prof gc"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TapBenchmark {
    /** Other non-WebSocket sockets in the table (a busy service: a pool of database connections and more). */
    @Param({"0", "10000"})
    public int others;

    private Path dir;
    private TapRuntime runtime;
    private ServerSocketChannel listener;
    private SocketChannel socket;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(64);
    private final byte[] bytes = new byte[64];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("wstap-tap-bench");
        CaptureWriter writer = CaptureWriter.create(dir.resolve("bench.wstap"), CaptureHeader.forThisJvm(""), 0);
        runtime = new TapRuntime(writer, 1024, 0, Set.of(), Set.of(), false, "none", "keep");
        runtime.start();
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        socket = SocketChannel.open(listener.getLocalAddress());
        // The tap's own classification, from the first bytes of a plain HTTP request that is no upgrade.
        ByteBuffer get = ByteBuffer.wrap("GET /health HTTP/1.1\r\nHost: db\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Tap.onWriteStart(socket, get, 0, get.limit());
        if (runtime.table.get(socket) != Tap.IGNORED) {
            throw new IllegalStateException("the tap did not classify a plain HTTP request as not WebSocket");
        }
        for (int i = 0; i < others; i++) {
            runtime.table.put(new Object(), Tap.IGNORED); // keys are identities: any object stands for a socket
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        runtime.stop();
        socket.close();
        listener.close();
        deleteFlatDirectory(dir);
    }

    /** Removes a benchmark's temporary directory and the capture files in it. */
    static void deleteFlatDirectory(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    /** A SocketChannel write: the hook's entry (bytes offered) and exit (all of them written). */
    @Benchmark
    public void write() {
        Tap.onWriteStart(socket, buf, 0, 64);
        Tap.onWriteEnd(socket, 64, 64);
    }

    /** A SocketChannel read that filled 64 bytes. */
    @Benchmark
    public void read() {
        Tap.onRead(socket, buf, 0, 64);
    }

    /** A write through a blocking socket's stream (byte[]), as OkHttp or a JDBC driver writes. */
    @Benchmark
    public void writeArray() {
        Tap.onWriteStart(socket, bytes, 0, 64);
    }

    /** The same write before the agent is live: what the inlined hook costs with nothing behind it. */
    @Benchmark
    public void noRuntime(Detached d) {
        Tap.onWriteStart(socket, buf, 0, 64);
        Tap.onWriteEnd(socket, 64, 64);
    }

    /** Takes the runtime away for {@code noRuntime}, and puts it back after each iteration. */
    @State(Scope.Benchmark)
    public static class Detached {
        private TapRuntime saved;

        @Setup(Level.Iteration)
        public void detach() {
            saved = Tap.runtime;
            Tap.runtime = null;
        }

        @TearDown(Level.Iteration)
        public void attach() {
            Tap.runtime = saved;
        }
    }
}
