package io.wstap.analyzer.source.pcap;

import io.wstap.analyzer.source.InputFuzzer;
import io.wstap.analyzer.testing.Script;
import io.wstap.analyzer.testing.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated pcap and pcapng files through the analyzer ({@link InputFuzzer}): read, or refused in one line,
 * never anything else, never a hang. Seeds: every format and link type, IPv4 and IPv6, a WebSocket conversation in
 * messy segments (split, reordered, retransmitted, sequence numbers wrapping), a plain HTTP stream, a reset.
 * {@code wstap.fuzz.pcap.iterations} inputs (10 k by default, 10 M under {@code -Pfuzz}), half pcap, half pcapng,
 * read in memory (every 64th through a file as well, and both must agree), the two formats on two threads.
 */
class PcapFuzzTest {
    static final long ITERATIONS = Long.getLong("wstap.fuzz.pcap.iterations", 10_000);

    @TempDir
    Path dir;

    @Test
    void noPacketFileMakesTheAnalyzerThrowOrHang() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        int port = 40000;
        for (PcapWriter.Format format : PcapWriter.Format.values()) {
            for (int link : new int[] {0, 1, 101, 113, 276}) {
                for (boolean v6 : new boolean[] {false, true}) {
                    PcapWriter w = new PcapWriter(format, link);
                    new PcapInputTest.Conversation(w, v6, port++).app1002(true);
                    new PcapInputTest.Conversation(w, v6, port++).syn()
                            .send(true, Wire.ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), true)
                            .send(false, Wire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), false)
                            .end(false, Segment.FIN).end(true, Segment.FIN);
                    new PcapInputTest.Conversation(w, v6, port++).syn()
                            .send(true, Wire.ascii(Script.request("/chat", "")), false)
                            .send(false, Wire.ascii(Script.response("")), false)
                            .send(true, Wire.text("hi", 0x01020304), true).end(false, Segment.RST);
                    seeds.add(w.bytes());
                }
            }
        }
        // The seeds themselves read, with their connections (so mutations start from files that reach the engine).
        PcapWriter check = new PcapWriter(PcapWriter.Format.PCAPNG_LE, 1);
        new PcapInputTest.Conversation(check, false, 1).app1002(true);
        var in = io.wstap.analyzer.source.CaptureSource.plan(List.of(check.write(dir.resolve("seed.pcapng"))));
        assertEquals(1, io.wstap.analyzer.source.CaptureSource.read(1, in.get(0),
                io.wstap.analyzer.source.Progress.NONE).replay().reconstructions().size());

        byte[] pcapMagic = {(byte) 0xD4, (byte) 0xC3, (byte) 0xB2, (byte) 0xA1, 2, 0, 4, 0};
        byte[] ngMagic = {0x0A, 0x0D, 0x0D, 0x0A};
        long half = ITERATIONS / 2;
        // The two formats at once, one thread each (each run has its own watchdog): twice the inputs on 2 cores.
        java.util.concurrent.ExecutorService both = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var pcapRun = both.submit(() -> InputFuzzer.run("pcap", seeds.stream().filter(b -> b[0] != 0x0A).toList(),
                    pcapMagic, dir, "fuzz.pcap", half, InputFuzzer.Way.IN_MEMORY));
            var ngRun = both.submit(() -> InputFuzzer.run("pcapng", seeds.stream().filter(b -> b[0] == 0x0A).toList(),
                    ngMagic, dir, "fuzz.pcapng", ITERATIONS - half, InputFuzzer.Way.IN_MEMORY));
            report(InputFuzzer.get(pcapRun), InputFuzzer.get(ngRun));
        } finally {
            both.shutdownNow();
        }
    }

    private static void report(InputFuzzer.Result pcap, InputFuzzer.Result ng) {
        System.out.println("PcapFuzzTest (seed " + InputFuzzer.SEED + "): pcap " + pcap + "; pcapng " + ng);
        assertTrue(pcap.read() > 0 && ng.read() > 0, "mutations still reach the reader");
    }
}
