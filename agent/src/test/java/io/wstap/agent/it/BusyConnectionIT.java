package io.wstap.agent.it;

import io.wstap.capture.CaptureReader;
import io.wstap.capture.IgnoringSink;
import io.wstap.capture.ReadReport;
import io.wstap.engine.Endpoint;
import io.wstap.wire.Frame;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Busy connections: a message a millisecond each way, so the tap encodes their data frames into frame runs on the
 * application threads (docs/agent.md, "Frame runs") instead of one ring record each. The capture holds every frame
 * the applications sent, in order, on both sockets, with their Close frames after them.
 */
class BusyConnectionIT {
    @TempDir
    Path dir;

    @Test
    void everyFrameOfABusyConnectionIsCapturedInOrderThroughFrameRuns() throws Exception {
        Path capture = dir.resolve("busy.wstap");
        int messages = 600;
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture, TickApp.class.getName(), 90, Integer.toString(messages));
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("echoed " + messages, run.stdout().trim());

        Map<String, List<String>> byConnectionAndSender = new TreeMap<>();
        ReadReport report = CaptureReader.readSeries(List.of(capture), new IgnoringSink() {
            @Override
            public void frame(long id, long t, Endpoint sender, Frame f, int stackId) {
                byConnectionAndSender.computeIfAbsent(id + " " + sender, k -> new ArrayList<>())
                        .add(f.opcode() == Opcode.CLOSE ? "close " + f.closeCode() : f.opcode() + ":" + f.payloadLength());
            }
        });
        assertTrue(report.clean(), report.toString());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            expected.add(Opcode.TEXT + ":" + ("tick " + i).length());
        }
        expected.add("close 1000");
        assertEquals(4, byConnectionAndSender.size(), byConnectionAndSender.keySet().toString());
        for (Map.Entry<String, List<String>> e : byConnectionAndSender.entrySet()) {
            assertEquals(expected, e.getValue(), e.getKey());
        }
        // Each run is a block of its own, handed over at every writer wake (20 ms): dozens over the ~1 s of traffic;
        // frames recorded singly share the writer's blocks, flushed once a second.
        assertTrue(report.blocks() >= 20, "blocks: " + report.blocks() + " (were the frames encoded into runs?)");
    }
}
