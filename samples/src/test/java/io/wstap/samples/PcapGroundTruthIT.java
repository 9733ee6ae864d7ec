package io.wstap.samples;

import io.wstap.analyzer.source.pcap.PcapSource;
import io.wstap.capture.CaptureReplay;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Reconstruction;
import io.wstap.samples.raw.SeedScenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One run, two witnesses: the seed scenarios run under the agent while dumpcap records the same loopback traffic.
 * For every scenario the pcap's reconstruction (read by the analyzer's pcap reader) must match the agent's capture
 * of one of the two sockets exactly: outcome, initiator, who closed TCP, frame counts, every Close frame, each side's
 * CloseEvent and the findings. Not always the same socket: a socket's view of TCP close order is its own (a server
 * that calls close() before it reads the client's FIN believes it closed first; the wire shows the client's FIN
 * first, and so does the client's socket). The wire agrees with whichever socket closed first. The wss:// scenario
 * is the exception that shows why wstap exists: the pcap holds only ciphertext, the agent the whole exchange.
 */
class PcapGroundTruthIT {
    @TempDir
    Path dir;

    @Test
    void theSeedScenariosReadTheSameFromThePcapAsFromTheAgentsCapture() throws Exception {
        Path dumpcap = Path.of("/usr/bin/dumpcap");
        assertTrue(Files.isExecutable(dumpcap), "dumpcap is missing: apt-get install tshark (.ci/run installs it)");
        Path pcap = dir.resolve("lo.pcapng");
        Path capture = dir.resolve("seeds.wstap");
        Process recorder = new ProcessBuilder(dumpcap.toString(), "-q", "-i", "lo", "-f", "tcp", "-w", pcap.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dumpcap.log").toFile()).start();
        ForkedApp.Result run;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!Files.exists(pcap) && recorder.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(recorder.isAlive() && Files.exists(pcap), "dumpcap did not start: "
                    + Files.readString(dir.resolve("dumpcap.log")));
            Thread.sleep(700);
            run = ForkedApp.run("file=" + capture, SeedScenarios.class, 120);
            Thread.sleep(1500); // the last scenario's lingering closes
        } finally {
            recorder.destroy();
            assertTrue(recorder.waitFor(20, TimeUnit.SECONDS), "dumpcap did not stop");
        }
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        // In run order: a later scenario's server may get an earlier one's ephemeral port, and then the connections of
        // that port are told apart by order (connection ids follow the order connections were first seen, in the
        // agent's capture as in the pcap).
        Map<String, Integer> ports = new LinkedHashMap<>();
        Matcher m = Pattern.compile("scenario (\\S+): .* \\(server port (\\d+)\\)").matcher(run.stdout());
        while (m.find()) {
            ports.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        assertEquals(SeedScenariosCount.ALL, ports.size(), run.stdout());

        CaptureReplay agent = new CaptureReplay();
        CaptureReplay.replay(capture, agent);
        CaptureReplay packets = new CaptureReplay();
        PcapSource.read(pcap, true, packets);
        packets.finish();

        List<String> differences = new ArrayList<>();
        for (var e : ports.entrySet()) {
            int p = e.getValue();
            String port = ":" + p;
            List<String> tlsOnPort = scenariosOn(ports, p, true);
            List<String> plainOnPort = scenariosOn(ports, p, false);
            if (e.getKey().endsWith("-over-wss")) {
                // On the wire wss:// is ciphertext, and a packet tool without the keys sees no WebSocket at all: that
                // is why the agent reads TLS at the SSLEngine/SSLSocket. The agent has it; the pcap must not (what
                // the pcap has on this port is the plain scenarios' that got the same port, if any).
                nth(agent, r -> agent.endpoints(r.connectionId()).local().endsWith(port)
                                && agent.endpoints(r.connectionId()).transport() == io.wstap.capture.Transport.TLS,
                        tlsOnPort, e.getKey());
                assertEquals(plainOnPort.size(), packets.reconstructions().values().stream()
                        .filter(r -> packets.endpoints(r.connectionId()).remote().endsWith(port)).count(), e.getKey());
                continue;
            }
            Reconstruction server = nth(agent, r -> agent.endpoints(r.connectionId()).local().endsWith(port)
                    && agent.endpoints(r.connectionId()).transport() == io.wstap.capture.Transport.PLAIN, plainOnPort,
                    e.getKey());
            Reconstruction client = nth(agent, r -> agent.endpoints(r.connectionId()).remote().endsWith(port)
                    && agent.endpoints(r.connectionId()).transport() == io.wstap.capture.Transport.PLAIN, plainOnPort,
                    e.getKey());
            Reconstruction wire = nth(packets, r -> packets.endpoints(r.connectionId()).remote().endsWith(port),
                    plainOnPort, e.getKey());
            String wireView = summary(wire);
            if (!wireView.equals(summary(server)) && !wireView.equals(summary(client))) {
                differences.add(e.getKey() + ":\n    agent (server socket) " + summary(server) + "\n    agent (client socket) "
                        + summary(client) + "\n    pcap                  " + wireView);
            }
        }
        assertTrue(differences.isEmpty(), String.join("\n", differences));
    }

    /** The scenarios, in run order, whose server had {@code port}, over wss:// or not. */
    private static List<String> scenariosOn(Map<String, Integer> ports, int port, boolean tls) {
        return ports.entrySet().stream().filter(e -> e.getValue() == port && e.getKey().endsWith("-over-wss") == tls)
                .map(Map.Entry::getKey).toList();
    }

    /**
     * The connection of {@code scenario} among those {@code which} selects: one per scenario of {@code sameKind}
     * (the scenarios that had the same port and transport, in run order), in the order they were seen.
     */
    private static Reconstruction nth(CaptureReplay replay, java.util.function.Predicate<Reconstruction> which,
                                      List<String> sameKind, String scenario) {
        List<Reconstruction> found = replay.reconstructions().values().stream().filter(which)
                .sorted(java.util.Comparator.comparingLong(Reconstruction::connectionId)).toList();
        assertEquals(sameKind.size(), found.size(), scenario + " (port shared by " + sameKind + "): " + found);
        return found.get(sameKind.indexOf(scenario));
    }

    /** What both witnesses must agree on, as one comparable line. */
    private static String summary(Reconstruction r) {
        StringBuilder s = new StringBuilder();
        // Roles, not endpoints: the agent's LOCAL is the server socket here, the pcap's LOCAL is the SYN's sender.
        s.append("outcome=").append(r.outcome()).append(" initiator=").append(r.initiatorRole())
                .append(" tcpClosedBy=").append(r.tcpClosedByRole()).append(" tcpEnd=").append(r.tcpEnd() == null ? null : r.tcpEnd().label())
                .append(" frames c/s=").append(r.framesFrom(io.wstap.engine.Role.CLIENT)).append('/')
                .append(r.framesFrom(io.wstap.engine.Role.SERVER)).append(" closes=[");
        for (CloseRecord c : r.closeFrames()) {
            s.append(c.role()).append(' ').append(c.code()).append(" '").append(c.reason()).append("' ");
        }
        s.append("] clientSaw=").append(r.clientSaw()).append(" serverSaw=").append(r.serverSaw()).append(" rules=");
        return s.append(r.findings().stream().map(f -> f.rule().id()).sorted().toList()).toString();
    }
}
