package io.wstap.agent.tap;

import io.wstap.capture.CaptureHeader;
import io.wstap.capture.CaptureReader;
import io.wstap.capture.CaptureSink;
import io.wstap.capture.CaptureWriter;
import io.wstap.capture.EventLog;
import io.wstap.capture.IgnoringSink;
import io.wstap.capture.Tee;
import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring's records come back whole and in order, across the array's end, from many threads, or are counted lost. */
class RecorderTest {
    private final Frame frame = new Frame();
    private final Frame view = new Frame();
    private final byte[] scratch = new byte[Frame.MAX_CONTROL_PAYLOAD];

    private Frame closeFrame(String reason, long offset) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + r.length];
        payload[0] = (byte) (4001 >> 8);
        payload[1] = (byte) 4001;
        System.arraycopy(r, 0, payload, 2, r.length);
        return frame.set(true, 0, Opcode.CLOSE, false, 0, payload.length, 2, offset, false, false, false, payload, 0,
                payload.length);
    }

    @Test
    void everyKindOfRecordComesBackWholeAcrossTheEndOfTheArray() {
        Recorder ring = new Recorder(64, Recorder.Reasons.KEEP); // 512 words: the loop below wraps it many times
        EventLog sink = new EventLog();
        List<String> expected = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            long id = 1000 + round;
            long t = 5_000_000_000L + round;
            ring.putConnection(id, t, "127.0.0.1:" + round, "127.0.0.1:9", Transport.TLS);
            expected.add("connection " + id + " " + t + " 127.0.0.1:" + round + " 127.0.0.1:9 TLS");
            ring.putJoined(id, t, round % 2 == 0 ? null : Role.SERVER, Protocol.RFC6455);
            expected.add("joined " + id + " " + t + " " + (round % 2 == 0 ? null : Role.SERVER) + " RFC6455");
            frame.set(round % 3 != 0, round & 7, Opcode.BINARY, true, 0x80000000 | round, 64 + round, 6, 77L * round,
                    round % 5 == 0, false, false, scratch, 0, 0);
            expected.add("frame " + id + " " + t + " REMOTE " + EventLog.frame(frame) + " stack=-1");
            ring.putFrame(id, t, Endpoint.REMOTE, frame, -1);
            frame.set(true, 0, Opcode.BINARY, false, 0, (1L << 40) + round, 10, Long.MAX_VALUE - round, false,
                    round % 7 == 0, round % 11 == 0, scratch, 0, 0);
            expected.add("frame " + id + " " + t + " LOCAL " + EventLog.frame(frame) + " stack=-1");
            ring.putFrame(id, t, Endpoint.LOCAL, frame, -1);
            closeFrame("x".repeat(round % 124), round);
            expected.add("frame " + id + " " + t + " LOCAL " + EventLog.frame(frame) + " stack=" + round);
            ring.putFrame(id, t, Endpoint.LOCAL, frame, round);
            ring.putInvalidText(id, t, Endpoint.REMOTE, -round);
            expected.add("invalidText " + id + " " + t + " REMOTE " + -round);
            ring.putTcpClosed(id, t, Endpoint.LOCAL, TcpEnd.RESET, round - 1);
            expected.add("tcpClosed " + id + " " + t + " LOCAL RESET stack=" + (round - 1));
            assertTrue(ring.putStack(round, List.of("a.B.c(B.java:" + round + ")")));
            expected.add("stack " + round + " [a.B.c(B.java:" + round + ")]");
            ring.putTapErrors(id, t, round);
            expected.add("tapErrors " + t + " " + id + " " + round);
            assertEquals(9, ring.drain(sink, view, scratch));
        }
        assertEquals(expected, sink.lines);
        assertEquals(0, ring.dropped());
        assertEquals(0, ring.drain(sink, view, scratch), "a drained ring reads empty");
    }

    @Test
    void aFullRingDropsAndCountsAndTakesRecordsAgainOnceDrained() {
        Recorder ring = new Recorder(64, Recorder.Reasons.KEEP);
        EventLog sink = new EventLog();
        frame.set(true, 0, Opcode.TEXT, false, 0, 64, 2, 0, false, false, false, scratch, 0, 0);
        int put = 1000; // 4 words each (a plain frame): more than 512 words hold
        for (int i = 0; i < put; i++) {
            ring.putFrame(i, i, Endpoint.LOCAL, frame, -1);
        }
        int kept = ring.drain(sink, view, scratch);
        assertEquals(512 / 4, kept);
        assertEquals(put - kept, ring.dropped());
        for (int i = 0; i < kept; i++) {
            assertTrue(sink.lines.get(i).startsWith("frame " + i + " " + i + " LOCAL"), sink.lines.get(i));
        }
        ring.putFrame(7, 7, Endpoint.REMOTE, frame, -1);
        assertEquals(1, ring.drain(sink, view, scratch));
        assertTrue(sink.lines.get(kept).startsWith("frame 7 7 REMOTE"));
    }

    @Test
    void closeReasonsAreKeptHashedOrDroppedAsTheOptionSays() {
        for (Recorder.Reasons reasons : Recorder.Reasons.values()) {
            Recorder ring = new Recorder(64, reasons);
            EventLog sink = new EventLog();
            ring.putFrame(1, 1, Endpoint.LOCAL, closeFrame("going away for maintenance", 0), 3);
            assertEquals(1, ring.drain(sink, view, scratch));
            String line = sink.lines.get(0);
            byte[] close = closeBytes(line);
            assertEquals(4001, (close[0] & 0xFF) << 8 | close[1] & 0xFF, line);
            assertTrue(line.endsWith(" stack=3"), line);
            String reason = new String(close, 2, close.length - 2, StandardCharsets.UTF_8);
            switch (reasons) {
                case KEEP -> assertEquals("going away for maintenance", reason);
                case HASH -> assertTrue(reason.matches("sha256:[0-9a-f]{16}"), reason);
                case DROP -> assertEquals("", reason);
            }
        }
    }

    /** The Close payload of an {@link EventLog} frame line (hex after "close="). */
    private static byte[] closeBytes(String line) {
        String hex = line.substring(line.indexOf("close=") + 6, line.indexOf(" stack="));
        return java.util.HexFormat.of().parseHex(hex);
    }

    @Test
    void manyProducersAndTheWriterAtOnceKeepEachConnectionsRecordsInOrder() throws Exception {
        Recorder ring = new Recorder(64, Recorder.Reasons.KEEP); // small: it wraps, fills and drops under this load
        int producers = 4;
        int perProducer = 200_000;
        long[] nextOffset = new long[producers];
        long[] received = new long[producers];
        AtomicReference<String> failure = new AtomicReference<>();
        IgnoringSink checking = new IgnoringSink() {
            @Override
            public void frame(long id, long t, Endpoint sender, Frame f, int stackId) {
                int p = (int) id;
                // A producer's records come in its order; dropped ones leave gaps, never reorderings or mixtures.
                long i = f.offset();
                if (i < nextOffset[p] || f.payloadLength() != i % 1000 || t != i * 3
                        || f.maskKey() != (int) (i * 0x9E3779B9L) || f.closePayloadLength() != (i % 2 == 0 ? 0 : 10)) {
                    failure.compareAndSet(null, "producer " + p + ": " + f + " after offset " + nextOffset[p]);
                }
                nextOffset[p] = f.offset() + 1;
                received[p]++;
            }
        };
        AtomicBoolean producing = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                Frame f = new Frame();
                byte[] close = new byte[10];
                for (long i = 0; i < perProducer; i++) {
                    boolean isClose = i % 2 == 1;
                    f.set(true, 0, isClose ? Opcode.CLOSE : Opcode.BINARY, true, (int) (i * 0x9E3779B9L), i % 1000,
                            6, i, false, false, false, close, 0, isClose ? 10 : 0);
                    ring.putFrame(id, i * 3, Endpoint.REMOTE, f, -1);
                }
            });
            threads.add(t);
            t.start();
        }
        Thread writer = new Thread(() -> {
            while (producing.get()) {
                ring.drain(checking, view, scratch);
            }
            ring.drain(checking, view, scratch);
        });
        writer.start();
        for (Thread t : threads) {
            t.join(60_000);
            assertFalse(t.isAlive());
        }
        producing.set(false);
        writer.join(60_000);
        assertEquals(null, failure.get());
        long total = Arrays.stream(received).sum();
        assertEquals((long) producers * perProducer, total + ring.dropped(), "every record drained or counted lost");
        assertTrue(total > 0);
    }

    /**
     * A connection id beyond what a plain frame's header holds: its plain frames take the 5-word record and reach the
     * file through the writer's generic path, byte for byte as the others.
     */
    private static final long BIG_ID = 1L << 31;

    /**
     * A capture file's writer takes most frame records as fields ({@code CaptureWriter.plainFrame}) instead of through
     * a view: the file must be byte for byte the one the generic path writes from the same records (the same writer
     * behind a forwarding sink), over every opcode, mask, RSV bits, length form, predicted and unpredicted offsets,
     * both directions, with the rare frames (Close payloads, stacks, non-minimal lengths, hixie-76) in between.
     */
    @Test
    void plainFramesReachACaptureFileByteForByteAsTheGenericFramePathWritesThem(@TempDir Path dir) throws Exception {
        CaptureHeader header = new CaptureHeader(CaptureWriter.VERSION, "host", 42, "jvm", 1_000_000_000L, 5, "opts");
        Path direct = dir.resolve("direct.wstap");
        Path generic = dir.resolve("generic.wstap");
        EventLog expected = new EventLog();
        try (CaptureWriter a = CaptureWriter.create(direct, header, 0);
             CaptureWriter b = CaptureWriter.create(generic, header, 0)) {
            CaptureSink forwarding = new Tee(b, expected); // not a CaptureWriter: takes the view
            Recorder ringA = new Recorder(64, Recorder.Reasons.KEEP);
            Recorder ringB = new Recorder(64, Recorder.Reasons.KEEP);
            for (Recorder ring : List.of(ringA, ringB)) {
                ring.putConnection(1, 10, "127.0.0.1:1", "127.0.0.1:2", Transport.PLAIN);
                ring.putConnection(2, 11, "127.0.0.1:3", "127.0.0.1:4", Transport.TLS);
                ring.putConnection(BIG_ID, 12, "127.0.0.1:5", "127.0.0.1:6", Transport.PLAIN);
                for (int stack = 0; stack < 3; stack++) {
                    ring.putStack(stack, List.of("a.B.c(B.java:" + stack + ")"));
                }
            }
            ringA.drain(a, view, scratch);
            ringB.drain(forwarding, view, scratch);
            Random random = new Random(6455);
            int[] opcodes = {Opcode.CONTINUATION, Opcode.TEXT, Opcode.BINARY, Opcode.PING, Opcode.PONG, 0x3, 0xB,
                    Opcode.CLOSE};
            long[] lengths = {0, 1, 64, 125, 126, 0xFFFF, 0x10000, 1L << 40};
            long[] offsets = new long[6];
            long time = 100;
            for (int i = 0; i < 20_000; i++) {
                int c = random.nextInt(3);
                long connection = c == 2 ? BIG_ID : 1 + c;
                boolean remote = random.nextBoolean();
                int d = c * 2 + (remote ? 1 : 0);
                int op = opcodes[random.nextInt(opcodes.length)];
                long length = op == Opcode.CLOSE ? random.nextInt(40) : lengths[random.nextInt(lengths.length)];
                boolean masked = random.nextBoolean();
                int rare = random.nextInt(20); // one frame in ten is a rare form
                boolean nonMinimal = rare == 0 && length < 126;
                boolean hixie = rare == 1;
                int headerSize = hixie ? 1 : 2 + (nonMinimal || length > 125 && length <= 0xFFFF ? 2 : length > 0xFFFF ? 8 : 0)
                        + (masked ? 4 : 0);
                if (random.nextInt(8) == 0) {
                    offsets[d] += 1 + random.nextInt(1000); // a gap: the offset is not the predicted one
                }
                byte[] close = new byte[(int) Math.min(length, 125)];
                random.nextBytes(close);
                frame.set(random.nextBoolean(), random.nextInt(8), op, masked, masked ? random.nextInt() : 0, length, headerSize,
                        offsets[d], nonMinimal, false, hixie, close, 0, op == Opcode.CLOSE ? close.length : 0);
                int stack = rare == 2 ? random.nextInt(3) : -1;
                time += random.nextInt(3) == 0 ? random.nextInt(1_000_000) : 0;
                Endpoint sender = remote ? Endpoint.REMOTE : Endpoint.LOCAL;
                ringA.putFrame(connection, time, sender, frame, stack);
                ringB.putFrame(connection, time, sender, frame, stack);
                offsets[d] += headerSize + length;
                if (i % 50 == 49) {
                    ringA.drain(a, view, scratch);
                    ringB.drain(forwarding, view, scratch);
                }
            }
            ringA.drain(a, view, scratch);
            ringB.drain(forwarding, view, scratch);
            a.endOfCapture(time);
            forwarding.endOfCapture(time);
        }
        assertTrue(Files.size(direct) > 100_000, "the records went through several blocks");
        assertArrayEquals(Files.readAllBytes(generic), Files.readAllBytes(direct));
        EventLog read = new EventLog();
        try (CaptureReader reader = CaptureReader.open(direct)) {
            reader.readAll(read);
        }
        assertEquals(expected.lines.size(), read.lines.size());
        for (int i = 0; i < read.lines.size(); i++) {
            assertEquals(expected.lines.get(i), read.lines.get(i), "event " + i);
        }
    }
}
