package io.wstap.analyzer.bench;

import io.wstap.analyzer.testing.CaptureBuilder;
import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Script;
import io.wstap.analyzer.testing.Wire;
import io.wstap.capture.Transport;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How fast {@code wstap analyze} reads the agent's own format: writes a capture of {@code frames} small data frames
 * (payload 0..125, half from each side, clients masked) over {@code connections} connections the way the agent does
 * (real engine, real {@code CaptureWriter}), then runs the whole CLI on it in-process {@code runs} times (JSON report to
 * a file, so the report is built and written too) and prints frames/s for each run and their median.
 *
 * <pre>
 *   mvn -B -q install -DskipTests
 *   java -cp "$(cat analyzer/target/bench.classpath)" io.wstap.analyzer.bench.AnalyzerBenchmark frames=10000000
 * </pre>
 * (docs/benchmarks.md: the classpath file is written by {@code mvn -pl analyzer dependency:build-classpath}.)
 */
public final class AnalyzerBenchmark {
    private AnalyzerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long frames = 10_000_000;
        int connections = 100;
        int runs = 5;
        Path file = Path.of("target/bench/analyzer-bench.wstap");
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "frames" -> frames = Long.parseLong(kv[1]);
                case "connections" -> connections = Integer.parseInt(kv[1]);
                case "runs" -> runs = Integer.parseInt(kv[1]);
                case "file" -> file = Path.of(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a
                        + " (expected frames=, connections=, runs=, file=)");
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        long perConnection = frames / connections;
        long t0 = System.nanoTime();
        write(file, connections, perConnection);
        long size = Files.size(file);
        long total = perConnection * connections;
        System.out.printf("capture: %,d data frames on %d connections, %,d bytes (%.2f B/frame), written in %.1f s%n",
                total, connections, size, (double) size / total, (System.nanoTime() - t0) / 1e9);

        Path report = file.resolveSibling("analyzer-bench.json");
        double[] rates = new double[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            Cli.Run run = Cli.run("analyze", "--format", "json", "-o", report, "--fail-on", "never", file);
            double secs = (System.nanoTime() - s) / 1e9;
            if (run.exit() != 0) {
                throw new IllegalStateException("analyze failed: " + run);
            }
            rates[i] = total / secs;
            System.out.printf("  run %d: %.2f s, %.1f M frames/s%n", i + 1, secs, rates[i] / 1e6);
        }
        Arrays.sort(rates);
        System.out.printf("RESULT analyzer frames/s median %.1f M (goal 10 M), capture %.2f B/frame (goal 16)%n",
                rates[runs / 2] / 1e6, (double) size / total);
    }

    /** Each connection: handshake, then its frames in 64 KiB bursts from alternating sides, then a clean close. */
    private static void write(Path file, int connections, long perConnection) throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        try (CaptureBuilder capture = new CaptureBuilder(file)) {
            long start = CaptureBuilder.MONO;
            for (int c = 1; c <= connections; c++) {
                Script script = Script.open();
                long left = perConnection;
                boolean client = true;
                while (left > 0) {
                    List<byte[]> burst = new ArrayList<>();
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream(70_000);
                    int n = 0;
                    while (left > 0 && bytes.size() < 64 * 1024) {
                        byte[] payload = new byte[random.nextInt(126)];
                        int opcode = random.nextInt(2) == 0 ? 1 : 2;
                        Arrays.fill(payload, (byte) 'a'); // ASCII: valid text too
                        bytes.writeBytes(Wire.frame(true, opcode, client ? random.nextInt() | 1 : null, payload));
                        left--;
                        n++;
                    }
                    burst.add(bytes.toByteArray());
                    script = client ? script.client(burst.get(0)) : script.server(burst.get(0));
                    client = !client;
                }
                script.after(1).client(Wire.close(1000, "bye", random.nextInt() | 1))
                        .server(Wire.close(1000, "bye", null))
                        .tcp(Role.SERVER, TcpEnd.FIN).tcp(Role.CLIENT, TcpEnd.FIN);
                capture.connection(c, Role.SERVER, "127.0.0.1:8080", "127.0.0.1:" + (40000 + c), Transport.PLAIN,
                        start, script);
                start += script.duration() + 1_000_000;
            }
        }
    }
}
