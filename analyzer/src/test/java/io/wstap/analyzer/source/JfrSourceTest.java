package io.wstap.analyzer.source;

import io.wstap.analyzer.cli.ExitCodes;
import io.wstap.analyzer.testing.Cli;
import io.wstap.jfr.CloseFrameEvent;
import io.wstap.jfr.ConnectionClosedEvent;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JFR input without the agent: recordings made in this JVM (the full run under the agent is samples' JfrInputIT). */
class JfrSourceTest {
    @TempDir
    Path dir;

    @Test
    void aRecordingWithoutWstapEventsReportsNoConnectionAndSaysSo() throws Exception {
        Path f = dir.resolve("plain.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.JVMInformation");
            r.start();
            Thread.sleep(20);
            r.stop();
            r.dump(f);
        }
        Cli.Run run = Cli.run("analyze", "--format", "json", f.toString());
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
        assertTrue(run.out().contains("\"connections\": []") || run.out().contains("\"connections\":[]"), run.out());
        assertEquals(f + ": no wstap events in this JFR recording (was the agent on, with wstap.jfc?)",
                run.err().strip());
    }

    @Test
    void eventsCommittedByHandAreOneConnection() throws Exception {
        Path f = recordOneConnection();
        CaptureInput in = JfrSource.read(1, f, Progress.NONE);
        assertEquals(1, in.replay().reconstructions().size(), in.replay().reconstructions().toString());
        var r = in.replay().reconstructions().get(7L);
        assertEquals("clean", r.outcome().label());
        assertEquals(1, r.closeFrames().size());
        assertEquals(1000, r.closeFrames().get(0).code());
        assertEquals(5, r.localFrames());
        assertFalse(in.replay().closeFrameStack(7).isEmpty(), "the Close event's stack");
        assertTrue(in.replay().closeFrameStack(7).get(0).startsWith(getClass().getName() + ".recordOneConnection(JfrSourceTest.java:"),
                in.replay().closeFrameStack(7).toString());
    }

    @Test
    void aCutRecordingKeepsWhatWasReadAndSaysWhereItStopped() throws Exception {
        Path whole = recordOneConnection();
        byte[] b = Files.readAllBytes(whole);
        for (int cut : new int[] {b.length - 1, b.length / 2, 100, 10}) {
            Path f = dir.resolve("cut-" + cut + ".jfr");
            Files.write(f, Arrays.copyOf(b, cut));
            Cli.Run run = Cli.run("analyze", f.toString());
            String err = run.err().strip();
            assertFalse(err.contains("\tat ") || err.contains("Exception in"), err);
            if (run.exit() == ExitCodes.BAD_INPUT) {
                assertTrue(refusedInOneLine(f, err), err);
            } else {
                assertTrue(run.out().contains("DAMAGED") || run.out().contains("damaged"), run.out());
            }
        }
    }

    /** The bad-input contract: one line naming the file, a byte offset and what was expected there. */
    private static boolean refusedInOneLine(Path f, String err) {
        return err.matches(java.util.regex.Pattern.quote(f.toString()) + ": at byte \\d+: expected [^\\n]+");
    }

    /**
     * Found by JfrFuzzTest: a damaged metadata event made the JDK's RecordingFile constructor throw
     * IndexOutOfBoundsException out of the analyzer, and a damaged constant pool InternalError ("Pool
     * java.lang.String must contain at least one element"). Every byte of the first 128 of each, set to 0x00, 0x7F or
     * 0xFF: the recording is read or refused in one line.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "chunk header field at {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {16, 24}) // constant pools, metadata
    void aDamagedMetadataOrConstantPoolIsReadOrRefusedInOneLine(int field) throws Exception {
        byte[] whole = Files.readAllBytes(recordOneConnection());
        long at = java.nio.ByteBuffer.wrap(whole).getLong(field); // chunk header: magic, version, size, pools, metadata
        assertTrue(at > 68 && at < whole.length, "offset " + at);
        Path f = dir.resolve("damaged.jfr");
        int refused = 0;
        for (int k = 0; k < 128 && at + k < whole.length; k++) {
            for (byte v : new byte[] {0, (byte) 0xFF, 0x7F}) {
                byte[] b = whole.clone();
                b[(int) at + k] = v;
                Files.write(f, b);
                Cli.Run run = Cli.run("analyze", f.toString());
                String err = run.err().strip();
                assertTrue(run.exit() == ExitCodes.OK || run.exit() == ExitCodes.BAD_INPUT, "byte " + k + ": " + run);
                assertFalse(err.contains("\tat ") || err.contains("\n"), "byte " + k + ": " + err);
                if (run.exit() == ExitCodes.BAD_INPUT) {
                    // Refused by the JDK's parser (byte 0), or by JfrFraming / the metadata check at the event the
                    // damage breaks: which one depends on the recording's layout (CI on JDK 25 met the second).
                    assertTrue(refusedInOneLine(f, err), "byte " + k + ": " + err);
                    refused++;
                }
            }
        }
        assertTrue(refused > 0, "some damage is past reading");
    }

    /**
     * Found by JfrFuzzTest: a chunk whose header says it is still being written (state byte 1 at offset 64) and whose
     * size runs past the end of the file made the JDK's RecordingFile wait for the rest for ever; state 0xff made it
     * spin. Both are refused in one line.
     */
    @Test
    void aChunkStillBeingWrittenIsRefusedNotWaitedOn() throws Exception {
        byte[] whole = Files.readAllBytes(recordOneConnection());
        byte[] unfinished = java.util.Arrays.copyOf(whole, whole.length - 100);
        unfinished[64] = 1;
        Path f = dir.resolve("unfinished.jfr");
        Files.write(f, unfinished);
        Cli.Run run = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> Cli.run("analyze", f.toString()));
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertEquals(f + ": at byte 8: expected a finished JFR chunk, found one still being written (state 1) whose "
                + whole.length + " bytes run past the end of the file (copy the recording once it is stopped, or use"
                + " jcmd JFR.dump)", run.err().strip());

        byte[] updating = whole.clone();
        updating[64] = (byte) 0xFF;
        Files.write(f, updating);
        run = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> Cli.run("analyze", f.toString()));
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertTrue(run.err().strip().startsWith(f + ": at byte 64: expected a finished JFR chunk header"), run.err());
    }

    /**
     * Found by JfrFuzzTest (input 41 996 of seed 20261204, kept as a resource): an event size of -1 at byte 8 839 makes
     * the JDK's ChunkParser.readEvent jump back and loop for ever. {@link JfrFraming} refuses it before the parser
     * starts, in one line naming the offset, at once rather than after the 10 s progress watch (no thread left spinning).
     */
    @Test
    void aRecordingTheJdkParserWouldLoopOnIsRefusedAtOnceNamingTheEvent() throws Exception {
        Path f = dir.resolve("loop.jfr");
        try (var in = getClass().getResourceAsStream("/jfr/readevent-loop.jfr")) {
            Files.write(f, in.readAllBytes());
        }
        long t0 = System.nanoTime();
        Cli.Run run = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> Cli.run("analyze", f.toString()));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertEquals(f + ": at byte 8839: expected a JFR event size, found -1, on which the JDK's parser would loop for"
                + " ever (a damaged event)", run.err().strip());
        assertTrue(millis < JfrSource.STALL_NANOS / 1_000_000, "refused by the framing check, not the watch: " + millis);
    }

    /**
     * Found by JfrFuzzTest (input 10 843 of seed 7, on trimmed seeds): damaged metadata makes a type contain itself,
     * and the JDK's parser recurses into it until StackOverflowError, which escaped the analyzer with a stack trace.
     * Made here on purpose from a real recording (java.lang.Thread's first field turned into a Thread, inline; every
     * event's thread is in the constant pool the parser reads first). Now it is refused in one line like any other
     * damage the parser throws for, and the parser's pooled thread still reads the next recording.
     */
    @Test
    void aTypeDamagedIntoContainingItselfIsRefusedInOneLineNotAStackOverflow() throws Exception {
        Path good = recordOneConnection();
        Path f = dir.resolve("recursion.jfr");
        Files.write(f, JfrTrim.makeTypeContainItself(Files.readAllBytes(good), "java.lang.Thread"));
        Cli.Run run = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> Cli.run("analyze", f.toString()));
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        long metadata = java.nio.ByteBuffer.wrap(Files.readAllBytes(f)).getLong(24);
        assertEquals(f + ": at byte " + metadata + ": expected JFR metadata whose types do not contain themselves,"
                + " found a type the JDK's parser recursed into until its stack overflowed (damaged metadata)",
                run.err().strip());
        Cli.Run after = Cli.run("analyze", good.toString());
        assertEquals(ExitCodes.OK, after.exit(), after.toString());
    }

    /** An io.wstap.ConnectionClosed event without wstap's fields, as damaged metadata makes (a renamed field). */
    @jdk.jfr.Name("io.wstap.ConnectionClosed")
    static final class ForeignClosedEvent extends jdk.jfr.Event {
        long connectionId;
        String outcome;
    }

    /**
     * Found by JfrFuzzTest: an event whose type lacks a field wstap reads (RecordedObject throws
     * IllegalArgumentException) escaped the analyzer. That connection is left out, said as damage; the others stand.
     */
    @Test
    void anEventWithoutWstapsFieldsLeavesItsConnectionOutAndTheOthersStand() throws Exception {
        Path f = dir.resolve("foreign.jfr");
        try (Recording r = new Recording()) {
            r.enable(ForeignClosedEvent.class);
            r.enable(CloseFrameEvent.class);
            r.start();
            ForeignClosedEvent bad = new ForeignClosedEvent();
            bad.connectionId = 7;
            bad.outcome = "clean";
            bad.commit();
            CloseFrameEvent c = new CloseFrameEvent();
            c.connectionId = 8;
            c.direction = "out";
            c.role = "client";
            c.code = 1000;
            c.reason = "bye";
            c.commit();
            r.stop();
            r.dump(f);
        }
        CaptureInput in = JfrSource.read(1, f, Progress.NONE);
        assertEquals(java.util.Set.of(8L), in.replay().reconstructions().keySet());
        assertTrue(in.read().damage().stream().anyMatch(d -> d.what().startsWith("connection 7 left out: its events do"
                + " not have wstap's fields")), in.read().damage().toString());
        Cli.Run run = Cli.run("analyze", f.toString());
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
    }

    private Path recordOneConnection() throws Exception {
        Path f = dir.resolve("one.jfr");
        try (Recording r = new Recording()) {
            r.enable(CloseFrameEvent.class).withStackTrace();
            r.enable(ConnectionClosedEvent.class).withStackTrace();
            r.start();
            CloseFrameEvent c = new CloseFrameEvent();
            c.connectionId = 7;
            c.direction = "out";
            c.role = "client";
            c.code = 1000;
            c.reason = "bye";
            c.local = "127.0.0.1:5000";
            c.remote = "127.0.0.1:80";
            c.commit();
            ConnectionClosedEvent e = new ConnectionClosedEvent();
            e.connectionId = 7;
            e.outcome = "clean";
            e.initiator = "client";
            e.tcpClosedBy = "server";
            e.tcpEnd = "fin";
            e.clientSawCode = 1000;
            e.clientSawReason = "bye";
            e.clientSawClean = true;
            e.serverSawCode = 1000;
            e.serverSawReason = "bye";
            e.serverSawClean = true;
            e.localRole = "client";
            e.protocol = "rfc6455";
            e.localFrames = 5;
            e.remoteFrames = 4;
            e.transport = "plain";
            e.local = c.local;
            e.remote = c.remote;
            e.commit();
            r.stop();
            r.dump(f);
        }
        return f;
    }
}
