package io.wstap.agent.it;

import io.wstap.capture.CaptureReplay;
import io.wstap.capture.ReadReport;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host comes first: overload drops and counts, SIGKILL keeps what was flushed, reasons can be redacted. */
class ReliabilityIT {
    @TempDir
    Path dir;

    @Test
    void aBurstThroughATinyRingIsDroppedAndCountedWhileTheApplicationSeesEveryByte() throws Exception {
        Path capture = dir.resolve("burst.wstap");
        int frames = 20_000;
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture + ",ring=64", BurstApp.class.getName(), 90,
                Integer.toString(frames));
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("echoed " + frames, run.stdout().trim(), "the application's traffic is untouched");
        CaptureReplay replay = new CaptureReplay();
        ReadReport report = CaptureReplay.replay(capture, replay);
        assertTrue(report.clean(), "dropping records never damages the file: " + report);
        assertTrue(replay.lostRecords() > 0, "a 4 KiB ring cannot hold a 20 000-frame burst");
        long captured = replay.reconstructions().values().stream().mapToLong(r -> r.framesFrom(Role.CLIENT)).sum();
        // Records are dropped, never invented: both sockets together saw 2 x 20 001 client frames at most.
        assertTrue(captured < 2L * (frames + 1), "captured " + captured);
        assertTrue(Files.size(capture) > 0);
    }

    @Test
    void sigkillKeepsEverythingUpToTheLastFlush() throws Exception {
        Path capture = dir.resolve("killed.wstap");
        Path out = dir.resolve("forever.out");
        Path err = dir.resolve("forever.err");
        Process app = ForkedJvm.start("file=" + capture, ForkedJvm.testClasses(), ForeverApp.class.getName(), out, err);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(out) || !Files.readString(out).contains("SENDING")) {
            assertTrue(app.isAlive() && System.nanoTime() < deadline, "the app did not start sending");
            Thread.sleep(20);
        }
        Thread.sleep(2500);
        app.destroyForcibly(); // SIGKILL: no shutdown hook, no final flush
        assertTrue(app.waitFor(30, TimeUnit.SECONDS));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(capture)));

        CaptureReplay replay = new CaptureReplay();
        ReadReport report = CaptureReplay.replay(capture, replay);
        assertFalse(replay.endRecordSeen(), "a killed JVM writes no end record");
        assertTrue(report.damage().isEmpty() || report.truncated(), report.toString());
        assertEquals(2, replay.reconstructions().size(), replay.reconstructions().toString());
        for (Reconstruction r : replay.reconstructions().values()) {
            assertEquals(Outcome.OPEN, r.outcome());
            // 2.5 s of a message every 2 ms (a few hundred); flushed at least once a second, so at least ~1.5 s of it.
            assertTrue(r.framesFrom(Role.CLIENT) > 100, "frames recovered: " + r.framesFrom(Role.CLIENT));
        }
    }

    @Test
    void closeReasonsCanBeHashedOrDropped() throws Exception {
        for (String mode : List.of("hash", "drop")) {
            Path capture = dir.resolve("reasons-" + mode + ".wstap");
            ForkedJvm.Result run = ForkedJvm.run("file=" + capture + ",reasons=" + mode, EchoApp.class.getName(), 60);
            assertEquals(0, run.exitCode(), run.stderr());
            CaptureReplay replay = new CaptureReplay();
            CaptureReplay.replay(capture, replay);
            for (Reconstruction r : replay.reconstructions().values()) {
                List<String> reasons = r.closeFrames().stream().map(CloseRecord::reason).toList();
                assertEquals(List.of(1000, 1000), r.closeFrames().stream().map(CloseRecord::code).toList());
                if (mode.equals("drop")) {
                    assertEquals(List.of("", ""), reasons);
                } else {
                    // "done" hashed: equal reasons still match, the text is gone.
                    assertTrue(reasons.get(0).matches("sha256:[0-9a-f]{16}"), reasons.toString());
                    assertEquals(reasons.get(0), reasons.get(1));
                }
            }
            assertTrue(!new String(Files.readAllBytes(capture), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains("done"), "the reason's text is not in the file");
        }
    }

    @Test
    void theAgentStartsOnlyItsWriterThreadAndOpensNoSocket() throws Exception {
        Path keep = dir.resolve("footprint.wstap");
        List<String> jfr = List.of("-XX:StartFlightRecording:filename=" + dir.resolve("f.jfr"));
        for (List<String> jvm : List.of(List.<String>of(), jfr)) {
            ForkedJvm.Result without = ForkedJvm.run(null, jvm, ForkedJvm.testClasses(), FootprintApp.class.getName(), 60);
            Files.deleteIfExists(keep);
            ForkedJvm.Result with = ForkedJvm.run("file=" + keep, jvm, ForkedJvm.testClasses(),
                    FootprintApp.class.getName(), 60);
            assertEquals(0, without.exitCode(), without.stderr());
            assertEquals(0, with.exitCode(), with.stderr());
            java.util.Set<String> added = footprint(with);
            added.removeAll(footprint(without));
            java.util.Set<String> gone = footprint(without);
            gone.removeAll(footprint(with));
            assertEquals(java.util.Set.of("THREAD wstap-writer"), added, "with " + jvm + ": " + with.stdout());
            assertEquals(java.util.Set.of(), gone, "with " + jvm + ": " + with.stdout());
            // The only socket either way is the application's own listening one (its connection is closed).
            assertEquals(List.of("LISTEN app"), footprint(with).stream().filter(l -> !l.startsWith("THREAD ")).toList());
            assertTrue(footprint(with).size() > 5, footprint(with).toString());
            CaptureReplay replay = new CaptureReplay();
            CaptureReplay.replay(keep, replay);
            assertEquals(2, replay.reconstructions().size(), "the agent was capturing");
        }
    }

    /** FootprintApp's lines (JFR's own start-up lines left out). */
    private static java.util.Set<String> footprint(ForkedJvm.Result run) {
        return new java.util.TreeSet<>(run.stdout().lines().filter(l -> l.matches("(THREAD|LISTEN|UDP|TCP) .*")).toList());
    }
}
