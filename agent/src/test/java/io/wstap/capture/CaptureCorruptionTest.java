package io.wstap.capture;

import io.wstap.capture.Captures.Block;
import io.wstap.capture.ScenarioAccess.Scenario;
import io.wstap.engine.Reconstruction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged, torn and foreign files: a read never throws on damage, loses only the damaged blocks, and says where. */
class CaptureCorruptionTest {
    @TempDir
    Path dir;

    private Path file;
    private byte[] bytes;
    private List<Block> blocks;
    private List<String> all;
    /** eventsBefore[k]: events in blocks 0..k-1. */
    private int[] eventsBefore;

    @BeforeEach
    void writeAMultiBlockCapture() throws Exception {
        file = dir.resolve("c.wstap");
        List<Scenario> scenarios = ScenarioAccess.all();
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            LiveCapture.run(scenarios, 1000, 137_000, w, false, 25, w::flush);
        }
        bytes = Files.readAllBytes(file);
        blocks = Captures.blocks(file);
        EventLog log = new EventLog();
        Captures.read(file, log);
        all = log.lines;
        eventsBefore = new int[blocks.size() + 1];
        for (int k = 1; k <= blocks.size(); k++) {
            EventLog prefix = new EventLog();
            ReadReport r = Captures.read(copy(Arrays.copyOf(bytes, (int) blocks.get(k - 1).end()), "prefix"), prefix);
            assertTrue(r.clean());
            eventsBefore[k] = prefix.lines.size();
            assertEquals(all.subList(0, eventsBefore[k]), prefix.lines);
        }
        assertEquals(all.size(), eventsBefore[blocks.size()]);
        assertTrue(blocks.size() > 20);
    }

    private Path copy(byte[] content, String name) throws Exception {
        Path p = dir.resolve(name + ".wstap");
        Files.deleteIfExists(p);
        Files.write(p, content);
        return p;
    }

    /** All events except those of block k. */
    private List<String> allBut(int k) {
        List<String> l = new ArrayList<>(all.subList(0, eventsBefore[k]));
        l.addAll(all.subList(eventsBefore[k + 1], all.size()));
        return l;
    }

    private void assertOnlyBlockLost(byte[] damaged, int k, String why) throws Exception {
        EventLog log = new EventLog();
        CaptureReplay replay = new CaptureReplay();
        ReadReport r = Captures.read(copy(damaged, "damaged"), new Tee(log, replay));
        Block b = blocks.get(k);
        assertEquals(List.of(new Damage(b.offset(), b.size(), why)), r.damage(), "block " + k);
        assertEquals(blocks.size() - 1, r.blocks());
        assertFalse(r.truncated());
        assertEquals(k == blocks.size() - 1 ? b.offset() : bytes.length, r.validBytes()); // past the last good block
        assertEquals(allBut(k), log.lines);
        replay.finish().reconstructions(); // events of connections declared in the lost block still replay
    }

    @Test
    void aFlippedPayloadBitLosesThatBlockOnly() throws Exception {
        for (int k : new int[] {1, 2, blocks.size() / 2, blocks.size() - 1}) {
            Block b = blocks.get(k);
            for (long at : new long[] {b.offset() + 16, b.offset() + 16 + (b.size() - 16) / 2, b.end() - 1}) {
                byte[] damaged = bytes.clone();
                damaged[(int) at] ^= 0x10;
                assertOnlyBlockLost(damaged, k, "block CRC mismatch");
            }
        }
    }

    @Test
    void aFlippedBitInABlockHeaderLosesThatBlockOnly() throws Exception {
        int k = blocks.size() / 3;
        long at = blocks.get(k).offset();
        byte[] damaged = bytes.clone();
        damaged[(int) at + 5] ^= 0x01; // the length
        assertOnlyBlockLost(damaged, k, "block header checksum mismatch");
        damaged = bytes.clone();
        damaged[(int) at + 9] ^= 0x40; // the payload CRC
        assertOnlyBlockLost(damaged, k, "block header checksum mismatch");
        damaged = bytes.clone();
        damaged[(int) at + 2] ^= 0x01; // the marker
        assertOnlyBlockLost(damaged, k, "no block marker");
    }

    @Test
    void aDamagedHeaderBlockLeavesTheHeaderUnknownAndTheEventsRead() throws Exception {
        byte[] damaged = bytes.clone();
        damaged[30] ^= 0x04;
        Path p = copy(damaged, "header");
        try (CaptureReader r = CaptureReader.open(p)) {
            assertNull(r.header().host());
            assertEquals(-1, r.header().pid());
            assertEquals(CaptureWriter.VERSION, r.header().version());
            assertEquals(-1, r.part());
            EventLog log = new EventLog();
            ReadReport report = r.readAll(log);
            assertEquals(List.of(new Damage(10, blocks.get(0).size(), "block CRC mismatch")), report.damage());
            assertEquals(all, log.lines);
        }
    }

    @Test
    void eventsOfAConnectionWhoseDeclarationWasLostComeAsUndeclaredAndReplayAsJoinedMidStream() throws Exception {
        Scenario s = ScenarioAccess.all().stream().filter(x -> x.name().equals("seed-client-closes-1000-clean"))
                .findFirst().orElseThrow();
        Path one = dir.resolve("one.wstap");
        Reconstruction live;
        try (CaptureWriter w = CaptureWriter.create(one, Captures.header(), 0)) {
            live = LiveCapture.run(List.of(s), 7, 0, w, true, 1, w::flush).get(7L); // a block per step
        }
        byte[] damaged = Files.readAllBytes(one);
        List<Block> b = Captures.blocks(one);
        damaged[(int) b.get(1).offset() + 20] ^= 0x01; // the block with the connection event and the upgrade request
        CaptureReplay replay = new CaptureReplay();
        EventLog log = new EventLog();
        ReadReport r = Captures.read(copy(damaged, "undeclared"), new Tee(log, replay));
        assertEquals(1, r.damage().size());
        assertEquals(List.of(7L), log.undeclared);
        Reconstruction replayed = replay.finish().reconstructions().get(7L);
        assertTrue(replayed.joinedMidStream());
        assertEquals(live.outcome(), replayed.outcome());
        assertEquals(live.clientEndpoint(), replayed.clientEndpoint());
        assertEquals(live.closeFrames().get(0).code(), replayed.closeFrames().get(0).code());
    }

    @Test
    void aFileCutAnywhereReadsUpToItsLastWholeBlock() throws Exception {
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int k = 0; k <= 20; k++) {
            int c = (int) ((long) bytes.length * k / 20);
            for (int odd : new int[] {0, 1, 7, 13, 16, 17}) {
                cuts.add(Math.min(bytes.length, c + odd));
            }
        }
        for (int k = 0; k < 5; k++) {
            int e = (int) blocks.get(k).end();
            cuts.addAll(List.of(e - 1, e, e + 1, e + 15, e + 16, e + 17));
        }
        for (int c = 0; c <= 12; c++) {
            cuts.add(c);
        }
        for (int cut : cuts) {
            Path p = copy(Arrays.copyOf(bytes, cut), "cut");
            if (cut < 10) {
                assertThrows(CaptureException.class, () -> CaptureReader.open(p), "cut at " + cut);
                continue;
            }
            int whole = 0;
            long lastEnd = 10;
            for (int k = 0; k < blocks.size() && blocks.get(k).end() <= cut; k++) {
                whole = k + 1;
                lastEnd = blocks.get(k).end();
            }
            EventLog log = new EventLog();
            ReadReport r = Captures.read(p, log);
            String at = "cut at " + cut + " of " + bytes.length;
            assertEquals(all.subList(0, eventsBefore[whole]), log.lines, at);
            assertEquals(cut != lastEnd, r.truncated(), at);
            assertEquals(lastEnd, r.validBytes(), at);
            assertEquals(whole, r.blocks(), at);
            if (cut != lastEnd) {
                assertEquals(1, r.damage().size(), at);
                assertEquals(lastEnd, r.damage().get(0).offset(), at);
                assertEquals(cut - lastEnd, r.damage().get(0).length(), at);
                assertTrue(r.damage().get(0).what().startsWith("truncated block"), at + ": " + r.damage());
            } else {
                assertEquals(List.of(), r.damage(), at);
            }
        }
    }

    @Test
    void garbageBetweenBlocksAndAZeroFilledTailAreSkipped() throws Exception {
        int k = blocks.size() / 2;
        int at = (int) blocks.get(k).offset();
        byte[] garbage = new byte[1000];
        new Random(1).nextBytes(garbage);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.write(garbage);
        out.write(bytes, at, bytes.length - at);
        out.write(new byte[4096]); // a tail of zeros, as a file system may leave after a crash
        EventLog log = new EventLog();
        ReadReport r = Captures.read(copy(out.toByteArray(), "garbage"), log);
        assertEquals(List.of(new Damage(at, 1000, "no block marker"), new Damage(bytes.length + 1000, 4096, "no block marker")),
                r.damage());
        assertEquals(all, log.lines);
        assertEquals(bytes.length + 1000, r.validBytes());
    }

    @Test
    void randomDamageNeverThrows() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] damaged = bytes.clone();
            int flips = 1 + random.nextInt(8);
            for (int f = 0; f < flips; f++) {
                int at = 10 + random.nextInt(damaged.length - 10);
                if (random.nextBoolean()) {
                    damaged[at] ^= 1 << random.nextInt(8);
                } else {
                    damaged[at] = (byte) random.nextInt(256);
                }
            }
            int length = random.nextInt(4) == 0 ? 10 + random.nextInt(damaged.length - 10) : damaged.length;
            EventLog log = new EventLog();
            ReadReport r = Captures.read(copy(Arrays.copyOf(damaged, length), "random"), log);
            assertTrue(r.damage().size() <= flips + 1, r.toString());
            assertTrue(log.lines.size() <= all.size() + flips);
        }
    }

    /** Blocks whose CRCs hold but whose payloads are random: the decoder reports them malformed, never throws. */
    @Test
    void malformedPayloadsWithGoodChecksumsAreReportedNotThrown() throws Exception {
        Random random = new Random(7);
        int malformed = 0;
        for (int i = 0; i < 2000; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(bytes, 0, (int) blocks.get(0).end()); // magic, version, header block
            int n = 1 + random.nextInt(3);
            for (int b = 0; b < n; b++) {
                byte[] payload = new byte[1 + random.nextInt(i % 10 == 0 ? 3000 : 60)];
                random.nextBytes(payload);
                payload[0] = random.nextInt(10) == 0 ? (byte) random.nextInt(256) : (byte) 'D';
                if (random.nextBoolean() && payload.length > 10) {
                    payload[9] = (byte) (random.nextBoolean() ? 0x80 | random.nextInt(128) : random.nextInt(12));
                }
                out.write(Captures.block(payload));
            }
            ReadReport r = Captures.read(copy(out.toByteArray(), "fuzz"), new EventLog());
            malformed += r.damage().size();
            assertFalse(r.truncated());
        }
        assertTrue(malformed > 1000, "most random payloads are malformed: " + malformed);
    }

    @Test
    void unknownRecordsOfANewerWriterAreSkippedWhenMarkedSkippable() throws Exception {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write('D');
        payload.write(ByteBuffer.allocate(8).putLong(1000).array());
        payload.write(new byte[] {0x0A, 0x05, 0x03, 1, 2, 3}); // EXTENSION kind 5, 3 bytes
        payload.write(new byte[] {0x07, 0x02, 0x09}); // LOST, +1 ns, 9 records
        payload.write(new byte[] {0x09, 0x02}); // END, +1 ns
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, (int) blocks.get(0).end());
        out.write(Captures.block(payload.toByteArray()));
        EventLog log = new EventLog();
        ReadReport r = Captures.read(copy(out.toByteArray(), "ext"), log);
        assertTrue(r.clean(), r.toString());
        assertEquals(List.of("lost 1001 9", "end 1002"), log.lines);
    }

    // ---- not a capture --------------------------------------------------------------------------------------------

    private CaptureException notACapture(byte[] content) throws Exception {
        Path p = copy(content, "foreign");
        return assertThrows(CaptureException.class, () -> CaptureReader.open(p));
    }

    @Test
    void wrongMagicNamesTheFileTheOffsetAndWhatWasExpected() throws Exception {
        CaptureException e = notACapture("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Path p = dir.resolve("foreign.wstap");
        assertEquals(p + ": at byte 0: expected the wstap magic 89 77 73 74 61 70 0d 0a, found 47 45 54 20 2f 20 48 54",
                e.getMessage());
        assertEquals(p, e.file());
        assertEquals(0, e.offset());
    }

    @Test
    void anUnknownVersionIsNamed() throws Exception {
        byte[] v7 = bytes.clone();
        v7[8] = 0;
        v7[9] = 7;
        CaptureException e = notACapture(v7);
        assertEquals(dir.resolve("foreign.wstap") + ": at byte 8: expected format version 1, found version 7"
                + " (written by a newer wstap: use a newer reader)", e.getMessage());
        v7[9] = 0;
        assertTrue(notACapture(v7).getMessage().endsWith("expected format version 1, found version 0"));
    }

    @Test
    void pcapPcapngJfrAndEmptyFilesAreRefused() throws Exception {
        byte[] pcap = {(byte) 0xD4, (byte) 0xC3, (byte) 0xB2, (byte) 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertTrue(notACapture(pcap).getMessage().endsWith("found d4 c3 b2 a1 02 00 04 00 (a pcap capture, not a wstap capture)"));
        byte[] pcapBigEndian = {(byte) 0xA1, (byte) 0xB2, (byte) 0xC3, (byte) 0xD4, 0, 2, 0, 4, 0, 0, 0, 0};
        assertTrue(notACapture(pcapBigEndian).getMessage().contains("(a pcap capture"));
        byte[] pcapNano = {(byte) 0x4D, (byte) 0x3C, (byte) 0xB2, (byte) 0xA1, 2, 0, 4, 0, 0, 0, 0, 0};
        assertTrue(notACapture(pcapNano).getMessage().contains("(a pcap capture"));
        byte[] pcapng = {0x0A, 0x0D, 0x0D, 0x0A, 0, 0, 0, 0x1C, 0x1A, 0x2B, 0x3C, 0x4D};
        assertTrue(notACapture(pcapng).getMessage().contains("(a pcapng capture"));
        byte[] jfr = {'F', 'L', 'R', 0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        assertTrue(notACapture(jfr).getMessage().endsWith("found 46 4c 52 00 00 02 00 01 (a JFR recording, not a wstap capture)"));
        CaptureException empty = notACapture(new byte[0]);
        assertEquals(dir.resolve("foreign.wstap") + ": at byte 0: expected the wstap magic 89 77 73 74 61 70 0d 0a, found an empty file",
                empty.getMessage());
        assertTrue(notACapture(Arrays.copyOf(bytes, 5)).getMessage().endsWith("found 89 77 73 74 61 and the end of the file"));
        assertTrue(notACapture(Arrays.copyOf(bytes, 9)).getMessage().contains(": at byte 8: expected the 2-byte format version"));
        CaptureException missing = assertThrows(CaptureException.class, () -> CaptureReader.open(dir.resolve("none.wstap")));
        assertTrue(missing.getMessage().startsWith(dir.resolve("none.wstap") + ": at byte 0: expected a readable file"),
                missing.getMessage());
    }
}
