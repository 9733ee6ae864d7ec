package io.wstap.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wstap watch} against a second, real JVM ({@link LiveTarget}: the LiveTraffic app under the real agent jar),
 * over loopback JMX: by HOST:PORT, by local PID (Attach API), and with {@code --attach} into a JVM started without the
 * agent. The app does its known traffic only once the watch has started, so the figures come from live events.
 */
class WatchIT {
    @TempDir
    Path dir;

    /** One round (7 connections: 3 × 1000, 2 × 1001, 1 × 4000, 1 dropped) and 2 held open: what watch must show. */
    private static void assertRoundAndTwoHeld(LiveTarget.Wstap w) {
        String last = w.lastBlock();
        String all = "\nlast refresh:\n" + last + "\nstderr: " + w.err();
        // The agent's counters (io.wstap.Stats): both ends of each connection are in the target.
        assertTrue(last.contains("connections  open 4   opened 18 (since the agent started)"), all);
        assertTrue(last.contains("frames       in 25   out 25   dropped records 0"), all);
        assertTrue(Pattern.compile("frames/s     in \\d+\\.\\d   out \\d+\\.\\d   payload/s in \\d+ B").matcher(last)
                .find(), "rates from two Stats events" + all);
        // Close frames by code: each frame is sent by one end and received by the other, both in the target.
        assertTrue(Pattern.compile("\n  1000 normal closure +6 +6\n").matcher(last).find(), all);
        assertTrue(Pattern.compile("\n  1001 going away +4 +4\n").matcher(last).find(), all);
        assertTrue(Pattern.compile("\n  4000 private use \\(4000-4999\\) +2 +2\n").matcher(last).find(), all);
        assertTrue(last.contains("outcomes (TCP closed since watching)\n  abrupt 2   clean 12\n"), all);
        // The dropped connection's finding, with the stack of the server's close(), from the Finding event.
        assertTrue(last.contains(" WS301 missing-close-frame (error, server): the server closed TCP (fin) without a "
                + "Close frame; the client saw 1006"), all);
        assertTrue(last.contains("      at io.wstap.samples.raw.RawServer.serve(RawServer.java:"), all);
        assertTrue(!last.contains("\033["), "no ANSI when stdout is not a terminal" + all);
    }

    private static void roundAndHold(LiveTarget target) throws Exception {
        target.tell("round", "round done");
        target.tell("hold 2", "holding 2");
    }

    @Test
    void overAJmxPortOnLoopback() throws Exception {
        try (LiveTarget target = LiveTarget.start(dir, "quiet=true,file=" + dir.resolve("a.wstap"), true)) {
            LiveTarget.Wstap w = new LiveTarget.Wstap("watch", "--duration", "14s", "127.0.0.1:" + target.jmxPort);
            w.awaitErr("wstap: watching 127.0.0.1:" + target.jmxPort + " (pid " + target.pid + ")");
            roundAndHold(target);
            assertEquals(0, w.join(), w.err());
            assertRoundAndTwoHeld(w);
        }
    }

    @Test
    void byLocalPid() throws Exception {
        try (LiveTarget target = LiveTarget.start(dir, "quiet=true,file=" + dir.resolve("b.wstap"), false)) {
            LiveTarget.Wstap w = new LiveTarget.Wstap("watch", "--duration", "14s", String.valueOf(target.pid));
            w.awaitErr("wstap: watching JVM " + target.pid);
            roundAndHold(target);
            assertEquals(0, w.join(), w.err());
            assertRoundAndTwoHeld(w);
        }
    }

    @Test
    void aJvmWithoutTheAgentIsRefusedInOneLineThenAttached() throws Exception {
        try (LiveTarget target = LiveTarget.start(dir, null, false)) {
            LiveTarget.Wstap refused = new LiveTarget.Wstap("watch", "--duration", "2s", String.valueOf(target.pid));
            assertEquals(2, refused.join());
            assertEquals("wstap: JVM " + target.pid + " runs no wstap agent: add --attach to load it now, or start it "
                    + "with -javaagent:wstap-agent.jar", refused.err().strip());

            LiveTarget.Wstap w = new LiveTarget.Wstap("watch", "--attach", "--agent", ForkedApp.agentJar().toString(),
                    "--agent-options", "quiet=true,file=" + dir.resolve("c.wstap"), "--duration", "14s",
                    String.valueOf(target.pid));
            w.awaitErr("wstap: watching JVM " + target.pid);
            roundAndHold(target);
            assertEquals(0, w.join(), w.err());
            assertRoundAndTwoHeld(w);
        }
    }

    @Test
    void theTargetsEndEndsTheWatch() throws Exception {
        LiveTarget target = LiveTarget.start(dir, "quiet=true,file=" + dir.resolve("d.wstap"), true);
        LiveTarget.Wstap w = new LiveTarget.Wstap("watch", "--duration", "60s", "127.0.0.1:" + target.jmxPort);
        w.awaitErr("wstap: watching");
        long t0 = System.nanoTime();
        target.close();
        assertEquals(0, w.join(), w.err());
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "ended with the target, not at --duration");
        assertTrue(w.lastBlock().contains("wstap: 127.0.0.1:" + target.jmxPort + " went away"), w.lastBlock());
    }
}
