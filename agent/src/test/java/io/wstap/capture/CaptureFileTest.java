package io.wstap.capture;

import io.wstap.capture.ScenarioAccess.Scenario;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Reconstruction;
import io.wstap.wire.Frame;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The file itself: created new and private, never overwritten, rotated into files that each read alone. */
class CaptureFileTest {
    private static final Set<PosixFilePermission> OWNER_ONLY = Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    @TempDir
    Path dir;

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    @Test
    void theFileIsReadableAndWritableByItsOwnerOnly() throws Exception {
        assumeTrue(posix(), "POSIX permissions");
        Path file = dir.resolve("perm.wstap");
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(file));
            assertEquals(file, w.currentFile());
        }
        assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(file));
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("precious.wstap");
        Files.writeString(file, "precious");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> CaptureWriter.create(file, Captures.header(), 0));
        assertEquals(file + ": exists; a wstap capture never overwrites a file (choose another name or remove it)",
                e.getMessage());
        assertEquals("precious", Files.readString(file));
    }

    @Test
    void aRotatedFileThatExistsStopsTheCaptureWithoutOverwritingIt() throws Exception {
        Path file = dir.resolve("r.wstap");
        Path second = dir.resolve("r-1.wstap");
        Files.writeString(second, "precious");
        Frame f = new Frame();
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 2000)) {
            w.connection(1, 0, "a:1", "b:2", Transport.PLAIN);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    w.frame(1, i, Endpoint.REMOTE, f.set(true, 0, Opcode.TEXT, false, 0, 64, 2, 66L * i, false, false,
                            false, null, 0, 0), -1);
                    w.flush();
                }
            });
            assertInstanceOf(FileAlreadyExistsException.class, e.getCause());
            assertTrue(e.getMessage().contains(second.toString()), e.getMessage());
        } catch (Exception closing) {
            // closing a writer whose rotation failed may fail too
        }
        assertEquals("precious", Files.readString(second));
    }

    @Test
    void wrongUseIsRefused() throws Exception {
        CaptureHeader h = Captures.header();
        CaptureHeader v2 = new CaptureHeader(2, h.host(), h.pid(), h.jvm(), h.wallClockEpochNanos(),
                h.monotonicNanosAtAnchor(), h.options());
        assertThrows(IllegalArgumentException.class, () -> CaptureWriter.create(dir.resolve("v2.wstap"), v2, 0));
        assertThrows(IllegalArgumentException.class, () -> CaptureWriter.create(dir.resolve("neg.wstap"), h, -1));
        assertFalse(Files.exists(dir.resolve("v2.wstap")));
        CaptureWriter w = CaptureWriter.create(dir.resolve("closed.wstap"), h, 0);
        // A Close frame or a negative length is not a plain frame: written as one, it would misparse its block.
        assertThrows(IllegalArgumentException.class,
                () -> w.plainFrame(1, 1, Endpoint.LOCAL, true, 0, Opcode.CLOSE, false, 0, 2, 0));
        assertThrows(IllegalArgumentException.class,
                () -> w.plainFrame(1, 1, Endpoint.LOCAL, true, 0, Opcode.BINARY, false, 0, -1, 0));
        w.close();
        w.close();
        assertThrows(IllegalStateException.class, () -> w.lost(1, 1));
        assertThrows(IllegalStateException.class, w::flush);
    }

    @Test
    void rotatedFilesAreNamedAfterTheFirst() {
        assertEquals(dir.resolve("cap.wstap"), CaptureWriter.rotatedFile(dir.resolve("cap.wstap"), 0));
        assertEquals(dir.resolve("cap-1.wstap"), CaptureWriter.rotatedFile(dir.resolve("cap.wstap"), 1));
        assertEquals(dir.resolve("cap-12.wstap"), CaptureWriter.rotatedFile(dir.resolve("cap.wstap"), 12));
        assertEquals(dir.resolve("cap.bin-2.wstap"), CaptureWriter.rotatedFile(dir.resolve("cap.bin"), 2));
    }

    @Test
    void rotationGivesFilesThatEachReadAloneAndTogetherGiveTheLiveReconstructions() throws Exception {
        rotate(ScenarioAccess.all(), 8192, 1_000_000_000L, 25, 4);
    }

    @Test
    void aLimitBelowOneRecordStillMakesProgressOneRecordPerFile() throws Exception {
        rotate(ScenarioAccess.all().subList(0, 6), 300, 137_000, 0, 20);
    }

    /**
     * Connections spread {@code spacing} apart, so that a few are open at a time, as in a real capture: a file can pass
     * maxBytes only when the re-declarations of the open connections (and one record) alone do.
     */
    private void rotate(List<Scenario> scenarios, long maxBytes, long spacing, int flushEvery, int minFiles) throws Exception {
        Path first = dir.resolve("rot.wstap");
        EventLog written = new EventLog();
        Map<Long, Reconstruction> live;
        try (CaptureWriter w = CaptureWriter.create(first, Captures.header(), maxBytes)) {
            live = LiveCapture.run(scenarios, 1000, spacing, new Tee(w, written), false, flushEvery, w::flush);
            assertTrue(w.currentPart() >= minFiles - 1, "parts: " + w.currentPart());
        }
        List<Path> files = CaptureReader.series(first);
        assertTrue(files.size() >= minFiles, "files: " + files.size());
        long total = 0;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            total += Files.size(f);
            if (posix()) {
                assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(f));
            }
            // Each file alone: its header, no damage, every connection declared (re-declared when carried over).
            try (CaptureReader r = CaptureReader.open(f)) {
                assertEquals(Captures.header(), r.header());
                assertEquals(i, r.part());
                EventLog alone = new EventLog();
                CaptureReplay replay = new CaptureReplay(id -> scenarios.get((int) (id - 1000)).options());
                ReadReport report = r.readAll(new Tee(alone, replay));
                assertTrue(report.clean(), f + ": " + report);
                assertEquals(List.of(), alone.undeclared, f.toString());
                replay.finish().reconstructions();
            }
            if (maxBytes >= 1000) {
                assertTrue(Files.size(f) <= maxBytes, f + ": " + Files.size(f) + " bytes");
            }
        }
        // Together: exactly the events written, and the live reconstructions.
        EventLog together = new EventLog();
        CaptureReplay replay = new CaptureReplay(id -> scenarios.get((int) (id - 1000)).options());
        ReadReport report = CaptureReader.readSeries(files, new Tee(together, replay));
        assertTrue(report.clean(), report.toString());
        assertEquals(written.lines, together.lines);
        assertEquals(live, replay.finish().reconstructions());
        System.out.printf("rotation at %d bytes: %d files, %d bytes in all, sizes %s%n", maxBytes, files.size(), total,
                files.stream().map(f -> {
                    try {
                        return Files.size(f);
                    } catch (java.io.IOException e) {
                        return -1L;
                    }
                }).toList());
    }

    @Test
    void aForgottenOrFullyClosedConnectionIsNotCarriedOver() throws Exception {
        Path first = dir.resolve("forget.wstap");
        Frame f = new Frame();
        try (CaptureWriter w = CaptureWriter.create(first, Captures.header(), 1000)) {
            w.connection(1, 0, "a:1", "b:2", Transport.PLAIN);
            w.connection(2, 0, "a:3", "b:4", Transport.TLS);
            w.connection(3, 0, "a:5", "b:6", Transport.PLAIN);
            w.connection(4, 0, "a:7", "b:8", Transport.PLAIN);
            w.tcpClosed(4, -CaptureWriter.LINGER_NANOS - 100, Endpoint.LOCAL, io.wstap.engine.TcpEnd.FIN, -1); // long ago
            w.forget(1);
            w.tcpClosed(2, 1, Endpoint.LOCAL, io.wstap.engine.TcpEnd.FIN, -1);
            w.tcpClosed(2, 2, Endpoint.REMOTE, io.wstap.engine.TcpEnd.FIN, -1);
            w.tcpClosed(3, 3, Endpoint.REMOTE, io.wstap.engine.TcpEnd.RESET, -1);
            for (int i = 0; i < 200 && w.currentPart() == 0; i++) {
                w.frame(3, 10 + i, Endpoint.LOCAL, f.set(true, 0, Opcode.BINARY, true, i, 64, 6, 70L * i, false, false,
                        false, null, 0, 0), -1);
            }
            assertEquals(1, w.currentPart());
        }
        EventLog second = new EventLog();
        Captures.read(CaptureWriter.rotatedFile(first, 1), second);
        assertEquals("connection 3 0 a:5 b:6 PLAIN", second.lines.get(0));
        assertEquals("tcpClosed 3 3 REMOTE RESET stack=-1", second.lines.get(1));
        assertTrue(second.lines.get(2).startsWith("frame 3 "), second.lines.toString());
    }
}
