package io.wstap.agent.it;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's JFR events, recorded by a real JFR recording with the wstap.jfc shipped in the agent jar. */
class JfrIT {
    @TempDir
    Path dir;

    /** wstap.jfc from the agent jar, optionally with io.wstap.Frame switched on. */
    private Path settings(boolean frames) throws Exception {
        String jfc;
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile());
             InputStream in = jar.getInputStream(jar.getEntry("wstap.jfc"))) {
            jfc = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (frames) {
            jfc = jfc.replace("<event name=\"io.wstap.Frame\">\n    <setting name=\"enabled\">false",
                    "<event name=\"io.wstap.Frame\">\n    <setting name=\"enabled\">true");
        }
        Path p = dir.resolve(frames ? "frames.jfc" : "wstap.jfc");
        Files.writeString(p, jfc);
        return p;
    }

    private List<RecordedEvent> record(boolean frames, String agentOptions, String... jvmOptions) throws Exception {
        Path jfr = dir.resolve("rec-" + frames + ".jfr");
        List<String> jvm = new java.util.ArrayList<>(List.of(jvmOptions));
        jvm.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=" + settings(frames));
        ForkedJvm.Result run = ForkedJvm.run(agentOptions + ",file=" + dir.resolve("c-" + frames + ".wstap"), jvm,
                ForkedJvm.testClasses(), EchoApp.class.getName(), 60);
        assertEquals(0, run.exitCode(), run.stderr());
        return RecordingFile.readAllEvents(jfr);
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    @Test
    void closeFramesConnectionsAndHandshakesAreRecordedWithTheirFields() throws Exception {
        List<RecordedEvent> events = record(false, "quiet=true");
        List<RecordedEvent> closes = named(events, "io.wstap.Close");
        // Both ends of one connection in this JVM: each end sends one Close and receives one.
        assertEquals(4, closes.size(), closes.toString());
        for (RecordedEvent e : closes) {
            assertEquals(1000, e.getInt("code"));
            assertEquals("done", e.getString("reason"));
            assertTrue(e.getString("remote").startsWith("127.0.0.1:"), e.toString());
        }
        RecordedEvent sentByClient = closes.stream().filter(e -> e.getString("direction").equals("out")
                && e.getString("role").equals("client")).findFirst().orElseThrow();
        List<RecordedFrame> stack = sentByClient.getStackTrace().getFrames();
        assertTrue(stack.stream().anyMatch(f -> f.getMethod().getType().getName().equals(EchoApp.class.getName())),
                "the application's stack: " + stack);

        List<RecordedEvent> ended = named(events, "io.wstap.ConnectionClosed");
        assertEquals(2, ended.size(), ended.toString());
        for (RecordedEvent e : ended) {
            assertTrue(List.of("clean", "clean-client-tcp-first").contains(e.getString("outcome")), e.toString());
            assertEquals("client", e.getString("initiator"));
            assertEquals(1000, e.getInt("clientSawCode"));
            assertEquals("done", e.getString("serverSawReason"));
        }
        List<RecordedEvent> handshakes = named(events, "io.wstap.Handshake");
        assertEquals(2, handshakes.size());
        assertEquals(List.of("/echo", "/echo"), handshakes.stream().map(e -> e.getString("path")).toList());
        assertEquals(List.of(), named(events, "io.wstap.Frame"), "the per-frame event is off by default");
    }

    @Test
    void perFrameEventsWhenEnabledAndFindingsLive() throws Exception {
        List<RecordedEvent> events = record(true, "quiet=true");
        // 3 texts + Close each way, seen from both ends: 16 frame events.
        assertEquals(16, named(events, "io.wstap.Frame").size());
        assertTrue(named(events, "io.wstap.Frame").stream().allMatch(e -> e.getLong("payloadLength") <= 7));
    }

    @Test
    void closeFramesCarryTheirFrameIndexAndStatsCountFramesEachWay() throws Exception {
        List<RecordedEvent> events = record(false, "quiet=true", "-Decho.linger=2500");
        // Each end sent 3 texts then its Close: the Close is frame 3 of its sender, whichever end recorded it.
        List<RecordedEvent> closes = named(events, "io.wstap.Close");
        assertEquals(4, closes.size(), closes.toString());
        for (RecordedEvent e : closes) {
            assertEquals(3, e.getLong("frameIndex"), e.toString());
        }
        List<RecordedEvent> stats = named(events, "io.wstap.Stats");
        assertTrue(stats.size() >= 2, "one a second: " + stats);
        RecordedEvent last = stats.get(stats.size() - 1);
        // Both ends in this JVM: 4 frames sent by each end, 4 received by each (payloads "hello i" and "done").
        assertEquals(8, last.getLong("framesOut"), last.toString());
        assertEquals(8, last.getLong("framesIn"), last.toString());
        assertEquals(last.getLong("bytesOut"), last.getLong("bytesIn"), last.toString());
        assertEquals(2 * (3 * 7 + 6), last.getLong("bytesOut"), last.toString());
        assertEquals(2, last.getLong("connectionsOpened"), last.toString());
        assertEquals(0, last.getLong("openConnections"), last.toString());
        assertEquals(0, last.getLong("droppedRecords"), last.toString());
    }

    @Test
    void jfrOffRecordsNothing() throws Exception {
        List<RecordedEvent> events = record(true, "quiet=true,jfr=false");
        assertEquals(0, events.stream().filter(e -> e.getEventType().getName().startsWith("io.wstap.")).count());
    }
}
