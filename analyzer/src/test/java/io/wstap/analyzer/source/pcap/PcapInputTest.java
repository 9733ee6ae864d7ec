package io.wstap.analyzer.source.pcap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Script;
import io.wstap.analyzer.testing.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pcap and pcapng files written segment by segment ({@link PcapWriter}) and read by the real CLI: every format, link
 * type and IP version, segments split, reordered and retransmitted, a stream that is not WebSocket, damage.
 */
class PcapInputTest {
    static final byte[] CLIENT4 = {10, 0, 0, 2};
    static final byte[] SERVER4 = {10, 0, 0, 1};
    static final byte[] CLIENT6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    static final byte[] SERVER6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    @TempDir
    Path dir;

    /** A TCP conversation: each side's bytes cut into segments at random points, then shuffled and duplicated. */
    static final class Conversation {
        final PcapWriter w;
        final byte[] client;
        final byte[] server;
        final int clientPort;
        long clientSeq = 1000;
        long serverSeq = 0xFFFFFF00L; // wraps past 2^32 mid-connection
        long t = 1_764_000_000_000_000_000L;
        final Random random = new Random(7);

        Conversation(PcapWriter w, boolean v6, int clientPort) {
            this.w = w;
            this.client = v6 ? CLIENT6 : CLIENT4;
            this.server = v6 ? SERVER6 : SERVER4;
            this.clientPort = clientPort;
        }

        Conversation syn() {
            w.segment(t++, client, clientPort, server, 80, clientSeq++, Segment.SYN, new byte[0]);
            w.segment(t++, server, 80, client, clientPort, serverSeq++, Segment.SYN | Segment.ACK, new byte[0]);
            return this;
        }

        /** Sends bytes from one side in messy segments: split, out of order, one retransmitted. */
        Conversation send(boolean fromClient, byte[] bytes, boolean messy) {
            List<long[]> cuts = new ArrayList<>(); // {offset, length}
            int at = 0;
            while (at < bytes.length) {
                int n = messy ? 1 + random.nextInt(Math.min(40, bytes.length - at)) : bytes.length - at;
                cuts.add(new long[] {at, n});
                at += n;
            }
            List<long[]> order = new ArrayList<>(cuts);
            if (messy && order.size() > 2) {
                Collections.swap(order, 0, 1);
                order.add(order.get(order.size() / 2)); // a retransmission
            }
            long base = fromClient ? clientSeq : serverSeq;
            for (long[] c : order) {
                byte[] part = Arrays.copyOfRange(bytes, (int) c[0], (int) (c[0] + c[1]));
                if (fromClient) {
                    w.segment(t++, client, clientPort, server, 80, (base + c[0]) & 0xFFFFFFFFL, 0x18, part);
                } else {
                    w.segment(t++, server, 80, client, clientPort, (base + c[0]) & 0xFFFFFFFFL, 0x18, part);
                }
            }
            if (fromClient) {
                clientSeq += bytes.length;
            } else {
                serverSeq += bytes.length;
            }
            t += 1_000_000;
            return this;
        }

        Conversation end(boolean fromClient, int flag) {
            if (fromClient) {
                w.segment(t++, client, clientPort, server, 80, clientSeq++ & 0xFFFFFFFFL, flag, new byte[0]);
            } else {
                w.segment(t++, server, 80, client, clientPort, serverSeq++ & 0xFFFFFFFFL, flag, new byte[0]);
            }
            return this;
        }

        /** The seed: the application refuses a client with 1002 after clean frames (WS205), then closes cleanly. */
        Conversation app1002(boolean messy) {
            return syn().send(true, Wire.ascii(Script.request("/chat", "")), messy)
                    .send(false, Wire.ascii(Script.response("")), messy)
                    .send(true, Wire.text("hello from a client that is too old", 0x11223344), messy)
                    .send(false, Wire.close(1002, "client too old", null), messy)
                    .send(true, Wire.close(1002, "", 0x55667788), messy)
                    .end(false, Segment.FIN).end(true, Segment.FIN);
        }
    }

    private JsonNode analyze(Path file, int expectExit) throws Exception {
        Path json = dir.resolve(file.getFileName() + ".json");
        Cli.Run run = Cli.run("analyze", "--format", "json", "-o", json, "--fail-on", "never", file);
        assertEquals(expectExit, run.exit(), run.toString());
        return new ObjectMapper().readTree(json.toFile());
    }

    private static List<String> rules(JsonNode report) {
        List<String> r = new ArrayList<>();
        report.get("findings").forEach(f -> r.add(f.get("rule").asText()));
        return r;
    }

    @ParameterizedTest(name = "{0}, link {1}, IPv6 {2}, messy {3}")
    @CsvSource({
        "PCAP_US_LE, 1, false, false", "PCAP_US_LE, 1, false, true", "PCAP_NS_BE, 1, true, true",
        "PCAPNG_LE, 1, false, true", "PCAPNG_BE, 276, true, true", "PCAP_US_LE, 0, false, true",
        "PCAP_US_LE, 101, true, true", "PCAPNG_LE, 113, false, true", "PCAP_NS_BE, 113, true, false"})
    void theSeed1002IsReconstructedFromEveryFormatAndLinkType(PcapWriter.Format format, int link, boolean v6,
                                                              boolean messy) throws Exception {
        PcapWriter w = new PcapWriter(format, link);
        new Conversation(w, v6, 40001).app1002(messy);
        JsonNode report = analyze(w.write(dir.resolve("c.cap")), 0);
        assertEquals(1, report.get("connections").size(), report.toPrettyString());
        JsonNode c = report.get("connections").get(0);
        assertEquals(v6 ? "[2001:db8:0:0:0:0:0:2]:40001" : "10.0.0.2:40001", c.get("client").asText());
        assertEquals(v6 ? "[2001:db8:0:0:0:0:0:1]:80" : "10.0.0.1:80", c.get("server").asText());
        assertEquals("clean", c.get("outcome").asText(), c.toPrettyString());
        assertEquals("server", c.get("initiator").asText());
        assertEquals(1002, c.get("closeFrames").get(0).get("code").asInt());
        assertEquals("client too old", c.get("closeFrames").get(0).get("reason").asText());
        assertEquals(3, c.get("frames").get("client").asInt() + c.get("frames").get("server").asInt());
        assertEquals(List.of("WS205"), rules(report));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(PcapWriter.Format.class)
    void aCaptureWithoutPacketsHasNoConnections(PcapWriter.Format format) throws Exception {
        JsonNode report = analyze(new PcapWriter(format, 1).write(dir.resolve("empty.cap")), 0);
        assertEquals(0, report.get("connections").size(), report.toPrettyString());
    }

    @Test
    void aDroppedServerAndAStreamThatIsNotWebSocket() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.Format.PCAPNG_LE, 1);
        new Conversation(w, false, 40002).syn().send(true, Wire.ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), true)
                .send(false, Wire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), false)
                .end(false, Segment.FIN).end(true, Segment.FIN);
        new Conversation(w, false, 40003).syn().send(true, Wire.ascii(Script.request("/chat", "")), false)
                .send(false, Wire.ascii(Script.response("")), false)
                .send(true, Wire.text("hi", 0x01020304), true).end(false, Segment.RST);
        JsonNode report = analyze(w.write(dir.resolve("drop.pcapng")), 0);
        assertEquals(1, report.get("connections").size(), report.toPrettyString()); // the plain HTTP one is skipped
        JsonNode c = report.get("connections").get(0);
        assertEquals("10.0.0.2:40003", c.get("client").asText());
        assertEquals("reset", c.get("outcome").asText());
        assertEquals(1006, c.get("clientSaw").get("code").asInt());
        assertTrue(rules(report).contains("WS309"), rules(report).toString());
    }

    @Test
    void aTruncatedPcapKeepsWhatCameBeforeAndSaysWhere() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.Format.PCAP_US_LE, 1);
        new Conversation(w, false, 40004).app1002(false);
        Conversation second = new Conversation(w, false, 40005).syn();
        second.send(true, Wire.ascii(Script.request("/late", "")), false);
        byte[] whole = w.bytes();
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 10));
        Path json = dir.resolve("cut.json");
        Cli.Run run = Cli.run("analyze", "--format", "json", "-o", json, "--fail-on", "never", cut);
        assertEquals(0, run.exit(), run.toString());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals("clean", report.get("connections").get(0).get("outcome").asText());
        String text = Cli.run("analyze", cut).out();
        assertTrue(text.contains("expected") && text.contains("bytes of packet data"), text);
        assertFalse(run.err().contains("Exception"), run.err());
    }

    @Test
    void aBadPcapngBlockLengthIsOneLineNamingTheOffset() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.Format.PCAPNG_BE, 1);
        new Conversation(w, false, 40006).app1002(false);
        byte[] b = w.bytes();
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        bad.writeBytes(b);
        bad.writeBytes(new byte[] {0, 0, 0, 6, 0, 0, 0, 13}); // a block whose length is not a multiple of 4
        Path f = dir.resolve("bad.pcapng");
        Files.write(f, bad.toByteArray());
        String text = Cli.run("analyze", f).out();
        assertTrue(text.contains("at byte " + b.length) || text.contains(String.valueOf(b.length)), text);
        assertTrue(text.contains("expected a pcapng block length"), text);
    }

    /** Found by PcapFuzzTest: an interface id of 2^31 or more was read as a negative index and threw. */
    @Test
    void aPacketBlockWithAHugeInterfaceIdIsDamageNamingTheOffset() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.Format.PCAPNG_LE, 1);
        new Conversation(w, false, 40007).app1002(false);
        byte[] b = w.bytes();
        int epb = 28 + 32 + 16; // after the section header, the interface and the custom block
        assertEquals(6, b[epb]);
        b[epb + 8 + 3] = (byte) 0xFF; // interface id 0xFF000000 (little-endian)
        Path f = dir.resolve("ifc.pcapng");
        Files.write(f, b);
        Cli.Run run = Cli.run("analyze", f);
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("expected an interface id below 1 in a packet block, found 4278190080"), run.out());
        assertTrue(run.out().contains(String.valueOf(epb)), run.out());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    /** Found by PcapFuzzTest: a section header of 12 bytes left a negative body length and threw. */
    @Test
    void aSectionHeaderTooShortForItsFieldsIsRefusedInOneLine() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.Format.PCAPNG_BE, 1);
        new Conversation(w, false, 40008).app1002(false);
        byte[] b = w.bytes();
        b[4] = 0;
        b[5] = 0;
        b[6] = 0;
        b[7] = 12; // the section header's total length
        Path f = dir.resolve("shb.pcapng");
        Files.write(f, b);
        Cli.Run run = Cli.run("analyze", f);
        assertEquals(2, run.exit(), run.toString());
        assertEquals(f + ": at byte 0: expected a pcapng block length (a multiple of 4, at least 28), found 12",
                run.err().strip());
    }
}
