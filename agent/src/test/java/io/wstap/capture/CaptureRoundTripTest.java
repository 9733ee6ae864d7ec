package io.wstap.capture;

import io.wstap.capture.ScenarioAccess.Scenario;
import io.wstap.engine.EngineOptions;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every scripted connection of the engine tests, driven through a live {@link io.wstap.engine.Connection} (byte path),
 * written to a real file, read back and replayed into a fresh one: the events come back field for field, and the
 * replayed reconstruction equals the live one.
 */
class CaptureRoundTripTest {
    @TempDir
    Path dir;

    static List<Scenario> scenarios() {
        return ScenarioAccess.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void eachScenarioReplaysToTheLiveReconstruction(Scenario s) throws Exception {
        assertTrue(s.steps().stream().anyMatch(ScenarioAccess.Step::end), "every script ends its capture");
        Path file = dir.resolve("one.wstap");
        EventLog written = new EventLog();
        Reconstruction live;
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            live = LiveCapture.runOne(s, new Tee(w, written));
        }
        assertEquals(s.runOriginal(), live, "the driver here plays the script as the engine tests do");

        EventLog read = new EventLog();
        CaptureReplay replay = new CaptureReplay(id -> s.options());
        ReadReport report = Captures.read(file, new Tee(read, replay));
        assertEquals(List.of(), report.damage());
        assertEquals(written.lines, read.lines);
        assertEquals(List.of(), read.undeclared);
        assertEquals(live, replay.finish().reconstructions().get(7L));
    }

    @Test
    void allScenariosInterleavedInOneFileReplayToTheirLiveReconstructions() throws Exception {
        List<Scenario> all = scenarios();
        Path file = dir.resolve("all.wstap");
        EventLog written = new EventLog();
        Map<Long, Reconstruction> live;
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            live = LiveCapture.run(all, 1000, 137_000, new Tee(w, written), false, 25, w::flush);
        }
        EventLog read = new EventLog();
        CaptureReplay replay = new CaptureReplay(id -> all.get((int) (id - 1000)).options());
        ReadReport report = Captures.read(file, new Tee(read, replay));
        assertTrue(report.clean(), report.toString());
        assertEquals(Captures.blocks(file).size(), report.blocks());
        assertTrue(report.blocks() > 20, "many blocks: " + report.blocks());
        assertEquals(written.lines.size(), report.events());
        assertEquals(written.lines, read.lines);
        Map<Long, Reconstruction> replayed = replay.finish().reconstructions();
        assertEquals(all.size(), replayed.size());
        for (int i = 0; i < all.size(); i++) {
            assertEquals(live.get(1000L + i), replayed.get(1000L + i), all.get(i).name());
        }
        assertEquals(LiveCapture.CLOSE_STACK, replay.stacks.get(LiveCapture.CLOSE_STACK_ID));
        assertEquals(LiveCapture.TCP_STACK, replay.stacks.get(LiveCapture.TCP_STACK_ID));
    }

    @Test
    void headerComesBackAsWritten() throws Exception {
        Path file = dir.resolve("h.wstap");
        CaptureHeader h = new CaptureHeader(CaptureWriter.VERSION, "höst-ünïcode", 123_456_789L, "Vendor VM 25+36",
                -5, Long.MIN_VALUE, null);
        try (CaptureWriter w = CaptureWriter.create(file, h, 0)) {
            w.endOfCapture(1);
        }
        try (CaptureReader r = CaptureReader.open(file)) {
            assertEquals(h, r.header());
            assertEquals(0, r.part());
        }
        CaptureHeader mine = CaptureHeader.forThisJvm("a=b");
        try (CaptureWriter w = CaptureWriter.create(dir.resolve("mine.wstap"), mine, 0)) {
            w.flush();
        }
        try (CaptureReader r = CaptureReader.open(dir.resolve("mine.wstap"))) {
            assertEquals(mine, r.header());
            assertEquals(ProcessHandle.current().pid(), r.header().pid());
        }
    }

    @Test
    void closeWritesAnEndOfCaptureUnlessOneWasWritten() throws Exception {
        Path file = dir.resolve("end.wstap");
        long before = System.nanoTime();
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            w.lost(before, 3);
        }
        EventLog log = new EventLog();
        Captures.read(file, log);
        assertEquals(2, log.lines.size());
        long end = Long.parseLong(log.lines.get(1).substring("end ".length()));
        assertTrue(end >= before && end <= System.nanoTime(), log.lines.toString());
    }

    /** Every field the format derives, written explicitly when the derivation would be wrong; odd values of every kind. */
    @Test
    void oddFramesAndRecordsComeBackFieldForField() throws Exception {
        Path file = dir.resolve("odd.wstap");
        EventLog written = new EventLog();
        Frame f = new Frame();
        byte[] close = new byte[125];
        for (int i = 0; i < close.length; i++) {
            close[i] = (byte) (i * 7);
        }
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            CaptureSink s = new Tee(w, written);
            s.connection(Long.MAX_VALUE, Long.MIN_VALUE, "[2001:db8::1]:443", "名前:1", Transport.TLS);
            s.connection(-5, Long.MAX_VALUE, null, "", Transport.PLAIN);
            s.joinedMidStream(-5, 0, Role.SERVER, Protocol.HIXIE76);
            s.joinedMidStream(-5, 1, null, Protocol.RFC6455);
            s.handshake(Long.MAX_VALUE, 10, Endpoint.LOCAL, new HttpHead(true, "GET", "/x?😀", 0, null, "h", "websocket",
                    "Upgrade", "k", "13", null, "permessage-deflate; x", null, "1 2", "3 4", "http://o", null, 321));
            s.handshake(Long.MAX_VALUE, 11, Endpoint.REMOTE, new HttpHead(false, null, null, -1, "Switching ¿", null, null,
                    null, null, null, "chat", null, "acc=", null, null, null, "ws://x/y", -7));
            s.stack(0, List.of());
            s.stack(Integer.MAX_VALUE, List.of("a.B.c(B.java:1)", "日本.D.e(D.java:2)"));
            // RFC 6455 oddities: non-minimal lengths in both forms, a 64-bit length with its top bit set, reserved
            // opcodes, every RSV bit, a zero key, an over-long Close, a Close payload not matching its length.
            s.frame(Long.MAX_VALUE, 12, Endpoint.LOCAL, f.set(true, 0, Opcode.BINARY, true, 0, 5, 8, 321, true, false,
                    false, null, 0, 0), -1);
            s.frame(Long.MAX_VALUE, 13, Endpoint.LOCAL, f.set(false, 7, 0x3, true, 0xCAFEBABE, 100, 14, 334, true, false,
                    false, null, 0, 0), Integer.MAX_VALUE);
            s.frame(Long.MAX_VALUE, 9, Endpoint.REMOTE, f.set(true, 4, 0xB, false, 0, Long.MIN_VALUE + 5, 10, 0, false,
                    true, false, null, 0, 0), -1);
            s.frame(Long.MAX_VALUE, 14, Endpoint.LOCAL, f.set(true, 0, Opcode.CLOSE, true, 0x01020304, 300, 8, 448, false,
                    false, false, close, 0, 125), 0);
            s.frame(Long.MAX_VALUE, 15, Endpoint.REMOTE, f.set(true, 0, Opcode.CLOSE, false, 0, 10, 2, -3, false, false,
                    false, close, 0, 3), -1);
            s.frame(Long.MAX_VALUE, 16, Endpoint.REMOTE, f.set(true, 0, Opcode.CLOSE, false, 0, 0, 2, 9, false, false,
                    false, close, 0, 0), -1);
            s.frame(Long.MAX_VALUE, 16, Endpoint.REMOTE, f.set(true, 2, Opcode.PING, false, 0, 70_000, 10, 11, false,
                    false, false, null, 0, 0), -1);
            s.frame(Long.MAX_VALUE, 16, Endpoint.REMOTE, f.set(true, 1, Opcode.PONG, false, 0, 66_000, 99, 70_021, false,
                    false, false, null, 0, 0), -1);
            // hixie-76: text, binary with minimal and non-minimal length groups, close, an impossible length.
            s.frame(-5, 20, Endpoint.REMOTE, f.set(true, 0, Opcode.TEXT, false, 0, 17, 1, 0, false, false, true, null, 0, 0), -1);
            s.frame(-5, 21, Endpoint.REMOTE, f.set(true, 0, Opcode.BINARY, false, 0, 300, 3, 19, false, false, true, null, 0, 0), -1);
            s.frame(-5, 22, Endpoint.REMOTE, f.set(true, 0, Opcode.BINARY, false, 0, 5, 4, 322, false, false, true, null, 0, 0), -1);
            s.frame(-5, 23, Endpoint.REMOTE, f.set(true, 0, Opcode.CLOSE, false, 0, 0, 2, 331, false, false, true, null, 0, 0), -1);
            s.frame(-5, 24, Endpoint.LOCAL, f.set(true, 0, Opcode.BINARY, false, 0, 1L << 58, 11, 0, false, true, true, null, 0, 0), -1);
            // An event of a connection never declared, out-of-order and extreme times, every other record.
            s.frame(77, -1, Endpoint.LOCAL, f.set(true, 0, Opcode.TEXT, true, 0x11111111, 64, 6, 0, false, false, false, null, 0, 0), -1);
            s.invalidText(77, Long.MIN_VALUE, Endpoint.REMOTE, Long.MAX_VALUE);
            s.invalidText(77, 5, Endpoint.LOCAL, -1);
            s.tcpClosed(-5, 30, Endpoint.LOCAL, TcpEnd.IO_ERROR, Integer.MAX_VALUE);
            s.tcpClosed(-5, 31, Endpoint.REMOTE, TcpEnd.RESET, -1);
            s.tcpClosed(-5, 32, Endpoint.REMOTE, TcpEnd.FIN, -1);
            s.lost(33, Long.MAX_VALUE);
            s.lost(34, 0);
            s.tapErrors(35, 0, 1);
            s.tapErrors(36, Long.MIN_VALUE, -1);
            s.endOfCapture(Long.MIN_VALUE);
        }
        EventLog read = new EventLog();
        ReadReport report = Captures.read(file, read);
        assertTrue(report.clean(), report.toString());
        assertEquals(written.lines, read.lines);
        assertEquals(List.of(77L), read.undeclared);
    }

    @Test
    void unpairedSurrogatesBecomeQuestionMarksAndLongStringsAreCut() throws Exception {
        Path file = dir.resolve("s.wstap");
        String tooLong = "é".repeat(40_000); // 80 000 bytes of UTF-8: cut at 65 535 on a character boundary
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            w.connection(1, 1, "a\uD800b", tooLong, Transport.PLAIN);
        }
        EventLog read = new EventLog();
        Captures.read(file, read);
        String line = read.lines.get(0);
        assertTrue(line.startsWith("connection 1 1 a?b "), line);
        String remote = line.substring("connection 1 1 a?b ".length(), line.length() - " PLAIN".length());
        assertEquals(32_767, remote.length());
        assertEquals(65_534, remote.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void textCheckingScenariosUseTheirOptions() {
        // Guard: the round trip above covers invalid-text events only if some scenario checks text.
        assertTrue(scenarios().stream().anyMatch(s -> s.options().checkText()));
        assertTrue(scenarios().stream().anyMatch(s -> !s.options().equals(EngineOptions.DEFAULTS)
                || s.options().checkText()));
    }
}
