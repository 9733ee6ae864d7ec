package io.wstap.analyzer.source;

import io.wstap.analyzer.testing.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated wstap captures through the analyzer ({@link InputFuzzer}: CaptureReader's blocks, CRCs and
 * record decoding, the replay through the engine, the reconstructions): read with damage reported, or refused in one
 * line, never anything else, never a hang. Seeds: real captures written by the agent's CaptureWriter from engine
 * events (the golden seeds' ten connections of every kind, and a client/server pair), one to three records a block;
 * half the mutated inputs have their block CRCs made good again ({@link #reseal}), so mutations reach the decoder.
 * {@code wstap.fuzz.capture.iterations} inputs (10 k by default, 10 M under {@code -Pfuzz}) on two threads, through
 * files in a RAM file system when there is one ({@code /dev/shm}), as {@code wstap analyze} reads them.
 */
class CaptureFuzzTest {
    static final long ITERATIONS = Long.getLong("wstap.fuzz.capture.iterations", 10_000);
    static final int MARKER = 0xFE57424B;
    static final java.util.concurrent.atomic.AtomicLong resealed = new java.util.concurrent.atomic.AtomicLong();

    @TempDir
    Path dir;

    @Test
    void noCaptureFileMakesTheAnalyzerThrowOrHang() throws Exception {
        List<Path> files = new ArrayList<>();
        files.add(Seeds.seeds(dir));
        files.addAll(Seeds.pair(dir));
        List<byte[]> seeds = new ArrayList<>();
        for (Path f : files) {
            seeds.add(Files.readAllBytes(f));
        }
        CaptureInput in = CaptureSource.read(1, CaptureSource.plan(List.of(files.get(0))).get(0), Progress.NONE);
        assertEquals(10, in.replay().reconstructions().size(), "the seed holds its ten connections");

        Path ram = Path.of("/dev/shm");
        Path work = Files.isDirectory(ram) && Files.isWritable(ram) ? Files.createTempDirectory(ram, "wstap-fuzz-") : dir;
        try {
            byte[] magic = java.util.Arrays.copyOf(seeds.get(0), 10); // the magic and version: random blocks after it
            InputFuzzer.Result r = InputFuzzer.runOnThreads(2, "capture", seeds, magic, work, "fuzz.wstap", ITERATIONS,
                    InputFuzzer.Way.FILE, CaptureFuzzTest::reseal);
            System.out.println("CaptureFuzzTest (seed " + InputFuzzer.SEED + ", seeds of " + seeds.stream()
                    .map(b -> b.length).toList() + " bytes, in " + work + "): " + r);
            assertTrue(r.read() > 0 && r.refused() > 0, r.toString());
            assertTrue(resealed.get() > ITERATIONS / 4, "half the mutated inputs get good checksums: " + resealed);
        } finally {
            InputFuzzer.deleteDirectory(work, dir);
        }
    }

    /**
     * The capture's block CRCs made to hold again after a mutation (docs/capture-format.md: marker, length, payload
     * CRC32C, CRC32C of those 12 bytes), so that a mutated length or payload reaches the record decoder, not only the
     * CRC check. Every marker found is resealed as far as its length stays inside the input.
     */
    static byte[] reseal(byte[] b) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
        boolean any = false;
        for (int at = 10; at + 16 <= b.length; at++) {
            if (buf.getInt(at) != MARKER) {
                continue;
            }
            int length = buf.getInt(at + 4);
            if (length < 0 || length > b.length - at - 16) {
                continue;
            }
            crc.reset();
            crc.update(b, at + 16, length);
            buf.putInt(at + 8, (int) crc.getValue());
            crc.reset();
            crc.update(b, at, 12);
            buf.putInt(at + 12, (int) crc.getValue());
            any = true;
        }
        if (any) {
            resealed.incrementAndGet();
        }
        return b;
    }
}
