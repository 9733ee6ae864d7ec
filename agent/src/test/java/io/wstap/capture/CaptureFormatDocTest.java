package io.wstap.capture;

import io.wstap.engine.Endpoint;
import io.wstap.wire.Frame;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/capture-format.md and the code say the same thing: constants, record tags, the worked example's bytes. */
class CaptureFormatDocTest {
    @TempDir
    Path dir;

    static String doc() throws Exception {
        String docs = System.getProperty("wstap.docs");
        Path p = docs != null ? Path.of(docs, "capture-format.md") : Path.of("..", "docs", "capture-format.md");
        if (!Files.exists(p)) {
            p = Path.of("..", "docs", "capture-format.md");
        }
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void constantsAndTagsAreTheDocs() throws Exception {
        String doc = doc();
        assertTrue(doc.contains("89 77 73 74 61 70 0D 0A"));
        assertEquals("8977737461700d0a", HexFormat.of().formatHex(Format.MAGIC));
        assertTrue(doc.contains("`FE 57 42 4B`"));
        assertEquals(0xFE57424B, Format.MARKER);
        assertTrue(doc.contains("# The wstap capture format (`.wstap`), version " + CaptureWriter.VERSION));
        Map<Integer, String> tags = Map.of(Format.CONNECTION, "CONNECTION", Format.JOINED, "JOINED",
                Format.HANDSHAKE, "HANDSHAKE", Format.INVALID_TEXT, "INVALID_TEXT", Format.TCP_CLOSED, "TCP_CLOSED",
                Format.STACK, "STACK", Format.LOST, "LOST", Format.TAP_ERRORS, "TAP_ERRORS", Format.END, "END",
                Format.EXTENSION, "EXTENSION");
        tags.forEach((tag, name) -> assertTrue(doc.contains(String.format("| 0x%02X | %s |", tag, name)), name));
        assertTrue(doc.contains("(`CaptureWriter.LINGER_NANOS`"));
        assertEquals(10_000_000_000L, CaptureWriter.LINGER_NANOS);
        assertTrue(doc.contains("past 64 KiB (`CaptureWriter.BLOCK_TARGET`"));
        assertEquals(64 * 1024, CaptureWriter.BLOCK_TARGET);
    }

    @Test
    void theWorkedExampleIsWhatTheWriterWrites() throws Exception {
        Path p = dir.resolve("ex.wstap");
        Frame f = new Frame();
        try (CaptureWriter w = CaptureWriter.create(p, new CaptureHeader(1, "h", 42, "VM", 1_000, 5_000, null), 0)) {
            w.connection(7, 1_000_000, "10.0.0.1:50000", "10.0.0.2:443", Transport.PLAIN);
            w.frame(7, 1_048_213, Endpoint.LOCAL, f.set(true, 0, Opcode.TEXT, true, 0x37FA213D, 64, 6, 0, false, false,
                    false, null, 0, 0), -1);
            w.frame(7, 1_060_000, Endpoint.REMOTE, f.set(true, 0, Opcode.TEXT, false, 0, 64, 2, 0, false, false, false,
                    null, 0, 0), -1);
            w.frame(7, 1_075_000, Endpoint.REMOTE, f.set(true, 0, Opcode.TEXT, false, 0, 64, 2, 66, false, false, false,
                    null, 0, 0), -1);
            w.endOfCapture(2_000_000);
        }
        String hex = HexFormat.ofDelimiter(" ").formatHex(Files.readAllBytes(p));
        String doc = doc();
        for (String record : List.of("01 00 07 00 00 0f 31 30", "d9 08 01 aa f1 05 40 37 fa 21 3d 00",
                "f1 08 01 96 b8 01 40 00", "b1 01 b0 ea 01 40", "09 90 f5 70")) {
            assertTrue(doc.contains(record), "doc shows " + record);
            assertTrue(hex.contains(record), "writer writes " + record);
        }
        assertTrue(hex.endsWith("b1 01 b0 ea 01 40 09 90 f5 70"), hex);
    }
}
