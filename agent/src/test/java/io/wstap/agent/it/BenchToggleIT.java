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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark-only option benchToggle: the tap goes off and on in 50 ms windows while an application echoes a
 * message every millisecond. The application sees every echo; the capture holds some of the messages and not others,
 * and each direction picks up again at a frame boundary: every frame captured is one of the application's, none is
 * a misreading of the middle of a frame.
 */
class BenchToggleIT {
    @TempDir
    Path dir;

    @Test
    void theTapGoesOffAndOnAndPicksUpAtFrameBoundaries() throws Exception {
        Path capture = dir.resolve("toggled.wstap");
        int messages = 600;
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture + ",benchToggle=50", TickApp.class.getName(), 90,
                Integer.toString(messages));
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("echoed " + messages + "\nechoed identical", run.stdout().strip().replace("\r", ""),
                "the application's traffic is untouched");

        List<String> odd = new ArrayList<>();
        long[] data = new long[1];
        ReadReport report = CaptureReader.readSeries(List.of(capture), new IgnoringSink() {
            @Override
            public void frame(long id, long t, Endpoint sender, Frame f, int stackId) {
                boolean tick = f.opcode() == Opcode.TEXT && f.fin() && f.rsv() == 0 && f.payloadLength() >= 6
                        && f.payloadLength() <= 8; // "tick 0" .. "tick 599"
                if (tick) {
                    data[0]++;
                } else if (f.opcode() != Opcode.CLOSE) {
                    odd.add(id + " " + sender + " " + io.wstap.capture.EventLog.frame(f));
                }
            }
        });
        assertTrue(report.clean(), report.toString());
        assertEquals(List.of(), odd, "a frame that is not one the application sent");
        // Two sockets (the client's channel, the server's socket), each sees every message twice (request, echo).
        long seen = 4L * messages;
        assertTrue(data[0] > seen / 10 && data[0] < seen * 9 / 10, "captured " + data[0] + " of " + seen
                + " message frames: with the tap off half the time, neither almost all nor almost none");
    }
}
