package io.wstap.samples;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bench/host-overhead.sh end to end, cut to seconds: a Netty server with and without the agent, loaded over ws:// and
 * wss:// by the spinning client (an SSLEngine over its channel for wss://), prints a ratio row per configuration from
 * real round trips; the toggled arm, loaded by the raw client's threads, a row of window ratios. The numbers themselves
 * are docs/benchmarks.md's business; this keeps the harness working.
 */
class BenchHarnessIT {
    private static final Pattern RATIO = Pattern.compile("^RATIO \\| netty (wss?) 64 B x4 \\| agent \\| (\\d+) \\| ([0-9.]+) \\|");

    @Test
    void theHostOverheadHarnessMeasuresBothArmsOverWsAndWssWithTheSpinningClient() throws Exception {
        String text = harness("transports=plain,tls", "arms=agent", "seconds=1");
        assertTrue(text.contains("spin client"), text);
        List<String> seen = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = RATIO.matcher(line);
            if (m.find()) {
                seen.add(m.group(1));
                assertTrue(Long.parseLong(m.group(2)) > 100, "the A arm echoed messages: " + line);
                double ratio = Double.parseDouble(m.group(3));
                assertTrue(ratio > 0.1 && ratio < 10, "a throughput ratio from real rounds: " + line);
            }
        }
        assertEquals(List.of("ws", "wss"), seen, text);
    }

    /**
     * Runs the harness on a Netty server with 64-byte messages on 4 connections, 1 pair, 1 s of warm-up, unpinned,
     * plus {@code args}; returns its output once it exited 0 (within 150 s).
     */
    private static String harness(String... args) throws Exception {
        Path out = Files.createTempFile("wstap-bench", ".txt");
        List<String> cmd = new ArrayList<>(List.of(ForkedApp.java(), "-cp", ForkedApp.classpath(),
                "io.wstap.samples.bench.HostOverheadBenchmark", "servers=netty", "sizes=64", "connections=4",
                "pairs=1", "warmup=1", "pin=false", "agent=" + ForkedApp.agentJar(),
                "out=" + Files.createTempFile("wstap-bench", ".md")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "the harness did not finish in 150 s");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    private static final Pattern TOGGLED = Pattern.compile(
            "^TOGGLED \\| netty ws 64 B x4 \\| 1 \\| (\\d+) \\| ([0-9.]+) \\|");

    /**
     * Arm agent-toggled: one server JVM whose capture goes off and on every 200 ms; its on windows' throughput over
     * their off neighbours', from real round trips counted per window by the client (the raw one: a thread per
     * connection, each counting its own windows).
     */
    @Test
    void theToggledArmComparesOnAndOffWindowsOfOneServer() throws Exception {
        String text = harness("transports=plain", "arms=agent-toggled", "toggleMs=200", "seconds=2", "client=raw");
        Matcher m = text.lines().map(TOGGLED::matcher).filter(Matcher::find).findFirst().orElseThrow(() ->
                new AssertionError("no TOGGLED row: " + text));
        // 2 s of 200 ms windows: 10, of which the whole on windows with an off one either side number 3 or 4.
        int windows = Integer.parseInt(m.group(1));
        assertTrue(windows >= 3 && windows <= 5, "on windows compared: " + text);
        double ratio = Double.parseDouble(m.group(2));
        assertTrue(ratio > 0.1 && ratio < 10, "a throughput ratio from real windows: " + text);
    }
}
