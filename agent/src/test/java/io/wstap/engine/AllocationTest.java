package io.wstap.engine;

import io.wstap.wire.Frame;
import io.wstap.wire.FrameScanner;
import io.wstap.wire.FrameSink;
import io.wstap.wire.Frames;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state scanning allocates nothing per frame (docs/engine.md, "Memory per connection"): after a warm-up, feeding
 * 1 M small valid frames in 8 KiB chunks, from byte[], heap and direct buffers, through a real {@link Connection} (byte
 * path, real handshake) and through a bare {@link FrameScanner}, allocates less than 1 % of a byte per frame in total,
 * which tolerates a one-off allocation by the measurement itself and nothing per frame.
 *
 * <p>Measured with {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()} on the test's own thread.
 * Close frames are left out: the first Close of each side allocates its {@code CloseRecord}, by design.
 */
class AllocationTest {
    static final int CHUNK = 8 * 1024;
    /** Frames per pass over the streams, both directions together. */
    static final int FRAMES_PER_PASS = 100_000;
    static final long MEASURED_FRAMES = 1_000_000;
    /** Less than 1 % of a byte per frame over the measured frames. */
    static final long MAX_ALLOCATED = MEASURED_FRAMES / 100;
    static final int WARM_UP_PASSES = 4;

    static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Where the bytes come from. */
    enum Source { BYTE_ARRAY, HEAP_BUFFER, DIRECT_BUFFER }

    /** One direction's frames, in the three kinds of memory, and how many frames they hold. */
    static final class Stream {
        final byte[] array;
        final ByteBuffer heap;
        final ByteBuffer direct;
        final int frames;

        Stream(byte[] bytes, int frames) {
            this.array = bytes;
            this.heap = ByteBuffer.allocate(bytes.length).put(bytes).clear();
            this.direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).clear();
            this.frames = frames;
        }

        int length() {
            return array.length;
        }
    }

    /** Masked client frames (6-byte headers). */
    static Stream clientFrames;
    /** Unmasked server frames (2-byte headers). */
    static Stream serverFrames;
    /** hixie-76 text and binary frames. */
    static Stream hixieFrames;

    @BeforeAll
    static void buildStreams() {
        assertTrue(MX.isThreadAllocatedMemorySupported(), "this JVM cannot measure per-thread allocation");
        MX.setThreadAllocatedMemoryEnabled(true);
        clientFrames = rfc6455(FRAMES_PER_PASS / 2, true, 1);
        serverFrames = rfc6455(FRAMES_PER_PASS / 2, false, 2);
        hixieFrames = hixie76(FRAMES_PER_PASS / 2, 3);
    }

    // ---- the engine -----------------------------------------------------------------------------------------------

    @Test
    void connectionAllocatesNothingPerFrame() {
        List<Executable> checks = new ArrayList<>();
        for (boolean checkText : new boolean[] {false, true}) {
            EngineOptions options = EngineOptions.DEFAULTS.withCheckText(checkText);
            for (Source source : Source.values()) {
                Connection c = openConnection(options);
                long framesPerPass = clientFrames.frames + serverFrames.frames;
                for (int k = 0; k < WARM_UP_PASSES; k++) {
                    for (Source warm : Source.values()) {
                        pass(c, warm);
                    }
                }
                int passes = (int) ((MEASURED_FRAMES + framesPerPass - 1) / framesPerPass);
                long before = MX.getCurrentThreadAllocatedBytes();
                for (int k = 0; k < passes; k++) {
                    pass(c, source);
                }
                long allocated = MX.getCurrentThreadAllocatedBytes() - before;
                long measured = passes * framesPerPass;
                String what = "Connection (checkText " + checkText + ") from " + source;
                report(what, allocated, measured);

                Reconstruction r = c.reconstruction();
                long expected = (WARM_UP_PASSES * Source.values().length + passes) * framesPerPass;
                checks.add(() -> assertEquals(expected, r.localFrames() + r.remoteFrames(), what + ": frames counted"));
                checks.add(() -> assertEquals(List.of(), r.findings(), what + ": the traffic is valid"));
                checks.add(() -> assertEquals(Connection.Phase.OPEN, c.phase(), what));
                checks.add(() -> assertTrue(allocated < MAX_ALLOCATED, what + ": allocated " + allocated + " bytes over "
                        + measured + " frames (" + perFrame(allocated, measured) + " B/frame); expected 0 per frame, < "
                        + MAX_ALLOCATED + " bytes in all"));
            }
        }
        assertAll(checks);
    }

    /** A connection opened through the byte path with the RFC's sample handshake; LOCAL is the client. */
    static Connection openConnection(EngineOptions options) {
        return openConnection(options, "", "");
    }

    static Connection openConnection(EngineOptions options, String requestHeaders, String responseHeaders) {
        Connection c = new Connection(1, options, ConnectionObserver.NONE);
        byte[] request = Script.ascii(Script.request(requestHeaders));
        byte[] response = Script.ascii(Script.response(responseHeaders));
        c.onBytes(Endpoint.LOCAL, 1, request, 0, request.length);
        c.onBytes(Endpoint.REMOTE, 2, response, 0, response.length);
        assertEquals(Connection.Phase.OPEN, c.phase());
        return c;
    }

    /** Both directions once, interleaved, in 8 KiB chunks. */
    static void pass(Connection c, Source source) {
        pass(c, clientFrames, serverFrames, source);
    }

    static void pass(Connection c, Stream client, Stream server, Source source) {
        int ci = 0;
        int si = 0;
        long t = 10;
        while (ci < client.length() || si < server.length()) {
            if (ci < client.length()) {
                int n = Math.min(CHUNK, client.length() - ci);
                feed(c, Endpoint.LOCAL, t++, client, source, ci, n);
                ci += n;
            }
            if (si < server.length()) {
                int n = Math.min(CHUNK, server.length() - si);
                feed(c, Endpoint.REMOTE, t++, server, source, si, n);
                si += n;
            }
        }
    }

    static void feed(Connection c, Endpoint from, long t, Stream s, Source source, int off, int n) {
        switch (source) {
            case BYTE_ARRAY -> c.onBytes(from, t, s.array, off, n);
            case HEAP_BUFFER -> c.onBytes(from, t, s.heap, off, off + n);
            case DIRECT_BUFFER -> c.onBytes(from, t, s.direct, off, off + n);
        }
    }

    // ---- a misbehaving peer ---------------------------------------------------------------------------------------

    /**
     * A peer that breaks a rule on every frame (the other side is clean). The rule is reported once; later occurrences
     * only count on the finding, and messages are built only the first time (Connection#breaks, docs/engine.md): "a
     * misbehaving peer costs one allocation, not one per frame".
     *
     * @param rules the rules raised (each once), by id
     */
    record Misbehaviour(String name, String requestHeaders, String responseHeaders, boolean checkText, Set<String> rules,
                        IntFunction<byte[]> client, IntFunction<byte[]> server) {
    }

    static List<Misbehaviour> misbehaviours() {
        int[] keys = {0};
        IntFunction<byte[]> cleanClient = k -> Frames.frame(true, Opcode.BINARY, key(true, keys), new byte[k % 100]);
        IntFunction<byte[]> cleanServer = k -> Frames.frame(true, Opcode.BINARY, null, new byte[k % 100]);
        byte[] badUtf8 = {(byte) 0xC3, 0x28};
        String offer = Scenarios.DEFLATE_OFFER;
        String accept = Scenarios.DEFLATE_ACCEPT;
        return List.of(
                new Misbehaviour("WS101 unmasked client frames", "", "", false, Set.of("WS101"),
                        k -> Frames.frame(true, Opcode.BINARY, null, new byte[k % 100]), cleanServer),
                new Misbehaviour("WS102 masked server frames", "", "", false, Set.of("WS102"), cleanClient,
                        k -> Frames.frame(true, Opcode.BINARY, key(true, keys), new byte[k % 100])),
                new Misbehaviour("WS103 pings of 126 bytes", "", "", false, Set.of("WS103"), cleanClient,
                        k -> Frames.frame(true, Opcode.PING, null, new byte[126])),
                new Misbehaviour("WS104 pings without FIN", "", "", false, Set.of("WS104"), cleanClient,
                        k -> Frames.frame(false, Opcode.PING, null, new byte[k % 100])),
                new Misbehaviour("WS105 reserved opcode 0x3", "", "", false, Set.of("WS105"), cleanClient,
                        k -> Frames.frame(true, 0x3, null, new byte[k % 100])),
                new Misbehaviour("WS106 RSV1 without permessage-deflate", "", "", false, Set.of("WS106"), cleanClient,
                        k -> Frames.frame(true, 4, Opcode.BINARY, null, new byte[k % 100], Frames.AUTO)),
                new Misbehaviour("WS106 RSV2 without an extension", "", "", false, Set.of("WS106"), cleanClient,
                        k -> Frames.frame(true, 2, Opcode.BINARY, null, new byte[k % 100], Frames.AUTO)),
                new Misbehaviour("WS106 RSV1 on pings with permessage-deflate", offer, accept, false, Set.of("WS106"),
                        cleanClient, k -> Frames.frame(true, 4, Opcode.PING, null, new byte[k % 100], Frames.AUTO)),
                new Misbehaviour("WS106 RSV1 on continuations with permessage-deflate", offer, accept, false,
                        Set.of("WS106"), cleanClient, k -> Frames.frame(k % 2 == 1, 4,
                                k % 2 == 0 ? Opcode.TEXT : Opcode.CONTINUATION, null, new byte[k % 100], Frames.AUTO)),
                new Misbehaviour("WS107 lone continuations", "", "", false, Set.of("WS107"), cleanClient,
                        k -> Frames.frame(true, Opcode.CONTINUATION, null, new byte[k % 100])),
                new Misbehaviour("WS108 interleaved data frames", "", "", false, Set.of("WS108"), cleanClient,
                        k -> Frames.frame(k % 2 == 1, k % 2 == 0 ? Opcode.TEXT : Opcode.BINARY, null, new byte[k % 100])),
                new Misbehaviour("WS109 non-minimal lengths", "", "", false, Set.of("WS109"), cleanClient,
                        k -> Frames.frame(true, 0, Opcode.BINARY, null, new byte[k % 100], Frames.LEN64)),
                new Misbehaviour("WS110 one masking key for every frame", "", "", false, Set.of("WS110"),
                        k -> Frames.frame(true, Opcode.BINARY, 0x0BADF00D, new byte[k % 100]), cleanServer),
                new Misbehaviour("WS111 invalid UTF-8 text", "", "", true, Set.of("WS111"), cleanClient,
                        k -> Frames.frame(true, Opcode.TEXT, null, badUtf8)),
                new Misbehaviour("WS303 data after Close", "", "", false, Set.of("WS303"), cleanClient,
                        k -> k == 0 ? Frames.close(1000, "", null) : Frames.frame(true, Opcode.BINARY, null, new byte[k % 100])),
                new Misbehaviour("Close frames repeated (with a reason)", "", "", false, Set.of(), cleanClient,
                        k -> Frames.close(1000, "bye", null)));
    }

    @Test
    void misbehavingPeerAllocatesNothingPerFrame() {
        List<Executable> checks = new ArrayList<>();
        for (Misbehaviour m : misbehaviours()) {
            Stream client = stream(FRAMES_PER_PASS / 2, m.client());
            Stream server = stream(FRAMES_PER_PASS / 2, m.server());
            Connection c = openConnection(EngineOptions.DEFAULTS.withCheckText(m.checkText()), m.requestHeaders(),
                    m.responseHeaders());
            long framesPerPass = client.frames + server.frames;
            for (int k = 0; k < WARM_UP_PASSES; k++) {
                pass(c, client, server, Source.BYTE_ARRAY);
            }
            int passes = (int) ((MEASURED_FRAMES + framesPerPass - 1) / framesPerPass);
            long before = MX.getCurrentThreadAllocatedBytes();
            for (int k = 0; k < passes; k++) {
                pass(c, client, server, Source.BYTE_ARRAY);
            }
            long allocated = MX.getCurrentThreadAllocatedBytes() - before;
            long measured = passes * framesPerPass;
            String what = "misbehaving peer: " + m.name();
            report(what, allocated, measured);

            List<Finding> findings = c.findings();
            Set<String> raised = new TreeSet<>();
            findings.forEach(f -> raised.add(f.rule().id()));
            checks.add(() -> assertEquals(new TreeSet<>(m.rules()), raised, what + ": findings " + findings));
            checks.add(() -> assertEquals(m.rules().size(), findings.size(), what + ": one finding per rule " + findings));
            checks.add(() -> assertTrue(allocated < MAX_ALLOCATED, what + ": allocated " + allocated + " bytes over "
                    + measured + " frames (" + perFrame(allocated, measured) + " B/frame); expected 0 per frame, < "
                    + MAX_ALLOCATED + " bytes in all"));
        }
        assertAll(checks);
    }

    /** {@code frames} frames, frame {@code k} from {@code frame.apply(k)}. */
    static Stream stream(int frames, IntFunction<byte[]> frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int k = 0; k < frames; k++) {
            write(out, frame.apply(k));
        }
        return new Stream(out.toByteArray(), frames);
    }

    // ---- the bare scanner -----------------------------------------------------------------------------------------

    /** Counts what it is told, nothing more. */
    static final class CountingSink implements FrameSink {
        long frames;
        long invalidText;

        @Override
        public void onFrame(Frame frame) {
            frames++;
        }

        @Override
        public void onInvalidText(long offset) {
            invalidText++;
        }
    }

    @Test
    void frameScannerAllocatesNothingPerFrame() {
        List<Executable> checks = new ArrayList<>();
        for (FrameScanner.Mode mode : FrameScanner.Mode.values()) {
            for (boolean checkText : new boolean[] {false, true}) {
                for (Source source : Source.values()) {
                    Stream[] streams = mode == FrameScanner.Mode.RFC6455
                            ? new Stream[] {clientFrames, serverFrames} : new Stream[] {hixieFrames};
                    CountingSink sink = new CountingSink();
                    FrameScanner[] scanners = new FrameScanner[streams.length];
                    long framesPerPass = 0;
                    for (int k = 0; k < streams.length; k++) {
                        scanners[k] = new FrameScanner(sink, mode, checkText);
                        framesPerPass += streams[k].frames;
                    }
                    for (int k = 0; k < WARM_UP_PASSES; k++) {
                        for (Source warm : Source.values()) {
                            scanPass(scanners, streams, warm);
                        }
                    }
                    int passes = (int) ((MEASURED_FRAMES + framesPerPass - 1) / framesPerPass);
                    long before = MX.getCurrentThreadAllocatedBytes();
                    for (int k = 0; k < passes; k++) {
                        scanPass(scanners, streams, source);
                    }
                    long allocated = MX.getCurrentThreadAllocatedBytes() - before;
                    long measured = passes * framesPerPass;
                    String what = "FrameScanner " + mode + " (checkText " + checkText + ") from " + source;
                    report(what, allocated, measured);

                    long expected = (WARM_UP_PASSES * Source.values().length + passes) * framesPerPass;
                    checks.add(() -> assertEquals(expected, sink.frames, what + ": frames seen"));
                    checks.add(() -> assertEquals(0, sink.invalidText, what + ": the text is valid"));
                    checks.add(() -> assertTrue(allocated < MAX_ALLOCATED, what + ": allocated " + allocated
                            + " bytes over " + measured + " frames (" + perFrame(allocated, measured)
                            + " B/frame); expected 0 per frame, < " + MAX_ALLOCATED + " bytes in all"));
                }
            }
        }
        assertAll(checks);
    }

    private static final int[] POSITIONS = new int[2];

    /** Every stream once, each to its own scanner, interleaved, in 8 KiB chunks. */
    static void scanPass(FrameScanner[] scanners, Stream[] streams, Source source) {
        int[] at = POSITIONS; // reused: the measured loop itself allocates nothing
        Arrays.fill(at, 0);
        boolean more = true;
        while (more) {
            more = false;
            for (int k = 0; k < streams.length; k++) {
                Stream s = streams[k];
                if (at[k] < s.length()) {
                    int n = Math.min(CHUNK, s.length() - at[k]);
                    switch (source) {
                        case BYTE_ARRAY -> scanners[k].scan(s.array, at[k], n);
                        case HEAP_BUFFER -> scanners[k].scan(s.heap, at[k], at[k] + n);
                        case DIRECT_BUFFER -> scanners[k].scan(s.direct, at[k], at[k] + n);
                    }
                    at[k] += n;
                    more |= at[k] < s.length();
                }
            }
        }
    }

    // ---- the traffic ----------------------------------------------------------------------------------------------

    /**
     * {@code frames} valid frames: mostly text and binary with 0-125 payload bytes, some Ping and Pong, and fragmented
     * messages (continuation frames, a Ping between fragments). Client frames are masked, each with a fresh non-zero key
     * (also across the wrap from the last frame to the first, since the stream is fed again and again).
     */
    static Stream rfc6455(int frames, boolean masked, long seed) {
        Random r = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] keys = {0};
        int count = 0;
        while (count < frames) {
            int kind = r.nextInt(100);
            if (kind < 80) {
                int op = r.nextBoolean() ? Opcode.TEXT : Opcode.BINARY;
                write(out, Frames.frame(true, op, key(masked, keys), payload(r, 126)));
                count++;
            } else if (kind < 88) {
                write(out, Frames.frame(true, Opcode.PING, key(masked, keys), payload(r, 126)));
                count++;
            } else if (kind < 92) {
                write(out, Frames.frame(true, Opcode.PONG, key(masked, keys), payload(r, 126)));
                count++;
            } else {
                int op = r.nextBoolean() ? Opcode.TEXT : Opcode.BINARY;
                write(out, Frames.frame(false, op, key(masked, keys), payload(r, 60)));
                count++;
                if (r.nextBoolean()) {
                    write(out, Frames.frame(true, Opcode.PING, key(masked, keys), payload(r, 10)));
                    count++;
                }
                int middle = r.nextInt(3);
                for (int k = 0; k < middle; k++) {
                    write(out, Frames.frame(false, Opcode.CONTINUATION, key(masked, keys), payload(r, 60)));
                    count++;
                }
                write(out, Frames.frame(true, Opcode.CONTINUATION, key(masked, keys), payload(r, 60)));
                count++;
            }
        }
        return new Stream(out.toByteArray(), count);
    }

    /** hixie-76 frames: text (00 ... FF) and binary (80, 7-bit length groups, payload). */
    static Stream hixie76(int frames, long seed) {
        Random r = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int k = 0; k < frames; k++) {
            if (r.nextInt(4) == 0) {
                write(out, Frames.hixieBinary(r.nextInt(300)));
            } else {
                write(out, Frames.concat(new byte[] {0}, payload(r, 126), new byte[] {(byte) 0xFF}));
            }
        }
        return new Stream(out.toByteArray(), frames);
    }

    /** Printable ASCII (valid UTF-8, never 0xFF), 0 to {@code bound - 1} bytes. */
    static byte[] payload(Random r, int bound) {
        byte[] p = new byte[r.nextInt(bound)];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (0x20 + r.nextInt(0x5F));
        }
        return p;
    }

    /** The next masking key (distinct, non-zero), or null for an unmasked frame. */
    static Integer key(boolean masked, int[] counter) {
        if (!masked) {
            return null;
        }
        counter[0]++;
        return (int) (0x9E3779B9L * counter[0]); // odd multiplier: distinct and non-zero for 2^32 - 1 frames
    }

    static void write(ByteArrayOutputStream out, byte[] b) {
        out.write(b, 0, b.length);
    }

    static void report(String what, long allocated, long frames) {
        System.out.printf("AllocationTest: %-60s %,8d bytes allocated over %,d frames (%.6f B/frame)%n",
                what, allocated, frames, (double) allocated / frames);
    }

    static String perFrame(long allocated, long frames) {
        return String.format("%.6f", (double) allocated / frames);
    }
}
