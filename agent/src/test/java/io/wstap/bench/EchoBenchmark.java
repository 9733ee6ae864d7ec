package io.wstap.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Host overhead of the agent, side by side in one run: an echo server JVM without the agent (A) and with it (B),
 * alternated ABAB..., each loaded by a separate client JVM ({@link EchoClientMain}, no agent). Prints each round and
 * the medians: throughput ratio B/A, p50/p99 latency ratios, and the agent's extra allocation per frame in the server.
 *
 * <pre>
 * mvn -B -q -pl agent package -DskipTests
 * java -cp agent/target/test-classes io.wstap.bench.EchoBenchmark [pairs=3] [connections=16] [size=64] [warmup=3] [seconds=5] [b=agent]
 * </pre>
 * {@code b} chooses the B arm: {@code agent} (capture file only), {@code agent-jfr} (plus a JFR recording with
 * wstap.jfc), {@code agent-jfr-frames} (the per-frame event on too), {@code jdk-socket-events} (no agent: the JDK's
 * jdk.SocketRead/SocketWrite events at threshold 0, what a user can do today without wstap).
 */
public final class EchoBenchmark {
    record Round(boolean agent, double msgsPerSecond, double p50, double p99, double allocPerMessage,
                 double writerAllocPerMessage) {
    }

    public static void main(String[] args) throws Exception {
        int pairs = arg(args, "pairs", 3);
        int connections = arg(args, "connections", 16);
        int size = arg(args, "size", 64);
        int warmup = arg(args, "warmup", 3);
        int seconds = arg(args, "seconds", 5);
        String b = Arrays.stream(args).filter(a -> a.startsWith("b=")).findFirst().map(a -> a.substring(2)).orElse("agent");
        Path agentJar = Path.of(System.getProperty("wstap.agent.jar", "agent/target/wstap-agent.jar")).toAbsolutePath();
        String classpath = System.getProperty("java.class.path");
        Path dir = Files.createTempDirectory("wstap-echo-bench");
        System.out.printf(Locale.ROOT, "echo benchmark: %d connections, %d-byte binary messages, %d s warm-up + %d s, "
                + "%d ABAB pairs, java %s%n", connections, size, warmup, seconds, pairs, System.getProperty("java.version"));
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i < 2 * pairs; i++) {
            boolean agent = i % 2 == 1;
            Round r = round(agent ? b : "none", agentJar, classpath, dir, i, connections, size, warmup, seconds);
            rounds.add(r);
            System.out.printf(Locale.ROOT, "  %s %-8s %10.0f msg/s  p50 %7.1f us  p99 %7.1f us  app threads %8.1f B/msg"
                    + "  writer thread %6.1f B/msg%n", agent ? "B" : "A", agent ? b : "none", r.msgsPerSecond,
                    r.p50, r.p99, r.allocPerMessage, r.writerAllocPerMessage);
        }
        double tA = median(rounds, false, Round::msgsPerSecond);
        double tB = median(rounds, true, Round::msgsPerSecond);
        double p50A = median(rounds, false, Round::p50);
        double p50B = median(rounds, true, Round::p50);
        double p99A = median(rounds, false, Round::p99);
        double p99B = median(rounds, true, Round::p99);
        double allocA = median(rounds, false, Round::allocPerMessage);
        double allocB = median(rounds, true, Round::allocPerMessage);
        double writer = median(rounds, true, Round::writerAllocPerMessage);
        // Two frames per message at the server: the client's in, the echo out.
        System.out.printf(Locale.ROOT, "RATIO throughput=%.3f p50=%.3f p99=%.3f app_thread_extra_alloc_per_frame=%.2fB "
                + "writer_alloc_per_frame=%.2fB%n", tB / tA, p50B / p50A, p99B / p99A, (allocB - allocA) / 2, writer / 2);
    }

    private static Round round(String arm, Path agentJar, String classpath, Path dir, int i, int connections, int size,
                               int warmup, int seconds) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> server = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx256m"));
        if (arm.startsWith("agent-jfr")) {
            String jfc = new String(new java.util.jar.JarFile(agentJar.toFile()).getInputStream(
                    new java.util.jar.JarFile(agentJar.toFile()).getEntry("wstap.jfc")).readAllBytes(), StandardCharsets.UTF_8);
            if (arm.equals("agent-jfr-frames")) {
                jfc = jfc.replace("<event name=\"io.wstap.Frame\">\n    <setting name=\"enabled\">false",
                        "<event name=\"io.wstap.Frame\">\n    <setting name=\"enabled\">true");
            }
            Path settings = dir.resolve("round" + i + ".jfc");
            Files.writeString(settings, jfc);
            server.add("-XX:StartFlightRecording=filename=" + dir.resolve("round" + i + ".jfr") + ",settings=" + settings);
        } else if (arm.equals("jdk-socket-events")) {
            Path settings = dir.resolve("round" + i + ".jfc");
            Files.writeString(settings, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><configuration version=\"2.0\">"
                    + "<event name=\"jdk.SocketRead\"><setting name=\"enabled\">true</setting><setting name=\"threshold\">0 ns</setting>"
                    + "<setting name=\"stackTrace\">true</setting></event>"
                    + "<event name=\"jdk.SocketWrite\"><setting name=\"enabled\">true</setting><setting name=\"threshold\">0 ns</setting>"
                    + "<setting name=\"stackTrace\">true</setting></event></configuration>");
            server.add("-XX:StartFlightRecording=filename=" + dir.resolve("round" + i + ".jfr") + ",settings=" + settings);
        }
        if (arm.startsWith("agent")) {
            // agent-ignored: hooks installed, but the ports filter matches nothing, so every call is one table look-up
            String filter = arm.equals("agent-ignored") ? ",ports=1" : "";
            server.add("-javaagent:" + agentJar + "=file=" + dir.resolve("round" + i + ".wstap") + ",quiet=true" + filter);
        }
        server.addAll(List.of("-cp", classpath, EchoServerMain.class.getName()));
        Process s = new ProcessBuilder(server).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String port = expect(out, "PORT ");
            Process c = new ProcessBuilder(java, "-Xms256m", "-Xmx256m", "-cp", classpath, EchoClientMain.class.getName(),
                    port, Integer.toString(connections), Integer.toString(size), Integer.toString(warmup),
                    Integer.toString(seconds)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            OutputStream serverIn = s.getOutputStream();
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup) + 300); // connections are up and warm: start counting
            serverIn.write("MARK\n".getBytes(StandardCharsets.UTF_8));
            serverIn.flush();
            String result = expect(new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)), "RESULT ");
            serverIn.write("STOP\n".getBytes(StandardCharsets.UTF_8));
            serverIn.close();
            String[] allocated = expect(out, "ALLOCATED ").split(" ");
            try (OutputStream stdin = c.getOutputStream()) {
                stdin.write("CLOSE\n".getBytes(StandardCharsets.UTF_8));
            }
            if (!c.waitFor(60, TimeUnit.SECONDS)) {
                c.destroyForcibly();
            }
            // The window from MARK to STOP is about the measured part (the same for both arms of a pair).
            double measured = field(result, "messages");
            return new Round(!arm.equals("none"), field(result, "msgs_per_s"), field(result, "p50_us"), field(result, "p99_us"),
                    Long.parseLong(allocated[0]) / measured, Long.parseLong(allocated[1]) / measured);
        } finally {
            if (!s.waitFor(30, TimeUnit.SECONDS)) {
                s.destroyForcibly();
            }
        }
    }

    private static String expect(BufferedReader in, String prefix) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
        throw new IllegalStateException("no line starting with " + prefix);
    }

    private static double field(String result, String name) {
        for (String kv : result.split(" ")) {
            if (kv.startsWith(name + "=")) {
                return Double.parseDouble(kv.substring(name.length() + 1));
            }
        }
        throw new IllegalStateException("no " + name + " in " + result);
    }

    private static double median(List<Round> rounds, boolean agent, java.util.function.ToDoubleFunction<Round> f) {
        double[] v = rounds.stream().filter(r -> r.agent == agent).mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static int arg(String[] args, String name, int dflt) {
        return Arrays.stream(args).filter(a -> a.startsWith(name + "=")).findFirst()
                .map(a -> Integer.parseInt(a.substring(name.length() + 1))).orElse(dflt);
    }
}
