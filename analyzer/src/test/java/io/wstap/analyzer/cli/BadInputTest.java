package io.wstap.analyzer.cli;

import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.wstap.analyzer.testing.Wire.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Inputs that are not readable captures: exit 2, nothing on stdout, and one line per bad file on stderr naming the
 * file, the byte offset and what was expected; never a stack trace.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    /** Runs {@code analyze} and checks the refusal is exactly {@code line}. */
    private static void refused(String line, Object... files) {
        Object[] args = new Object[files.length + 1];
        args[0] = "analyze";
        System.arraycopy(files, 0, args, 1, files.length);
        Cli.Run run = Cli.run(args);
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertEquals("", run.out());
        assertEquals(line + "\n", run.err().replace("\r\n", "\n"));
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run.err());
    }

    @Test
    void aMissingFile() {
        Path f = dir.resolve("gone.wstap");
        refused(f + ": at byte 0: expected a capture file, found no such file", f);
    }

    @Test
    void aDirectory() {
        refused(dir + ": at byte 0: expected a capture file, found a directory", dir);
    }

    @Test
    void anEmptyFile() throws IOException {
        Path f = file("empty.wstap", new byte[0]);
        refused(f + ": at byte 0: expected the wstap magic 89 77 73 74 61 70 0d 0a, found an empty file", f);
    }

    @Test
    void randomBytes() throws IOException {
        byte[] b = new byte[4096];
        new Random(42).nextBytes(b);
        b[0] = 0x13; // not the first byte of any known magic
        Path f = file("random.bin", b);
        String found = String.format("%02x %02x %02x %02x %02x %02x %02x %02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
        refused(f + ": at byte 0: expected the wstap magic 89 77 73 74 61 70 0d 0a, found " + found, f);
    }

    @Test
    void aWrongMagicWithTheWstapExtension() throws IOException {
        Path f = file("almost.wstap", hex("89 77 73 74 61 58 0d 0a 00 01 00 00"));
        refused(f + ": at byte 0: expected the wstap magic 89 77 73 74 61 70 0d 0a, found 89 77 73 74 61 58 0d 0a", f);
    }

    @Test
    void aShortTextFile() throws IOException {
        Path f = file("notes.wstap", "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        refused(f + ": at byte 0: expected the wstap magic 89 77 73 74 61 70 0d 0a, found 68 65 6c 6c 6f (then the end "
                + "of the file)", f);
    }

    @Test
    void theMagicAlone() throws IOException {
        Path f = file("magic.wstap", hex("89 77 73 74 61 70 0d 0a"));
        refused(f + ": at byte 8: expected the 2-byte format version, found the end of the file", f);
    }

    @Test
    void anUnknownVersion() throws IOException {
        Path f = file("future.wstap", hex("89 77 73 74 61 70 0d 0a 00 07"));
        refused(f + ": at byte 8: expected format version 1, found version 7 (written by a newer wstap: use a newer "
                + "reader)", f);
        Path zero = file("zero.wstap", hex("89 77 73 74 61 70 0d 0a 00 00"));
        refused(zero + ": at byte 8: expected format version 1, found version 0", zero);
    }

    @Test
    void aPcapCutInsideItsHeaderInEveryByteOrderAndResolution() throws IOException {
        for (String magic : new String[] {"a1 b2 c3 d4", "d4 c3 b2 a1", "a1 b2 3c 4d", "4d 3c b2 a1"}) {
            Path f = file("trace-" + magic.replace(" ", "") + ".wstap", hex(magic + " 00 02 00 04 00 00 00 00"));
            refused(f + ": at byte 0: expected a 24-byte pcap file header, found 12 bytes and the end of the file", f);
        }
    }

    @Test
    void pcapng() throws IOException {
        Path f = file("trace.pcapng", hex("0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a"));
        refused(f + ": at byte 0: expected a pcapng block of 28 bytes, found the end of the file", f);
    }

    @Test
    void aJfrMagicWithoutAChunkHeader() throws IOException {
        Path f = file("recording.jfr", hex("46 4c 52 00 00 02 00 01 00 00"));
        Cli.Run run = Cli.run("analyze", f.toString());
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertEquals("", run.out());
        String err = run.err().strip();
        assertTrue(err.startsWith(f + ": at byte 0: expected a JFR recording (chunk header), got "), err);
        assertFalse(err.contains("\n") || err.contains("\tat "), err);
    }

    @Test
    void oneBadFileAmongGoodOnesStopsTheRunBeforeAnyReport() throws IOException {
        Path good = Seeds.seeds(dir);
        Path bad = file("x.pcap", hex("d4 c3 b2 a1 02 00 04 00"));
        refused(bad + ": at byte 0: expected a 24-byte pcap file header, found 8 bytes and the end of the file", good, bad);
    }

    @Test
    void eachBadFileHasItsLine() throws IOException {
        Path empty = file("empty.wstap", new byte[0]);
        Path gone = dir.resolve("gone.wstap");
        refused(empty + ": at byte 0: expected the wstap magic 89 77 73 74 61 70 0d 0a, found an empty file\n"
                + gone + ": at byte 0: expected a capture file, found no such file", empty, gone);
    }

    @Test
    void theKindComesFromTheBytesNotTheName() throws IOException {
        Path capture = Files.copy(Seeds.seeds(dir), dir.resolve("looks-like.pcap"));
        assertEquals(ExitCodes.FINDINGS, Cli.run("analyze", capture).exit());
    }
}
