package io.wstap.engine;

import io.wstap.wire.Frame;
import io.wstap.wire.FrameScanner;
import io.wstap.wire.FrameSink;
import io.wstap.wire.HttpHead;
import io.wstap.wire.HttpHeadParser;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

import static io.wstap.engine.Scenarios.CHINESE_REASON;
import static io.wstap.engine.Scenarios.DEFLATE_ACCEPT;
import static io.wstap.engine.Scenarios.DEFLATE_OFFER;
import static io.wstap.engine.Scenarios.HIXIE_REQUEST;
import static io.wstap.engine.Scenarios.HIXIE_RESPONSE;
import static io.wstap.engine.Scenarios.mk;
import static io.wstap.engine.Script.ascii;
import static io.wstap.wire.Frames.AUTO;
import static io.wstap.wire.Frames.LEN16;
import static io.wstap.wire.Frames.LEN64;
import static io.wstap.wire.Frames.binary;
import static io.wstap.wire.Frames.close;
import static io.wstap.wire.Frames.concat;
import static io.wstap.wire.Frames.frame;
import static io.wstap.wire.Frames.hex;
import static io.wstap.wire.Frames.hixieBinary;
import static io.wstap.wire.Frames.hixieClose;
import static io.wstap.wire.Frames.hixieText;
import static io.wstap.wire.Frames.text;
import static io.wstap.wire.Frames.utf8;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated byte streams through the real engine, the bare frame scanner and the HTTP head parser: nothing
 * throws, nothing loops, every call makes exactly the progress it must, and memory stays bounded.
 *
 * <p>Inputs are pure random bytes, and mutations (bit flips, byte replacements, insertions, deletions, truncation,
 * duplicated slices, inserted 0x00/0xFF/0x7E/0x7F/0x88) of real traffic built like the {@link Scenarios} catalogue's.
 * They are fed split at random points over byte[], heap (plain, sliced, read-only) and direct buffers, both directions
 * interleaved, with random TCP ends, sometimes after {@code joinMidStream}, always ending with
 * {@code onEndOfCapture} and {@code reconstruction()}.
 *
 * <p>{@code wstap.fuzz.iterations} inputs per test (100 k by default, 10 M under {@code -Pfuzz}). Every input is
 * reproducible from the printed seed and its iteration: {@code -Dwstap.fuzz.seed=S -Dwstap.fuzz.from=I
 * -Dwstap.fuzz.iterations=1}.
 */
class FuzzTest {
    static final long ITERATIONS = Long.getLong("wstap.fuzz.iterations", 100_000);
    static final long SEED = Long.getLong("wstap.fuzz.seed", new SplittableRandom().nextLong());
    static final long FROM = Long.getLong("wstap.fuzz.from", 0);

    /** 5 minutes for the default 100 k inputs, proportionally more for longer runs. */
    static final Duration TIMEOUT = Duration.ofMillis(Math.max(300_000, ITERATIONS * 3));

    /** Chunks fed in one call never exceed this; the reused buffers hold a chunk plus padding. */
    static final int MAX_CHUNK = 16 * 1024;
    /** Mutated inputs are cut back to this. */
    static final int MAX_INPUT = 8 * 1024;
    /** Shown of an input in a failure message. */
    static final int HEX_SHOWN = 512;

    static final byte[] SPECIAL = {0x00, (byte) 0xFF, 0x7E, 0x7F, (byte) 0x88};

    /** One connection's real traffic: each direction's head (empty when joined mid-stream) and frames. */
    record Traffic(String name, byte[] clientHead, byte[] clientFrames, byte[] serverHead, byte[] serverFrames,
                   boolean joined, Role joinedAs, Protocol joinedProtocol) {
        boolean hixie() {
            return joined ? joinedProtocol == Protocol.HIXIE76 : new String(clientHead, StandardCharsets.ISO_8859_1)
                    .contains("Sec-WebSocket-Key1");
        }
    }

    static final List<Traffic> CORPUS = corpus();
    static final List<byte[]> HEADS = heads();

    /** What the running input is, for the message of a timeout (a hang is reported with the input that hung). */
    private static volatile Running current;

    /** An input, described only when a failure or a timeout needs it (hex is not free at 100 k inputs). */
    interface Input {
        String describe();
    }

    record Running(String what, long iteration, Input input) {
        @Override
        public String toString() {
            return what + " iteration " + iteration + ": " + input.describe();
        }
    }

    @BeforeAll
    static void printSeed() {
        System.out.println("FuzzTest: seed " + SEED + ", iterations " + FROM + ".." + (FROM + ITERATIONS)
                + ", corpus " + CORPUS.size() + " connections, " + HEADS.size() + " heads"
                + " (reproduce with -Dwstap.fuzz.seed=" + SEED + ")");
    }

    // ---- the tests ------------------------------------------------------------------------------------------------

    @Test
    void corpusIsRealTraffic() {
        // Guards the corpus itself: unmutated, every connection opens (or is rejected), and frames are seen.
        for (Traffic t : CORPUS) {
            Connection c = new Connection(1);
            if (t.joined()) {
                c.joinMidStream(t.joinedAs(), t.joinedProtocol());
            }
            byte[] client = concat(t.clientHead(), t.clientFrames());
            byte[] server = concat(t.serverHead(), t.serverFrames());
            c.onBytes(Endpoint.LOCAL, 1, client, 0, client.length);
            c.onBytes(Endpoint.REMOTE, 2, server, 0, server.length);
            Reconstruction r = c.reconstruction();
            if (t.name().equals("not-websocket") || t.name().equals("tls-record")) {
                assertTrue(c.isIgnored() && !r.webSocket(), t.name());
                continue;
            }
            assertTrue(r.webSocket(), t.name());
            assertTrue(c.phase() == Connection.Phase.OPEN || c.phase() == Connection.Phase.REJECTED
                    || (c.phase() == Connection.Phase.AWAITING_RESPONSE && server.length == 0), t.name() + ": " + c.phase());
            assertTrue(c.phase() != Connection.Phase.OPEN || r.localFrames() + r.remoteFrames() > 0, t.name());
        }
    }

    @Test
    void engineNeitherThrowsNorLoopsOnRandomAndMutatedTraffic() {
        fuzz("engine", 1, (r, i) -> {
            EngineInput in = r.nextInt(4) == 0 ? randomEngineInput(r) : mutatedEngineInput(r);
            current = new Running("engine", i, in);
            runEngine(in, r, i);
        });
    }

    @Test
    void frameScannerAdvancesExactlyAndIgnoresSplits() {
        fuzz("scanner", 2, (r, i) -> {
            ScanInput in = scanInput(r);
            current = new Running("scanner", i, in);
            runScanner(in, r);
        });
    }

    @Test
    void httpHeadParserStaysWithinItsRangeAndIgnoresSplits() {
        fuzz("head parser", 3, (r, i) -> {
            HeadInput in = headInput(r);
            current = new Running("head parser", i, in);
            runHeadParser(in, r);
        });
    }

    // ---- the driver -----------------------------------------------------------------------------------------------

    interface Case {
        /** Builds one input from {@code r}, publishes it as {@link #current}, runs it; throws on a failure. */
        void run(Random r, long iteration) throws Exception;
    }

    /** {@link #ITERATIONS} inputs, each from its own Random, under one preemptive timeout. */
    private static void fuzz(String what, int salt, Case each) {
        long start = System.nanoTime();
        Executable all = () -> {
            for (long i = FROM; i < FROM + ITERATIONS; i++) {
                Random r = new Random(SEED * 0x9E3779B97F4A7C15L + salt * 0xBF58476D1CE4E5B9L + i);
                current = new Running(what, i, () -> "(input not built yet)");
                try {
                    each.run(r, i);
                } catch (Throwable e) {
                    throw new AssertionError(what + " failed; seed " + SEED + ", iteration " + i + " (rerun: -Dwstap.fuzz.seed="
                            + SEED + " -Dwstap.fuzz.from=" + i + " -Dwstap.fuzz.iterations=1)\n" + current + "\n" + e, e);
                }
            }
        };
        assertTimeoutPreemptively(TIMEOUT, all, () -> what + " did not finish within " + TIMEOUT + " (a loop?); seed "
                + SEED + "; running " + current);
        System.out.printf("FuzzTest: %s: %d inputs in %.1f s%n", what, ITERATIONS, (System.nanoTime() - start) / 1e9);
    }

    // ---- (a), (b): the engine -------------------------------------------------------------------------------------

    static final class EngineInput implements Input {
        String origin;
        byte[] client;
        byte[] server;
        boolean join;
        Role joinAs;
        Protocol joinProtocol;
        Endpoint clientEndpoint;
        boolean checkText;

        @Override
        public String describe() {
            return origin + (join ? ", joinMidStream(" + joinAs + ", " + joinProtocol + ")" : "")
                    + ", client is " + clientEndpoint + ", checkText " + checkText
                    + "\n  client bytes: " + toHex(client) + "\n  server bytes: " + toHex(server);
        }
    }

    static EngineInput randomEngineInput(Random r) {
        EngineInput in = new EngineInput();
        in.client = randomBytes(r, r.nextInt(400));
        in.server = randomBytes(r, r.nextInt(400));
        switch (r.nextInt(4)) {
            case 0 -> in.origin = "random bytes";
            case 1 -> {
                // Real heads, random frames: the framing paths see the randomness.
                boolean hixie = r.nextInt(4) == 0;
                in.client = concat(ascii(hixie ? HIXIE_REQUEST : Script.request("")), in.client);
                in.server = concat(ascii(hixie ? HIXIE_RESPONSE : Script.response("")), in.server);
                in.origin = "real " + (hixie ? "hixie-76 " : "") + "handshake, random frames";
            }
            default -> {
                in.join = true;
                in.joinAs = randomRole(r);
                in.joinProtocol = r.nextInt(3) == 0 ? Protocol.HIXIE76 : Protocol.RFC6455;
                in.origin = "random bytes joined mid-stream";
            }
        }
        in.clientEndpoint = r.nextBoolean() ? Endpoint.LOCAL : Endpoint.REMOTE;
        in.checkText = r.nextBoolean();
        return in;
    }

    static EngineInput mutatedEngineInput(Random r) {
        Traffic t = CORPUS.get(r.nextInt(CORPUS.size()));
        EngineInput in = new EngineInput();
        StringBuilder log = new StringBuilder("corpus ").append(t.name());
        byte[] client = concat(t.clientHead(), t.clientFrames());
        byte[] server = concat(t.serverHead(), t.serverFrames());
        int which = r.nextInt(3); // 0 client, 1 server, 2 both
        if (which != 1) {
            log.append("; client ");
            client = mutate(r, client, log);
        }
        if (which != 0) {
            log.append("; server ");
            server = mutate(r, server, log);
        }
        in.client = client;
        in.server = server;
        in.origin = log.toString();
        if (t.joined()) {
            in.join = true;
            in.joinAs = t.joinedAs();
            in.joinProtocol = t.joinedProtocol();
        } else if (r.nextInt(10) == 0) {
            in.join = true; // a late attach that guessed wrong: heads are read as frames
            in.joinAs = randomRole(r);
            in.joinProtocol = r.nextBoolean() ? Protocol.HIXIE76 : Protocol.RFC6455;
        }
        in.clientEndpoint = r.nextBoolean() ? Endpoint.LOCAL : Endpoint.REMOTE;
        in.checkText = r.nextBoolean();
        return in;
    }

    /** Checks every frame and invalid-text event against the bytes fed so far in its direction. */
    static final class Watch implements ConnectionObserver {
        /** Bytes fed per endpoint (ordinal), including the call in progress. */
        final long[] fed = new long[2];
        final long[] lastOffset = {-1, -1};
        long frames;
        String violation;

        @Override
        public void onFrame(Connection connection, Endpoint sender, long timeNanos, Frame f) {
            int k = sender.ordinal();
            long off = f.offset();
            if (off <= lastOffset[k] || off >= fed[k]) {
                violate("frame " + f + " from " + sender + " at offset " + off + ", not after the previous frame ("
                        + lastOffset[k] + ") and within the " + fed[k] + " bytes fed");
            }
            lastOffset[k] = off;
            if (f.closePayloadLength() < 0 || f.closePayloadLength() > Frame.MAX_CONTROL_PAYLOAD
                    || (f.opcode() != Opcode.CLOSE && f.closePayloadLength() != 0)) {
                violate("frame " + f + " keeps " + f.closePayloadLength() + " Close payload bytes");
            }
            if (!f.hixie() && (f.headerSize() < 2 || f.headerSize() > Frame.MAX_HEADER_SIZE)) {
                violate("frame " + f + " has a header of " + f.headerSize() + " bytes");
            }
            if (f.payloadLength() < 0 && !f.lengthOverflow()) {
                violate("frame " + f + " has a negative length without lengthOverflow");
            }
            frames++;
        }

        @Override
        public void onInvalidText(Connection connection, Endpoint sender, long timeNanos, long offset) {
            if (offset < 0 || offset >= fed[sender.ordinal()]) {
                violate("invalid text at offset " + offset + " from " + sender + ", beyond the " + fed[sender.ordinal()]
                        + " bytes fed");
            }
        }

        private void violate(String what) {
            if (violation == null) {
                violation = what;
            }
        }

        void check() {
            if (violation != null) {
                throw new AssertionError(violation);
            }
        }
    }

    /** One step of a connection's life: bytes of one direction at a time, or a TCP end. */
    record Step(boolean fromClient, int pos, int n, long timeNanos, Endpoint tcpBy, TcpEnd tcpHow) {
    }

    /** The bytes of both directions interleaved in random segments, with random TCP ends between them. */
    static List<Step> schedule(EngineInput in, Random r) {
        List<Step> steps = new ArrayList<>();
        int ci = 0;
        int si = 0;
        long t = r.nextInt(1_000_000);
        while (ci < in.client.length || si < in.server.length) {
            boolean fromClient = si >= in.server.length || (ci < in.client.length && r.nextBoolean());
            int pos = fromClient ? ci : si;
            int n = chunk(r, (fromClient ? in.client.length : in.server.length) - pos);
            t += r.nextInt(8) == 0 ? r.nextInt(1_500_000_000) : r.nextInt(100_000);
            steps.add(new Step(fromClient, pos, n, t, null, null));
            if (fromClient) {
                ci += n;
            } else {
                si += n;
            }
            if (r.nextInt(40) == 0) {
                steps.add(new Step(false, 0, 0, t, r.nextBoolean() ? Endpoint.LOCAL : Endpoint.REMOTE, randomTcpEnd(r)));
            }
        }
        if (r.nextBoolean()) {
            t += r.nextInt(1_500_000_000);
            steps.add(new Step(false, 0, 0, t, r.nextBoolean() ? Endpoint.LOCAL : Endpoint.REMOTE, randomTcpEnd(r)));
        }
        t += r.nextInt(3) == 0 ? 2_500_000_000L : r.nextInt(1_000_000);
        steps.add(new Step(false, 0, 0, t, null, null)); // the end of the capture
        return steps;
    }

    /**
     * Runs the schedule twice: each segment cut again at random points over every kind of buffer (checked call by call),
     * and each segment in one call straight from the input array; both must tell the same story.
     */
    static void runEngine(EngineInput in, Random r, long id) {
        List<Step> steps = schedule(in, r);
        EngineOptions options = EngineOptions.DEFAULTS.withCheckText(in.checkText);
        long total = (long) in.client.length + in.server.length;
        Buffers buffers = BUFFERS.get();

        Watch watch = new Watch();
        Connection c = new Connection(id, options, watch);
        if (in.join) {
            c.joinMidStream(in.joinAs, in.joinProtocol);
        }
        for (Step s : steps) {
            if (s.n() > 0) {
                byte[] src = s.fromClient() ? in.client : in.server;
                Endpoint ep = s.fromClient() ? in.clientEndpoint : in.clientEndpoint.other();
                int done = 0;
                while (done < s.n()) {
                    int n = chunk(r, s.n() - done);
                    watch.fed[ep.ordinal()] += n;
                    feedEngine(c, ep, s.timeNanos(), src, s.pos() + done, n, r, buffers);
                    watch.check();
                    done += n;
                }
                if (r.nextInt(64) == 0) {
                    checkBounded(c.reconstruction(), total);
                }
            } else if (s.tcpBy() != null) {
                c.onTcpClosed(s.tcpBy(), s.tcpHow(), s.timeNanos());
            } else {
                c.onEndOfCapture(s.timeNanos());
            }
        }
        Reconstruction rec = c.reconstruction();
        checkBounded(rec, total);
        if (rec.localFrames() + rec.remoteFrames() > watch.frames) {
            // The observer is told of every frame, the reconstruction counts those of an open connection.
            throw new AssertionError("the reconstruction counts " + (rec.localFrames() + rec.remoteFrames())
                    + " frames, the observer saw only " + watch.frames);
        }
        c.onEndOfCapture(steps.get(steps.size() - 1).timeNanos() + 1); // only the first end counts
        if (!rec.equals(c.reconstruction())) {
            throw new AssertionError("a second onEndOfCapture changed the reconstruction:\n" + rec + "\n" + c.reconstruction());
        }

        Connection whole = new Connection(id, options, ConnectionObserver.NONE);
        if (in.join) {
            whole.joinMidStream(in.joinAs, in.joinProtocol);
        }
        for (Step s : steps) {
            if (s.n() > 0) {
                Endpoint ep = s.fromClient() ? in.clientEndpoint : in.clientEndpoint.other();
                whole.onBytes(ep, s.timeNanos(), s.fromClient() ? in.client : in.server, s.pos(), s.n());
            } else if (s.tcpBy() != null) {
                whole.onTcpClosed(s.tcpBy(), s.tcpHow(), s.timeNanos());
            } else {
                whole.onEndOfCapture(s.timeNanos());
            }
        }
        if (!rec.equals(whole.reconstruction())) {
            throw new AssertionError("the same segments cut differently tell different stories:\n  split: " + rec
                    + "\n  whole: " + whole.reconstruction());
        }
    }

    /** Memory stays bounded: one finding per rule and sender (or connection), one Close record per side. */
    static void checkBounded(Reconstruction r, long bytesFed) {
        List<Finding> findings = r.findings();
        if (findings.size() > 2 * Rule.values().length + 2) {
            throw new AssertionError(findings.size() + " findings, more than one per rule and sender: " + findings);
        }
        Set<String> seen = new HashSet<>();
        for (Finding f : findings) {
            if (!seen.add(f.rule() + "/" + f.endpoint())) {
                throw new AssertionError("rule " + f.rule().id() + " reported twice for " + f.endpoint() + ": " + findings);
            }
            if (f.occurrences() < 1) {
                throw new AssertionError("finding with " + f.occurrences() + " occurrences: " + f);
            }
        }
        if (r.closeFrames().size() > 2) {
            throw new AssertionError(r.closeFrames().size() + " Close records (at most one per side): " + r.closeFrames());
        }
        Set<Endpoint> closers = EnumSet.noneOf(Endpoint.class);
        for (CloseRecord cr : r.closeFrames()) {
            if (!closers.add(cr.from())) {
                throw new AssertionError("two Close records from " + cr.from() + ": " + r.closeFrames());
            }
            if (cr.reason().length() > Frame.MAX_CONTROL_PAYLOAD) {
                throw new AssertionError("Close reason longer than a control payload: " + cr);
            }
        }
        if (r.localFrames() < 0 || r.remoteFrames() < 0 || r.localFrames() + r.remoteFrames() > bytesFed) {
            throw new AssertionError(r.localFrames() + " + " + r.remoteFrames() + " frames in " + bytesFed + " bytes");
        }
    }

    // ---- (c): the bare frame scanner ------------------------------------------------------------------------------

    static final class ScanInput implements Input {
        String origin;
        byte[] bytes;
        FrameScanner.Mode mode;
        boolean checkText;
        long startOffset;

        @Override
        public String describe() {
            return origin + ", mode " + mode + ", checkText " + checkText + ", start offset " + startOffset
                    + "\n  bytes: " + toHex(bytes);
        }
    }

    static ScanInput scanInput(Random r) {
        ScanInput in = new ScanInput();
        in.mode = r.nextInt(3) == 0 ? FrameScanner.Mode.HIXIE76 : FrameScanner.Mode.RFC6455;
        in.checkText = r.nextBoolean();
        in.startOffset = r.nextInt(4) == 0 ? r.nextInt(1 << 20) : 0;
        if (r.nextInt(4) == 0) {
            in.bytes = randomBytes(r, r.nextInt(600));
            in.origin = "random bytes";
        } else {
            // Mostly the mode's own frames; sometimes the other dialect's, which must parse as something too.
            boolean wantHixie = (in.mode == FrameScanner.Mode.HIXIE76) != (r.nextInt(8) == 0);
            Traffic t;
            do {
                t = CORPUS.get(r.nextInt(CORPUS.size()));
            } while (t.hixie() != wantHixie);
            boolean client = r.nextBoolean();
            byte[] frames = client ? t.clientFrames() : t.serverFrames();
            StringBuilder log = new StringBuilder("corpus ").append(t.name()).append(client ? " client" : " server")
                    .append(" frames ");
            in.bytes = r.nextInt(10) == 0 ? frames : mutate(r, frames, log);
            in.origin = log.toString();
        }
        return in;
    }

    /** Checks each frame and folds it into a digest, to compare a split run with a whole one. */
    static final class ScanSink implements FrameSink {
        final boolean hixie;
        long frames;
        long invalid;
        long digest = 17;
        long lastOffset = -1;
        long lastInvalid = -1;
        String violation;

        ScanSink(boolean hixie) {
            this.hixie = hixie;
        }

        @Override
        public void onFrame(Frame f) {
            if (f.offset() <= lastOffset) {
                violate("frame " + f + " at offset " + f.offset() + ", not after the previous one at " + lastOffset);
            }
            lastOffset = f.offset();
            if (f.hixie() != hixie) {
                violate("frame " + f + " has hixie " + f.hixie() + " in mode " + (hixie ? "HIXIE76" : "RFC6455"));
            }
            if (hixie ? f.headerSize() < 1 : f.headerSize() < 2 || f.headerSize() > Frame.MAX_HEADER_SIZE) {
                violate("frame " + f + " has a header of " + f.headerSize() + " bytes");
            }
            if (f.payloadLength() < 0 && !f.lengthOverflow()) {
                violate("frame " + f + " has a negative length without lengthOverflow");
            }
            int kept = f.closePayloadLength();
            if (kept < 0 || kept > Frame.MAX_CONTROL_PAYLOAD || (f.opcode() != Opcode.CLOSE && kept != 0)
                    || (!f.lengthOverflow() && kept > f.payloadLength())) {
                violate("frame " + f + " keeps " + kept + " Close payload bytes");
            }
            frames++;
            long h = digest;
            h = h * 31 + (f.fin() ? 1 : 0);
            h = h * 31 + f.rsv();
            h = h * 31 + f.opcode();
            h = h * 31 + (f.masked() ? 1 : 0);
            h = h * 31 + f.maskKey();
            h = h * 31 + f.payloadLength();
            h = h * 31 + f.headerSize();
            h = h * 31 + f.offset();
            h = h * 31 + (f.nonMinimalLength() ? 1 : 0);
            h = h * 31 + (f.lengthOverflow() ? 1 : 0);
            for (int k = 0; k < kept; k++) {
                h = h * 31 + f.closePayloadByte(k);
            }
            digest = h;
        }

        @Override
        public void onInvalidText(long offset) {
            if (offset < 0) {
                violate("invalid text at offset " + offset);
            }
            lastInvalid = Math.max(lastInvalid, offset);
            invalid++;
            digest = digest * 37 + offset;
        }

        private void violate(String what) {
            if (violation == null) {
                violation = what;
            }
        }
    }

    static void runScanner(ScanInput in, Random r) {
        byte[] b = in.bytes;
        boolean hixie = in.mode == FrameScanner.Mode.HIXIE76;
        Buffers buffers = BUFFERS.get();

        ScanSink split = new ScanSink(hixie);
        FrameScanner s = new FrameScanner(split, in.mode, in.checkText);
        s.reset(in.mode, in.startOffset);
        long fed = 0;
        int pos = 0;
        while (pos < b.length) {
            int n = chunk(r, b.length - pos);
            boolean wasStopped = s.stopped();
            long framesBefore = split.frames;
            feedScanner(s, b, pos, n, r, buffers);
            pos += n;
            fed += n;
            if (split.violation != null) {
                throw new AssertionError(split.violation);
            }
            if (s.streamOffset() != in.startOffset + fed) {
                throw new AssertionError("streamOffset() is " + s.streamOffset() + " after " + fed + " bytes from "
                        + in.startOffset + "; expected " + (in.startOffset + fed));
            }
            if (split.lastOffset >= s.streamOffset() || split.lastInvalid >= s.streamOffset()) {
                throw new AssertionError("an event at offset " + Math.max(split.lastOffset, split.lastInvalid)
                        + " beyond the bytes scanned (streamOffset() " + s.streamOffset() + ")");
            }
            if (wasStopped && (!s.stopped() || split.frames != framesBefore)) {
                throw new AssertionError("a stopped scanner reported a frame or resumed");
            }
        }
        if (split.frames > b.length) {
            throw new AssertionError(split.frames + " frames in " + b.length + " bytes");
        }

        ScanSink whole = new ScanSink(hixie);
        FrameScanner w = new FrameScanner(whole, in.mode, in.checkText);
        w.reset(in.mode, in.startOffset);
        w.scan(b, 0, b.length);
        if (whole.frames != split.frames || whole.invalid != split.invalid || whole.digest != split.digest
                || w.stopped() != s.stopped() || w.atFrameBoundary() != s.atFrameBoundary() || w.streamOffset() != s.streamOffset()) {
            throw new AssertionError("split and whole scans differ: frames " + split.frames + " / " + whole.frames
                    + ", invalid text " + split.invalid + " / " + whole.invalid + ", digest " + split.digest + " / "
                    + whole.digest + ", stopped " + s.stopped() + " / " + w.stopped() + ", at boundary "
                    + s.atFrameBoundary() + " / " + w.atFrameBoundary());
        }
    }

    static void feedScanner(FrameScanner s, byte[] src, int pos, int n, Random r, Buffers buffers) {
        int pad = r.nextInt(8);
        switch (r.nextInt(5)) {
            case 0 -> {
                byte[] a = buffers.array;
                System.arraycopy(src, pos, a, pad, n);
                junk(r, a, pad + n);
                s.scan(a, pad, n);
            }
            default -> {
                ByteBuffer bb = buffers.pick(r, src, pos, pad, n);
                s.scan(bb, pad, pad + n);
            }
        }
    }

    // ---- (d): the HTTP head parser --------------------------------------------------------------------------------

    static final class HeadInput implements Input {
        String origin;
        byte[] bytes;

        @Override
        public String describe() {
            return origin + "\n  bytes: " + toHex(bytes);
        }
    }

    static HeadInput headInput(Random r) {
        HeadInput in = new HeadInput();
        int kind = r.nextInt(20);
        if (kind < 4) {
            in.bytes = randomBytes(r, r.nextInt(300));
            in.origin = "random bytes";
        } else if (kind < 10) {
            in.bytes = soup(r);
            in.origin = "header soup";
        } else if (kind == 10 && r.nextInt(20) == 0) {
            in.bytes = longHead(r);
            in.origin = "long head";
        } else {
            byte[] head = HEADS.get(r.nextInt(HEADS.size()));
            StringBuilder log = new StringBuilder("corpus head ");
            in.bytes = r.nextInt(8) == 0 ? head : mutate(r, head, log);
            in.origin = log.toString();
        }
        return in;
    }

    static void runHeadParser(HeadInput in, Random r) {
        byte[] b = in.bytes;
        Buffers buffers = BUFFERS.get();
        HttpHeadParser p = new HttpHeadParser();
        int pos = 0;
        while (pos < b.length) {
            int n = chunk(r, b.length - pos);
            int pad = r.nextInt(8);
            boolean terminalBefore = p.status() != HttpHeadParser.Status.NEED_MORE;
            long consumedBefore = p.bytesConsumed();
            int ret;
            int from;
            int to;
            if (r.nextInt(5) == 0) {
                byte[] a = buffers.array;
                System.arraycopy(b, pos, a, pad, n);
                junk(r, a, pad + n);
                from = pad;
                to = pad + n;
                ret = p.feed(a, pad, n);
            } else {
                ByteBuffer bb = buffers.pick(r, b, pos, pad, n);
                from = pad;
                to = pad + n;
                ret = p.feed(bb, pad, pad + n);
            }
            if (ret < from || ret > to) {
                throw new AssertionError("feed(" + from + ", " + to + ") returned " + ret);
            }
            if (terminalBefore && ret != from) {
                throw new AssertionError("feed after " + p.status() + " consumed " + (ret - from) + " bytes");
            }
            if (p.status() == HttpHeadParser.Status.NEED_MORE && ret != to) {
                throw new AssertionError("feed(" + from + ", " + to + ") returned " + ret + " but needs more");
            }
            if (p.bytesConsumed() - consumedBefore != ret - from) {
                throw new AssertionError("feed returned " + ret + " from " + from + " but bytesConsumed went "
                        + consumedBefore + " -> " + p.bytesConsumed());
            }
            if (p.bytesConsumed() > HttpHeadParser.MAX_HEAD_BYTES) {
                throw new AssertionError(p.bytesConsumed() + " bytes consumed, over " + HttpHeadParser.MAX_HEAD_BYTES);
            }
            checkHead(p);
            pos += n;
        }

        HttpHeadParser whole = new HttpHeadParser();
        int end = whole.feed(b, 0, b.length);
        checkHead(whole);
        if (end != whole.bytesConsumed()) {
            throw new AssertionError("one feed from 0 returned " + end + " but consumed " + whole.bytesConsumed());
        }
        if (whole.status() != p.status() || whole.bytesConsumed() != p.bytesConsumed()
                || !Objects.equals(whole.head(), p.head())) {
            throw new AssertionError("split and whole parses differ: " + p.status() + " after " + p.bytesConsumed()
                    + " bytes, " + p.head() + "\n  whole: " + whole.status() + " after " + whole.bytesConsumed()
                    + " bytes, " + whole.head());
        }
        if (r.nextInt(4) == 0) {
            // reset() gives a fresh parser.
            p.reset();
            int again = p.feed(b, 0, b.length);
            if (again != end || p.status() != whole.status() || !Objects.equals(whole.head(), p.head())) {
                throw new AssertionError("after reset(): " + p.status() + " at " + again + ", " + p.head()
                        + "; fresh: " + whole.status() + " at " + end + ", " + whole.head());
            }
        }
    }

    /** A complete head is consistent and its kept fields are bounded. */
    static void checkHead(HttpHeadParser p) {
        HttpHead h = p.head();
        if ((p.status() == HttpHeadParser.Status.DONE) != (h != null)) {
            throw new AssertionError("status " + p.status() + " with head " + h);
        }
        if (h == null) {
            return;
        }
        if (h.headBytes() != p.bytesConsumed()) {
            throw new AssertionError("headBytes " + h.headBytes() + " but " + p.bytesConsumed() + " consumed");
        }
        if (h.request() ? h.method() == null || h.target() == null || h.method().length() > 24 || h.status() != 0
                : h.method() != null || h.target() != null || h.reason() == null || h.status() < 0 || h.status() > 999) {
            throw new AssertionError("inconsistent start line: " + h);
        }
        for (String v : new String[] {h.target(), h.reason(), h.host(), h.upgrade(), h.connection(), h.key(),
                h.version(), h.protocol(), h.extensions(), h.accept(), h.key1(), h.key2(), h.origin(), h.location()}) {
            if (v != null && v.length() > HttpHeadParser.MAX_VALUE_CHARS) {
                throw new AssertionError("a kept value of " + v.length() + " chars (max "
                        + HttpHeadParser.MAX_VALUE_CHARS + "): " + v.substring(0, 64) + "...");
            }
        }
    }

    /** Tokens that make up HTTP heads, recombined at random (reaches the parser's deeper states). */
    private static final String[] TOKENS = {
            "GET", "HTTP", "HTTP/1.1", "HTTP/1.0", "HTTP/2", "/", "/chat", " ", " ", "  ", "\t", "\r\n", "\r\n", "\n",
            "\r", ":", ":", ": ", "101", "100", "400", "Switching Protocols", "Host", "Upgrade", "websocket",
            "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Protocol",
            "Sec-WebSocket-Extensions", "permessage-deflate", ",", ";", "Sec-WebSocket-Accept", "Sec-WebSocket-Key1",
            "Sec-WebSocket-Key2", "Origin", "Sec-WebSocket-Origin", "Sec-WebSocket-Location", "X-Other", "host ",
            "\r\n ", "\r\n\t", "\r\n\r\n", "\u00e9", "\u007f", "\u0000", "-", "_", "VERSION-CONTROL"
    };

    static byte[] soup(Random r) {
        StringBuilder s = new StringBuilder();
        switch (r.nextInt(4)) {
            case 0 -> s.append("GET /chat HTTP/1.1\r\n");
            case 1 -> s.append("HTTP/1.1 101 Switching Protocols\r\n");
            case 2 -> s.append(r.nextBoolean() ? "HTTP/1.1 100 Continue\r\n" : "HTTP/1.0 ");
            default -> { }
        }
        int n = r.nextInt(60);
        for (int k = 0; k < n; k++) {
            if (r.nextInt(30) == 0) {
                s.append((char) r.nextInt(256));
            } else if (r.nextInt(100) == 0) {
                s.append("x".repeat(r.nextInt(2 * HttpHeadParser.MAX_VALUE_CHARS)));
            } else {
                s.append(TOKENS[r.nextInt(TOKENS.length)]);
            }
        }
        if (r.nextBoolean()) {
            s.append("\r\n\r\n");
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A head around {@link HttpHeadParser#MAX_HEAD_BYTES}: kept values far over their limit, repeated and folded. */
    static byte[] longHead(Random r) {
        StringBuilder s = new StringBuilder(r.nextBoolean() ? Script.request("") : Script.response(""));
        s.setLength(s.length() - 2); // reopen the head
        int target = HttpHeadParser.MAX_HEAD_BYTES - 200 + r.nextInt(400);
        while (s.length() < target) {
            switch (r.nextInt(4)) {
                case 0 -> s.append("Sec-WebSocket-Protocol: ").append("p".repeat(r.nextInt(3000))).append("\r\n");
                case 1 -> s.append(" folded ").append("f".repeat(r.nextInt(500))).append("\r\n");
                case 2 -> s.append("X-Filler: ").append("y".repeat(r.nextInt(3000))).append("\r\n");
                default -> s.append("Origin: ").append("o".repeat(r.nextInt(100))).append("\r\n");
            }
        }
        s.append("\r\n");
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---- feeding --------------------------------------------------------------------------------------------------

    /** Reused buffers (a chunk is copied into one at a small offset, with junk after it). */
    static final class Buffers {
        static final int SIZE = MAX_CHUNK + 64;
        final byte[] array = new byte[SIZE];
        final ByteBuffer heap = ByteBuffer.allocate(SIZE);
        /** A slice: its array offset is not 0. */
        final ByteBuffer sliced = ByteBuffer.allocate(SIZE + 13).position(13).slice();
        /** hasArray() is false: read with absolute gets like a direct buffer. */
        final ByteBuffer readOnly = heap.asReadOnlyBuffer();
        final ByteBuffer direct = ByteBuffer.allocateDirect(SIZE);

        /** Copies {@code src[pos, pos+n)} to index {@code pad} of a random kind of buffer, limit a little past it. */
        ByteBuffer pick(Random r, byte[] src, int pos, int pad, int n) {
            int kind = r.nextInt(4);
            ByteBuffer target = kind == 0 || kind == 2 ? heap : kind == 1 ? sliced : direct;
            target.clear();
            target.put(pad, src, pos, n);
            int junk = r.nextInt(8);
            for (int k = 0; k < junk; k++) {
                target.put(pad + n + k, (byte) r.nextInt(256));
            }
            int limit = pad + n + junk;
            if (kind == 2) {
                readOnly.clear();
                readOnly.limit(limit);
                readOnly.position(r.nextInt(limit + 1)); // position is not the caller's business
                return readOnly;
            }
            target.limit(limit);
            target.position(r.nextInt(limit + 1));
            return target;
        }
    }

    static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    static void feedEngine(Connection c, Endpoint ep, long t, byte[] src, int pos, int n, Random r, Buffers buffers) {
        int pad = r.nextInt(8);
        if (r.nextInt(5) == 0) {
            byte[] a = buffers.array;
            System.arraycopy(src, pos, a, pad, n);
            junk(r, a, pad + n);
            c.onBytes(ep, t, a, pad, n);
        } else {
            ByteBuffer bb = buffers.pick(r, src, pos, pad, n);
            c.onBytes(ep, t, bb, pad, pad + n);
        }
    }

    /** A few random bytes after a chunk: must never be read. */
    static void junk(Random r, byte[] a, int at) {
        int junk = r.nextInt(8);
        for (int k = 0; k < junk && at + k < a.length; k++) {
            a[at + k] = (byte) r.nextInt(256);
        }
    }

    /** A chunk of 1 to {@code left} bytes: mostly small (splits headers), sometimes the rest. */
    static int chunk(Random r, int left) {
        int n = switch (r.nextInt(6)) {
            case 0 -> left;
            case 1, 2 -> 1 + r.nextInt(Math.min(left, 4));
            case 3 -> 1 + r.nextInt(Math.min(left, 32));
            default -> 1 + r.nextInt(Math.min(left, 512));
        };
        return Math.min(n, MAX_CHUNK);
    }

    // ---- inputs ---------------------------------------------------------------------------------------------------

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        switch (r.nextInt(3)) {
            case 0 -> r.nextBytes(b);
            case 1 -> {
                // Frame-header-ish bytes: FIN+opcode, lengths 125-127, masks, hixie markers.
                byte[] alphabet = {0x00, (byte) 0xFF, 0x7E, 0x7F, (byte) 0x80, (byte) 0x81, (byte) 0x82, (byte) 0x88,
                        (byte) 0x89, (byte) 0x8A, 0x01, 0x02, 0x03, 0x7D, (byte) 0xFE, (byte) 0xE8, 0x09, 0x0A};
                for (int k = 0; k < n; k++) {
                    b[k] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
                }
            }
            default -> {
                for (int k = 0; k < n; k++) {
                    b[k] = (byte) (r.nextInt(8) == 0 ? r.nextInt(256) : 0x20 + r.nextInt(0x5F));
                }
            }
        }
        return b;
    }

    /** 1 to 10 mutations of {@code in} (a copy), logged. */
    static byte[] mutate(Random r, byte[] in, StringBuilder log) {
        byte[] b = in;
        int count = 1 + r.nextInt(r.nextBoolean() ? 2 : 10);
        for (int k = 0; k < count; k++) {
            int len = b.length;
            int op = r.nextInt(9);
            if (len == 0 && op != 2 && op != 7) {
                op = 2;
            }
            switch (op) {
                case 0 -> {
                    int p = r.nextInt(len);
                    int bit = r.nextInt(8);
                    b = b.clone();
                    b[p] ^= (byte) (1 << bit);
                    log.append("flip@").append(p).append('.').append(bit).append(' ');
                }
                case 1 -> {
                    int p = r.nextInt(len);
                    b = b.clone();
                    b[p] = (byte) r.nextInt(256);
                    log.append("set@").append(p).append('=').append(b[p] & 0xFF).append(' ');
                }
                case 2 -> {
                    int p = r.nextInt(len + 1);
                    byte[] ins = new byte[1 + r.nextInt(4)];
                    r.nextBytes(ins);
                    b = splice(b, p, 0, ins);
                    log.append("insert@").append(p).append('+').append(ins.length).append(' ');
                }
                case 3 -> {
                    int p = r.nextInt(len);
                    int n = 1 + r.nextInt(Math.min(8, len - p));
                    b = splice(b, p, n, new byte[0]);
                    log.append("delete@").append(p).append('-').append(n).append(' ');
                }
                case 4 -> {
                    int p = r.nextInt(len + 1);
                    b = Arrays.copyOf(b, p);
                    log.append("truncate@").append(p).append(' ');
                }
                case 5 -> {
                    int from = r.nextInt(len);
                    int n = 1 + r.nextInt(Math.min(64, len - from));
                    int p = r.nextInt(len + 1);
                    b = splice(b, p, 0, Arrays.copyOfRange(b, from, from + n));
                    log.append("dup[").append(from).append(',').append(from + n).append(")@").append(p).append(' ');
                }
                case 6 -> {
                    int p = r.nextInt(len);
                    b = b.clone();
                    b[p] = SPECIAL[r.nextInt(SPECIAL.length)];
                    log.append("special@").append(p).append('=').append(b[p] & 0xFF).append(' ');
                }
                case 7 -> {
                    int p = r.nextInt(len + 1);
                    b = splice(b, p, 0, new byte[] {SPECIAL[r.nextInt(SPECIAL.length)]});
                    log.append("insert-special@").append(p).append('=').append(b[p] & 0xFF).append(' ');
                }
                default -> {
                    // A length byte set to an edge value: 125, 126, 127, with or without the mask bit.
                    int p = r.nextInt(len);
                    b = b.clone();
                    b[p] = (byte) ((r.nextBoolean() ? 0x80 : 0) | (125 + r.nextInt(3)));
                    log.append("length@").append(p).append('=').append(b[p] & 0xFF).append(' ');
                }
            }
        }
        if (b.length > MAX_INPUT) {
            b = Arrays.copyOf(b, MAX_INPUT);
        }
        return b;
    }

    static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    static Role randomRole(Random r) {
        int k = r.nextInt(3);
        return k == 0 ? null : k == 1 ? Role.CLIENT : Role.SERVER;
    }

    static TcpEnd randomTcpEnd(Random r) {
        return TcpEnd.values()[r.nextInt(TcpEnd.values().length)];
    }

    static String toHex(byte[] b) {
        int shown = Math.min(b.length, HEX_SHOWN);
        return "(" + b.length + " bytes) " + HexFormat.ofDelimiter(" ").formatHex(b, 0, shown)
                + (shown < b.length ? " ... (" + (b.length - shown) + " more)" : "");
    }

    // ---- the corpus: the Scenarios catalogue's traffic as real bytes per direction --------------------------------

    static List<Traffic> corpus() {
        List<Traffic> l = new ArrayList<>();
        byte[] req = ascii(Script.request(""));
        byte[] resp = ascii(Script.response(""));
        byte[] deflateReq = ascii(Script.request(DEFLATE_OFFER));
        byte[] deflateResp = ascii(Script.response(DEFLATE_ACCEPT));
        byte[] bye = close(1000, "bye", mk());
        byte[] byeBack = close(1000, "bye", null);

        // The seeds.
        rfc(l, "seed-clean", req, concat(text("hello", mk()), bye), resp, concat(text("hello", null), byeBack));
        rfc(l, "seed-server-88-00", req, close(-1, "", mk()), resp, hex("88 00"));
        rfc(l, "seed-client-88-00", req, hex("88 00"), resp, hex("88 00"));
        rfc(l, "seed-client-88-80-zero-mask", req, hex("88 80 00 00 00 00"), resp, hex("88 00"));
        l.add(new Traffic("seed-hixie-76", ascii(HIXIE_REQUEST), concat(hixieText("hello"), hixieClose()),
                ascii(HIXIE_RESPONSE), concat(hixieText("hi"), hixieBinary(300), hixieClose()), false, null, null));
        rfc(l, "seed-chinese-reason", req, close(1000, CHINESE_REASON, mk()), resp, close(1000, CHINESE_REASON, null));
        rfc(l, "seed-1002", req, concat(text("v1.0", mk()), close(1002, "client too old", mk())),
                resp, close(1002, "client too old", null));
        rfc(l, "seed-1002-unmasked", req, concat(text("v1.0", null), close(1002, "", mk())),
                resp, close(1002, "unmasked frame", null));

        // Framing.
        rfc(l, "masked-server-frame", req, bye, resp, concat(text("x", mk()), byeBack));
        rfc(l, "ping-126", req, concat(frame(true, Opcode.PING, mk(), new byte[126]), bye), resp, byeBack);
        rfc(l, "ping-125-pong", req, concat(frame(true, Opcode.PING, mk(), new byte[125]),
                frame(true, Opcode.PONG, mk(), new byte[0]), bye), resp, concat(frame(true, Opcode.PONG, null,
                new byte[125]), byeBack));
        rfc(l, "ping-without-fin", req, bye, resp, concat(frame(false, Opcode.PING, null, new byte[3]), byeBack));
        rfc(l, "ping-between-fragments", req, bye, resp, concat(frame(false, Opcode.TEXT, null, new byte[] {'a'}),
                frame(true, Opcode.PING, null, new byte[0]), frame(true, Opcode.CONTINUATION, null, new byte[] {'b'}),
                byeBack));
        rfc(l, "reserved-opcodes", req, concat(frame(true, 0xB, mk(), new byte[0]), bye), resp,
                concat(frame(true, 0x3, null, new byte[2]), byeBack));
        rfc(l, "rsv-bits", req, concat(frame(true, 2, Opcode.BINARY, mk(), new byte[1], AUTO), bye), resp,
                concat(frame(true, 4, Opcode.TEXT, null, new byte[4], AUTO), byeBack));
        rfc(l, "rsv1-with-deflate", deflateReq, concat(frame(true, 4, Opcode.PING, mk(), new byte[1], AUTO), bye),
                deflateResp, concat(frame(true, 4, Opcode.TEXT, null, new byte[4], AUTO), frame(false, 4, Opcode.TEXT,
                        null, new byte[4], AUTO), frame(true, 4, Opcode.CONTINUATION, null, new byte[4], AUTO), byeBack));
        rfc(l, "continuations", req, concat(frame(false, Opcode.BINARY, mk(), new byte[10]), frame(false,
                Opcode.CONTINUATION, mk(), new byte[10]), frame(true, Opcode.CONTINUATION, mk(), new byte[1]), bye),
                resp, concat(frame(true, Opcode.CONTINUATION, null, new byte[1]), frame(false, Opcode.TEXT, null,
                        new byte[1]), frame(true, Opcode.BINARY, null, new byte[1]), byeBack));
        rfc(l, "non-minimal-lengths", req, concat(frame(true, 0, Opcode.BINARY, mk(), new byte[100], LEN64), bye),
                resp, concat(frame(true, 0, Opcode.BINARY, null, new byte[5], LEN16), frame(true, 0, Opcode.BINARY,
                        null, new byte[300], LEN16), byeBack));
        rfc(l, "length-top-bit-set", req, close(1002, "bad length", mk()), resp, hex("82 7F 80 00 00 00 00 00 00 05 01 02 03"));
        // A minimal 64-bit length whose payload never comes (the capture ends inside it).
        rfc(l, "long-frame-cut", req, concat(binary(126, mk()), Arrays.copyOf(binary(70_000, mk()), 64)), resp,
                Arrays.copyOf(binary(70_000, null), 80));
        rfc(l, "mask-keys", req, concat(text("a", 0x01020304), text("b", 0x01020304), text("c", 0), bye), resp, byeBack);
        byte[] euro = utf8("€");
        rfc(l, "utf8", req, concat(frame(true, Opcode.TEXT, mk(), new byte[] {(byte) 0xC3, 0x28}),
                frame(false, Opcode.TEXT, mk(), new byte[] {euro[0]}), frame(true, Opcode.PING, mk(), new byte[0]),
                frame(true, Opcode.CONTINUATION, mk(), new byte[] {euro[1], euro[2]}),
                frame(true, Opcode.TEXT, mk(), new byte[] {euro[0], euro[1]}), bye), resp,
                concat(text("héllo wörld €", null), byeBack));

        // Close frames.
        rfc(l, "one-byte-close", req, close(-1, "", mk()), resp, frame(true, Opcode.CLOSE, null, new byte[] {3}));
        rfc(l, "close-1006", req, close(1000, "", mk()), resp, close(1006, "", null));
        rfc(l, "close-invalid-codes", req, concat(close(1000, "", mk()), close(5000, "", mk())), resp,
                concat(close(999, "", null), close(65535, "", null)));
        rfc(l, "close-private-codes", req, close(4000, "", mk()), resp, close(4999, "", null));
        rfc(l, "close-reason-not-utf8", req, close(1000, "", mk()), resp, frame(true, Opcode.CLOSE, null,
                new byte[] {0x03, (byte) 0xE8, (byte) 0xC3, 0x28}));
        rfc(l, "close-1010-1011", req, close(1011, "", mk()), resp, close(1010, "", null));
        rfc(l, "close-too-long", req, frame(true, Opcode.CLOSE, mk(), concat(new byte[] {0x03, (byte) 0xE8},
                utf8("é".repeat(100)))), resp, byeBack);
        rfc(l, "data-after-close", req, bye, resp, concat(byeBack, text("late", null)));
        rfc(l, "no-close", req, text("x", mk()), resp, new byte[0]);

        // The opening handshake.
        l.add(new Traffic("request-only", req, text("early", mk()), new byte[0], new byte[0], false, null, null));
        rfc(l, "bad-accept", req, bye, ascii(Script.response("").replace(Script.ACCEPT, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")), byeBack);
        rfc(l, "version-8", ascii(Script.request("").replace("Version: 13", "Version: 8")), bye, resp, byeBack);
        rfc(l, "extension-not-offered", req, bye, deflateResp, byeBack);
        rfc(l, "subprotocol", ascii(Script.request("Sec-WebSocket-Protocol: chat, superchat\r\n" + DEFLATE_OFFER)), bye,
                ascii(Script.response("Sec-WebSocket-Protocol: mqtt\r\n" + DEFLATE_ACCEPT + "Sec-WebSocket-Extensions: x-other\r\n")),
                byeBack);
        rfc(l, "rejected-400", req, new byte[0], ascii("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), new byte[0]);
        rfc(l, "interim-100", req, bye, concat(ascii("HTTP/1.1 100 Continue\r\n\r\n"), resp), byeBack);
        rfc(l, "early-frames", req, concat(binary(300, mk()), text("x", mk())), resp, binary(200, null));
        rfc(l, "folded-lenient-head", ascii("GET /chat?x=1 HTTP/1.1\nHost : a\nUpgrade: web\n socket\nUpgrade: websocket\n"
                + "Connection: Upgrade\nSec-WebSocket-Key: " + Script.KEY + "\nSec-WebSocket-Version:  13 \nNoColon\n\n"), bye,
                resp, byeBack);
        rfc(l, "not-websocket", ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), new byte[0],
                ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), new byte[0]);
        l.add(new Traffic("tls-record", hex("16 03 01 00 05 01 00 00 01 00"), new byte[0], hex("16 03 03 00 02 02 28"),
                new byte[0], false, null, null));

        // Joined mid-stream.
        l.add(new Traffic("joined-roles-from-masking", new byte[0], concat(binary(300, mk()), bye), new byte[0],
                concat(text("x", null), byeBack), true, null, Protocol.RFC6455));
        l.add(new Traffic("joined-as-server", new byte[0], concat(text("hi", mk()), bye), new byte[0],
                concat(text("x", null), byeBack), true, Role.SERVER, Protocol.RFC6455));
        l.add(new Traffic("joined-hixie-76", new byte[0], concat(hixieText("hello"), hixieBinary(200), hixieClose()),
                new byte[0], concat(hixieText("hi"), hixieClose()), true, Role.CLIENT, Protocol.HIXIE76));
        return l;
    }

    private static void rfc(List<Traffic> l, String name, byte[] clientHead, byte[] clientFrames, byte[] serverHead,
                            byte[] serverFrames) {
        l.add(new Traffic(name, clientHead, clientFrames, serverHead, serverFrames, false, null, null));
    }

    /** Every distinct head of the corpus, each with a few frame bytes after it (which must not be consumed). */
    static List<byte[]> heads() {
        List<byte[]> l = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Traffic t : CORPUS) {
            for (byte[][] pair : new byte[][][] {{t.clientHead(), t.clientFrames()}, {t.serverHead(), t.serverFrames()}}) {
                if (pair[0].length > 0 && seen.add(new String(pair[0], StandardCharsets.ISO_8859_1))) {
                    l.add(concat(pair[0], Arrays.copyOf(pair[1], Math.min(pair[1].length, 8))));
                }
            }
        }
        l.add(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                + Script.ACCEPT + "\r\nSec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b\r\n\tc\r\n\r\n"));
        return l;
    }
}
