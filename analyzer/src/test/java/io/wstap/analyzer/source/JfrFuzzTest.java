package io.wstap.analyzer.source;

import io.wstap.jfr.CloseFrameEvent;
import io.wstap.jfr.ConnectionClosedEvent;
import io.wstap.jfr.FindingEvent;
import io.wstap.jfr.FrameEvent;
import io.wstap.jfr.HandshakeEvent;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated real JFR recordings (and random bytes after JFR's magic) through the analyzer ({@link InputFuzzer}): the
 * JDK's RecordingFile parses them, and nothing but a one-line refusal or a read with damage may come out, no hang.
 * Seeds: recordings made here of every wstap event type (two connections), with and without stacks, and one without
 * wstap events. The JDK parser is slow next to pcap's (a recording carries its metadata): {@code
 * wstap.fuzz.jfr.iterations} inputs, 2 000 by default, 10 M under {@code -Pfuzz} (docs/reliability.md has the figures).
 */
class JfrFuzzTest {
    static final long ITERATIONS = Long.getLong("wstap.fuzz.jfr.iterations", 2_000);

    @TempDir
    Path dir;

    @Test
    void noRecordingMakesTheAnalyzerThrowOrHang() throws Exception {
        List<byte[]> whole = List.of(record(true, 1), record(false, 2), plain());
        // Their metadata trimmed to wstap's event types (JfrTrim): the same events, read several times faster.
        List<byte[]> seeds = whole.stream()
                .map(b -> JfrTrim.trim(b, n -> n.startsWith(JfrSource.PREFIX) || n.equals("jdk.JVMInformation")))
                .toList();
        for (int i = 0; i < whole.size(); i++) {
            assertEquals(read(whole.get(i), "whole-" + i), read(seeds.get(i), "trimmed-" + i),
                    "a trimmed seed reads as the recording it was made from");
        }
        assertEquals(2, read(seeds.get(0), "seed").size(), "the seed holds two connections");

        Path ram = Path.of("/dev/shm");
        Path work = Files.isDirectory(ram) && Files.isWritable(ram) ? Files.createTempDirectory(ram, "wstap-fuzz-") : dir;
        try {
            InputFuzzer.Result r = InputFuzzer.runOnThreads(2, "jfr", seeds, new byte[] {'F', 'L', 'R', 0}, work,
                    "fuzz.jfr", ITERATIONS, InputFuzzer.Way.FILE, null);
            System.out.println("JfrFuzzTest (seed " + InputFuzzer.SEED + ", seeds of " + seeds.stream()
                    .map(b -> b.length).toList() + " bytes trimmed from " + whole.stream().map(b -> b.length).toList()
                    + ", in " + work + "): " + r);
            assertTrue(r.read() > 0 && r.refused() > 0, r.toString());
        } finally {
            InputFuzzer.deleteDirectory(work, dir);
        }
    }

    /** The reconstructions the analyzer makes of a recording. */
    private java.util.Map<Long, io.wstap.engine.Reconstruction> read(byte[] recording, String name) throws Exception {
        Path f = dir.resolve(name + ".jfr");
        Files.write(f, recording);
        return CaptureSource.read(1, CaptureSource.plan(List.of(f)).get(0), Progress.NONE).replay().reconstructions();
    }

    /** Every wstap event type, for two connections; the JDK's own events off (small recordings). */
    private byte[] record(boolean stacks, int n) throws Exception {
        Path f = dir.resolve("seed-" + n + ".jfr");
        try (Recording r = new Recording()) {
            for (Class<? extends jdk.jfr.Event> type : List.of(CloseFrameEvent.class, ConnectionClosedEvent.class,
                    FindingEvent.class, FrameEvent.class, HandshakeEvent.class)) {
                r.enable(type).with("stackTrace", Boolean.toString(stacks));
            }
            r.enable("jdk.JVMInformation");
            r.start();
            for (long id = 1; id <= 2; id++) {
                HandshakeEvent h = new HandshakeEvent();
                h.connectionId = id;
                h.role = "client";
                h.path = "/chat";
                h.status = 101;
                h.local = "127.0.0.1:5000";
                h.remote = "127.0.0.1:80";
                h.method = "GET";
                h.version = "13";
                h.commit();
                FrameEvent fr = new FrameEvent();
                fr.connectionId = id;
                fr.direction = "out";
                fr.opcode = 1;
                fr.fin = true;
                fr.masked = true;
                fr.payloadLength = 5;
                fr.commit();
                CloseFrameEvent c = new CloseFrameEvent();
                c.connectionId = id;
                c.direction = "in";
                c.role = "server";
                c.code = 1002;
                c.reason = "client too old";
                c.local = h.local;
                c.remote = h.remote;
                c.commit();
                FindingEvent fi = new FindingEvent();
                fi.connectionId = id;
                fi.rule = "WS205";
                fi.slug = "app-protocol-error";
                fi.severity = "warning";
                fi.message = "the application closed with 1002";
                fi.side = "server";
                fi.code = 1002;
                fi.commit();
                ConnectionClosedEvent e = new ConnectionClosedEvent();
                e.connectionId = id;
                e.outcome = id == 1 ? "clean" : "abrupt";
                e.initiator = "server";
                e.tcpClosedBy = "server";
                e.tcpEnd = "fin";
                e.clientSawCode = 1002;
                e.clientSawReason = "client too old";
                e.clientSawClean = true;
                e.localRole = "client";
                e.protocol = "rfc6455";
                e.localFrames = 2;
                e.remoteFrames = 1;
                e.transport = "plain";
                e.local = h.local;
                e.remote = h.remote;
                e.commit();
            }
            r.stop();
            r.dump(f);
        }
        return Files.readAllBytes(f);
    }

    private byte[] plain() throws Exception {
        Path f = dir.resolve("plain.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.JVMInformation");
            r.start();
            r.stop();
            r.dump(f);
        }
        return Files.readAllBytes(f);
    }
}
