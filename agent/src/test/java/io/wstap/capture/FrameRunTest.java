package io.wstap.capture;

import io.wstap.engine.Endpoint;
import io.wstap.wire.Frame;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames encoded by the application thread ({@link FrameRun}) read back exactly as the same frames written one by one
 * by the writer: every field, in order, with the writer's own records before and after them, across a rotation.
 */
class FrameRunTest {
    @TempDir
    Path dir;

    /** Data frames of every shape a run takes: both directions, masked or not, 7-, 16- and 64-bit lengths, gaps. */
    private static List<Object[]> frames(int n) {
        Random random = new Random(6455);
        List<Object[]> frames = new ArrayList<>();
        long[] offset = new long[2];
        long t = Captures.ANCHOR_MONO + 1_000;
        for (int i = 0; i < n; i++) {
            int d = random.nextInt(2);
            boolean masked = d == 0;
            long length = switch (i % 7) {
                case 3 -> 200 + random.nextInt(1000);
                case 5 -> 70_000 + random.nextInt(10);
                default -> random.nextInt(126);
            };
            int op = i % 5 == 0 ? Opcode.CONTINUATION : i % 2 == 0 ? Opcode.TEXT : Opcode.BINARY;
            int header = 2 + (length > 65535 ? 8 : length > 125 ? 2 : 0) + (masked ? 4 : 0);
            if (i % 11 == 10) {
                offset[d] += 100; // bytes the scanner skipped: the offset is stored, not derived
            }
            Frame f = new Frame().set(i % 3 != 0, 0, op, masked, masked ? random.nextInt() : 0, length, header,
                    offset[d], false, false, false, null, 0, 0);
            offset[d] += header + length;
            t += random.nextInt(50_000) - 2_000; // threads' events come slightly out of order
            frames.add(new Object[] {t, d == 0 ? Endpoint.LOCAL : Endpoint.REMOTE, f});
        }
        return frames;
    }

    private static void declare(CaptureWriter w) {
        w.connection(7, Captures.ANCHOR_MONO, "127.0.0.1:50000", "127.0.0.1:8080", Transport.PLAIN);
        w.connection(8, Captures.ANCHOR_MONO, "127.0.0.1:50001", "127.0.0.1:8080", Transport.PLAIN);
    }

    @Test
    void aRunReadsBackAsTheSameFramesWrittenSingly() throws Exception {
        List<Object[]> frames = frames(500);
        Path singly = dir.resolve("singly.wstap");
        try (CaptureWriter w = CaptureWriter.create(singly, Captures.header(), 0)) {
            declare(w);
            w.frame(8, Captures.ANCHOR_MONO + 5, Endpoint.LOCAL, frame(Opcode.PING), -1);
            for (Object[] f : frames) {
                w.frame(7, (long) f[0], (Endpoint) f[1], (Frame) f[2], -1);
            }
            w.frame(8, Captures.ANCHOR_MONO + 9_000_000_000L, Endpoint.REMOTE, frame(Opcode.PONG), -1);
        }
        Path runs = dir.resolve("runs.wstap");
        int handedOver = 0;
        try (CaptureWriter w = CaptureWriter.create(runs, Captures.header(), 0)) {
            declare(w);
            w.frame(8, Captures.ANCHOR_MONO + 5, Endpoint.LOCAL, frame(Opcode.PING), -1);
            FrameRun run = new FrameRun();
            for (Object[] f : frames) {
                if (!run.append(7, (long) f[0], (Endpoint) f[1], (Frame) f[2])) {
                    w.frameRun(run);
                    run.recycle();
                    handedOver++;
                    assertTrue(run.append(7, (long) f[0], (Endpoint) f[1], (Frame) f[2]), "an empty run takes a frame");
                }
            }
            w.frameRun(run);
            w.frame(8, Captures.ANCHOR_MONO + 9_000_000_000L, Endpoint.REMOTE, frame(Opcode.PONG), -1);
        }
        assertTrue(handedOver >= 3, "500 frames fill several runs of " + FrameRun.CAPACITY + " bytes: " + handedOver);
        EventLog a = new EventLog();
        EventLog b = new EventLog();
        assertTrue(Captures.read(singly, a).clean());
        assertTrue(Captures.read(runs, b).clean());
        assertEquals(500 + 5, b.lines.size(), "two connections, a ping, 500 frames, a pong, the end");
        assertEquals(a.lines.size(), b.lines.size());
        for (int i = 0; i < a.lines.size() - 1; i++) { // the end record's time is the clock's at close
            assertEquals(a.lines.get(i), b.lines.get(i), "event " + i);
        }
    }

    @Test
    void aSinkOtherThanTheWriterGetsARunAsFrameEvents() {
        List<Object[]> frames = frames(40);
        FrameRun run = new FrameRun();
        EventLog expected = new EventLog();
        for (Object[] f : frames) {
            assertTrue(run.append(7, (long) f[0], (Endpoint) f[1], (Frame) f[2]));
            expected.frame(7, (long) f[0], (Endpoint) f[1], (Frame) f[2], -1);
        }
        assertEquals(40, run.frames());
        EventLog got = new EventLog();
        got.frameRun(run);
        assertEquals(expected.lines, got.lines);
        assertTrue(got.undeclared.isEmpty(), "a run's connection is the sink's already");
    }

    @Test
    void aFullRunRefusesTheNextFrameAndARecycledOneStartsAfresh() {
        FrameRun run = new FrameRun();
        Frame f = new Frame().set(true, 0, Opcode.BINARY, true, 0x37FA213D, 64, 6, 0, false, false, false, null, 0, 0);
        int n = 0;
        long offset = 0;
        while (run.append(3, 1_000 + n, Endpoint.REMOTE, f.set(true, 0, Opcode.BINARY, true, 0x37FA213D, 64, 6, offset,
                false, false, false, null, 0, 0))) {
            n++;
            offset += 70;
        }
        // In steady state a masked 64-byte frame is tag, reference, time, length and key: 8 bytes.
        assertTrue(n > 100, "frames in a run: " + n);
        assertEquals(n, run.frames());
        assertEquals(n, run.framesIn());
        assertEquals(64L * n, run.bytesIn());
        run.handOver();
        assertTrue(run.inFlight());
        run.recycle();
        assertFalse(run.inFlight());
        assertTrue(run.isEmpty());
        assertTrue(run.append(4, 5_000, Endpoint.LOCAL, f));
        assertEquals(1, run.frames());
        assertEquals(4, run.connectionId());
        assertEquals(0, run.framesIn());
    }

    private static Frame frame(int opcode) {
        return new Frame().set(true, 0, opcode, false, 0, 0, 2, 0, false, false, false, null, 0, 0);
    }
}
