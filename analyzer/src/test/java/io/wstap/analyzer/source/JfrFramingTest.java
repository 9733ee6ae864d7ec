package io.wstap.analyzer.source;

import io.wstap.jfr.FrameEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JfrFraming}: real recordings of this JVM pass (one chunk, chunks back to back, a large one read through the
 * file window); the framings the JDK's parser would loop or wait on are refused naming their offset.
 */
class JfrFramingTest {
    @TempDir
    Path dir;

    @Test
    void realRecordingsPassWhateverTheirSizeOrNumberOfChunks() throws Exception {
        Path small = record("small.jfr", 10);
        Path large = record("large.jfr", 200_000);
        assertTrue(Files.size(large) > 1 << 20, "larger than the 64 KiB window many times: " + Files.size(large));
        Path both = dir.resolve("both.jfr"); // JFR files concatenate: each chunk is whole
        Files.write(both, concat(Files.readAllBytes(small), Files.readAllBytes(large), Files.readAllBytes(small)));
        for (Path f : new Path[] {small, large, both}) {
            assertNull(JfrFraming.check(f), f.toString());
            assertNull(JfrFraming.check(Files.readAllBytes(f)), f.toString());
        }
        long frames = RecordingFile.readAllEvents(both).stream()
                .filter(e -> e.getEventType().getName().equals("io.wstap.Frame")).count();
        assertEquals(200_020, frames, "the parser reads all three chunks the check passed");
    }

    /**
     * wstap's framing check on random and mutated recordings in memory ({@link InputFuzzer#generate}, the fuzzer's
     * mutations, on trimmed real recordings): it never throws and always ends, whatever the sizes and deltas say.
     * {@code wstap.fuzz.iterations} inputs (100 k by default, 10 M under {@code -Pfuzz}).
     */
    @Test
    void noInputMakesTheFramingCheckThrowOrLoop() throws Exception {
        long iterations = Long.getLong("wstap.fuzz.iterations", 100_000);
        List<byte[]> seeds = new java.util.ArrayList<>();
        for (int n : new int[] {3, 300}) {
            seeds.add(JfrTrim.trim(Files.readAllBytes(record("seed" + n + ".jfr", n)), x -> x.startsWith("io.wstap.")));
        }
        long t0 = System.nanoTime();
        // One preemptive bound over the whole run (a loop inside the check would hit it): ≥ 10 000 inputs a second.
        long refused = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(Math.max(120, iterations / 10_000)), () -> {
                    long n = 0;
                    for (long i = 0; i < iterations; i++) {
                        byte[] b = InputFuzzer.generate(new java.util.SplittableRandom(
                                InputFuzzer.SEED ^ (i * 0x9E3779B97F4A7C15L)), seeds, new byte[] {'F', 'L', 'R', 0}, null);
                        JfrFraming.Problem p;
                        try {
                            p = JfrFraming.check(b);
                        } catch (RuntimeException e) {
                            throw new AssertionError("input " + i + " of seed " + InputFuzzer.SEED + " threw " + e, e);
                        }
                        if (p != null) {
                            n++;
                            assertTrue(p.offset() >= 0 && p.offset() < b.length && !p.what().contains("\n"), p.toString());
                        }
                    }
                    return n;
                }, "a framing check that does not end (seed " + InputFuzzer.SEED + ")");
        System.out.printf("JfrFramingTest (seed %d): %d inputs in %.1f s, %d refused, 0 thrown%n", InputFuzzer.SEED,
                iterations, (System.nanoTime() - t0) / 1e9, refused);
        assertTrue(refused > 0, "some mutations make framings the parser would loop on");
    }

    @Test
    void aNegativeEventSizeIsRefusedAtThatEvent() {
        Chunk c = new Chunk();
        c.checkpoint(0);
        long bad = c.event(-1);
        byte[] b = c.bytes(68);
        JfrFraming.Problem p = JfrFraming.check(b);
        assertEquals(new JfrFraming.Problem(bad, "expected a JFR event size, found -1, on which the JDK's parser would"
                + " loop for ever (a damaged event)"), p);
    }

    @Test
    void aConstantPoolChainThatLoopsIsRefusedAndOneThatEndsPasses() {
        Chunk ok = new Chunk();
        long first = ok.checkpoint(0);
        long second = ok.checkpointBack(first);
        assertNull(JfrFraming.check(ok.bytes(second)), "second -> first -> end");

        Chunk loop = new Chunk();
        long a = loop.at();
        loop.checkpoint(Chunk.SIZE); // a's delta leads forward to b
        long b = loop.checkpointBack(a); // b's leads back to a
        assertEquals(new JfrFraming.Problem(16, "expected a chain of JFR constant pools that ends, found one that loops"
                + " (a damaged checkpoint delta), which the JDK's parser would walk for ever"), JfrFraming.check(loop.bytes(b)));
    }

    @Test
    void aChunkStillBeingWrittenIsRefusedAndACutFinishedOneIsLeftToTheParser() {
        Chunk c = new Chunk();
        long cp = c.checkpoint(0);
        byte[] whole = c.bytes(cp);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertNull(JfrFraming.check(cut), "finished but cut: the parser throws for it");
        cut[JfrFraming.STATE_POSITION] = 1;
        assertEquals(8, JfrFraming.check(cut).offset());
        whole[JfrFraming.STATE_POSITION] = (byte) 0xFF;
        assertEquals(JfrFraming.STATE_POSITION, JfrFraming.check(whole).offset());
    }

    private Path record(String name, int frames) throws Exception {
        Path f = dir.resolve(name);
        try (Recording r = new Recording()) {
            r.enable(FrameEvent.class).withoutStackTrace();
            r.start();
            for (int i = 0; i < frames; i++) {
                FrameEvent e = new FrameEvent();
                e.connectionId = i;
                e.direction = "out";
                e.opcode = 2;
                e.payloadLength = i;
                e.commit();
            }
            r.stop();
            r.dump(f);
        }
        return f;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A JFR chunk's framing only (what JfrFraming reads): a header, then fixed-size events. */
    private static final class Chunk {
        static final int SIZE = 32;
        private final ByteArrayOutputStream events = new ByteArrayOutputStream();

        long at() {
            return JfrFraming.HEADER_SIZE + events.size();
        }

        /** A checkpoint event whose delta is {@code delta}; returns its offset. */
        long checkpoint(long delta) {
            long at = at();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            varint(e, SIZE);
            varint(e, JfrFraming.CONSTANT_POOL_TYPE);
            varint(e, 1); // start time
            varint(e, 0); // duration
            varint(e, delta);
            pad(e);
            return at;
        }

        long checkpointBack(long to) {
            return checkpoint(to - at());
        }

        /** An ordinary event whose size field says {@code size}; returns its offset. */
        long event(int size) {
            long at = at();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            varint(e, size & 0xFFFFFFFFL);
            varint(e, 200);
            pad(e);
            return at;
        }

        private void pad(ByteArrayOutputStream e) {
            while (e.size() < SIZE) {
                e.write(0);
            }
            events.writeBytes(e.toByteArray());
        }

        byte[] bytes(long constantPool) {
            int size = JfrFraming.HEADER_SIZE + events.size();
            ByteBuffer b = ByteBuffer.allocate(size);
            b.putInt(JfrFraming.MAGIC).putShort((short) 2).putShort((short) 1).putLong(size).putLong(constantPool)
                    .putLong(0).putLong(0).putLong(0).putLong(0).putLong(1_000_000_000).putInt(1);
            b.put(events.toByteArray());
            return b.array();
        }

        /** RecordingOutput's compressed long: 7 bits a byte, the 9th byte whole. */
        private static void varint(ByteArrayOutputStream out, long v) {
            for (int i = 0; i < 8; i++) {
                if ((v & ~0x7FL) == 0) {
                    out.write((int) v);
                    return;
                }
                out.write((int) (v & 0x7F | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
