package io.wstap.analyzer.source.pcap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Script;
import io.wstap.analyzer.testing.Wire;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ground truth from a real packet capture: dumpcap (Wireshark's capture engine, from Debian's tshark package) records
 * real WebSocket bytes over the loopback interface while a client and a server on 127.0.0.1 exchange them; wstap
 * reads the file. On one connection the server drops TCP without any Close (WS301); on another it closes with 1002
 * after clean frames (WS205).
 */
class DumpcapCaptureTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "dumpcap {0}")
    @ValueSource(strings = {"pcapng", "pcap"})
    void aRealLoopbackCaptureIsReconstructed(String format) throws Exception {
        Path dumpcap = Path.of("/usr/bin/dumpcap");
        assertTrue(Files.isExecutable(dumpcap), "dumpcap is missing: apt-get install tshark (.ci/run installs it)");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Path file = dir.resolve("lo." + format);
            List<String> cmd = new ArrayList<>(List.of(dumpcap.toString(), "-q", "-i", "lo", "-f", "tcp port " + port, "-w", file.toString()));
            if (format.equals("pcap")) {
                cmd.add("-P");
            }
            Process capture = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("dumpcap.log").toFile()).start();
            try {
                waitForCaptureStart(capture, file);
                exchange(server, port, true);   // server drops TCP: WS301
                exchange(server, port, false);  // server closes with 1002 after clean frames: WS205
                Thread.sleep(500);
            } finally {
                capture.destroy(); // SIGTERM: dumpcap finishes the file
                assertTrue(capture.waitFor(20, TimeUnit.SECONDS), "dumpcap did not stop");
            }
            Path json = dir.resolve("lo.json");
            Cli.Run run = Cli.run("analyze", "--format", "json", "-o", json, "--fail-on", "never", file);
            assertEquals(0, run.exit(), run + Files.readString(dir.resolve("dumpcap.log")));
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            JsonNode connections = report.get("connections");
            assertEquals(2, connections.size(), report.toPrettyString());
            assertEquals("abrupt", connections.get(0).get("outcome").asText());
            assertEquals(1006, connections.get(0).get("clientSaw").get("code").asInt());
            assertEquals("127.0.0.1:" + port, connections.get(0).get("server").asText());
            assertEquals(1002, connections.get(1).get("closeFrames").get(0).get("code").asInt());
            assertEquals("server", connections.get(1).get("closeFrames").get(0).get("from").asText());
            List<String> rules = new ArrayList<>();
            report.get("findings").forEach(f -> rules.add(f.get("rule").asText() + "@" + f.get("connection").asText()));
            assertTrue(rules.contains("WS301@" + connections.get(0).get("id").asText()), rules.toString());
            assertTrue(rules.contains("WS205@" + connections.get(1).get("id").asText()), rules.toString());
        }
    }

    /** dumpcap creates its file once the capture runs; then a moment for the filter to be live. */
    private static void waitForCaptureStart(Process capture, Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!Files.exists(file) && System.nanoTime() < deadline && capture.isAlive()) {
            Thread.sleep(50);
        }
        assertTrue(capture.isAlive() && Files.exists(file), "dumpcap did not start capturing on lo");
        Thread.sleep(700);
    }

    /** One connection on loopback: handshake, a masked text frame, then the server drops TCP or closes with 1002. */
    private static void exchange(ServerSocket server, int port, boolean drop) throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port); Socket peer = server.accept()) {
            client.setSoTimeout(5000);
            peer.setSoTimeout(5000);
            OutputStream cout = client.getOutputStream();
            cout.write(Wire.ascii(Script.request("/chat", "")));
            readAtLeast(peer.getInputStream(), Script.request("/chat", "").length());
            peer.getOutputStream().write(Wire.ascii(Script.response("")));
            readAtLeast(client.getInputStream(), Script.response("").length());
            byte[] text = Wire.text("hello", 0x0A0B0C0D);
            cout.write(text);
            readAtLeast(peer.getInputStream(), text.length);
            if (!drop) {
                byte[] close = Wire.close(1002, "too old", null);
                peer.getOutputStream().write(close);
                readAtLeast(client.getInputStream(), close.length);
                byte[] answer = Wire.close(1002, "", 0x01020304);
                cout.write(answer);
                readAtLeast(peer.getInputStream(), answer.length);
            }
            peer.close(); // the server closes TCP first
            Thread.sleep(50);
        }
    }

    private static void readAtLeast(InputStream in, int n) throws Exception {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(b, got, n - got);
            if (r < 0) {
                throw new IllegalStateException("peer closed after " + got + " of " + n + " bytes");
            }
            got += r;
        }
    }
}
