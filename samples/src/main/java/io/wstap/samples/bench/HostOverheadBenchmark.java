package io.wstap.samples.bench;

import io.wstap.samples.Tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What wstap costs a real server, side by side with the alternatives, in one run (issue #8; docs/benchmarks.md).
 *
 * <p>For each configuration (server Jetty 12 or Netty 4.2, ws:// or wss://, small or large messages) and each
 * measured arm B, it runs pairs of rounds A B, A B, ... where A is the same server without anything attached. Each
 * round is a fresh server JVM ({@link BenchServer}) loaded by a fresh client JVM ({@link BenchClient}, no agent),
 * warmed up, then measured. A ratio is B over the A of its own pair (so a slow drift of the machine cancels), and
 * the table gives each arm's median over its pairs: throughput, p50 and p99 round-trip latency, the extra bytes the
 * server's traffic threads allocated per frame, the bytes wstap's writer thread allocated per frame, and the server
 * JVM's CPU time per message (less noisy than throughput on a shared machine: it does not depend on scheduling).
 * By default the client is the spinning one for ws:// and the raw one for wss:// ({@code client=spin}: little CPU, so
 * the server's cost shows, and for ws:// no client thread the server has to wake; {@code client=raw} blocking sockets
 * for both, {@code client=jdk} the JDK's HttpClient; see {@link BenchClient}) and the two JVMs are pinned to a core
 * each ({@code pin=true}, with taskset).
 *
 * <p>Arms: {@code agent} (capture file only), {@code agent-jfr} (plus a JFR recording with wstap.jfc, per-frame
 * event off), {@code agent-jfr-frames} (per-frame event on), {@code jdk-socket-events} (no agent: the JDK's own
 * jdk.SocketRead/SocketWrite events at threshold 0 with stacks, what a user can do today), {@code copy-tap} (the agent
 * with {@code copyTap=true}: every byte copied at the same hooks, what a packet tool does).
 *
 * <pre>
 * bench/host-overhead.sh [key=value ...]   # servers=jetty,netty transports=plain,tls sizes=64,65536 pairs=2 ...
 * </pre>
 */
public final class HostOverheadBenchmark {
    static final List<String> ALL_ARMS = List.of("agent", "agent-jfr", "agent-jfr-frames", "jdk-socket-events", "copy-tap");
    /**
     * Not in the default arms: one server JVM whose agent runs with benchToggle, capture off and on in turn, its
     * throughput compared window by window ({@link #toggledRatios}); no A rounds.
     */
    static final String TOGGLED = "agent-toggled";

    record Config(String server, boolean tls, int size, int connections) {
        String label() {
            return server + " " + (tls ? "wss" : "ws") + " " + (size >= 1024 ? size / 1024 + " KiB" : size + " B")
                    + " x" + connections;
        }
    }

    /** One round's figures; {@code cpuPerMessage}: the server JVM's CPU µs per message (request and echo). */
    record Round(double msgsPerSecond, double p50, double p99, double appBytesPerFrame, double writerBytesPerFrame,
                 double cpuPerMessage, Map<String, Double> shares, double[] toggled) {
        /** wstap's share (%) of the server's CPU samples in the window: its tap on app threads plus its writer. */
        double wstapShare() {
            return shares == null ? Double.NaN : shares.get("tap") + shares.get("writer");
        }

        /**
         * What a part ("tap", "writer") cost per message, in ns of the server's CPU: its share of the window's samples
         * times the round's CPU per message. Steadier than a throughput ratio on a shared machine, where the server's
         * own cost per message moves by a tenth between two JVMs of the same arm.
         */
        double nanosPerMessage(String part) {
            return shares == null ? Double.NaN : shares.get(part) / 100 * cpuPerMessage * 1000;
        }
    }

    record Pair(Round a, Round b) {
    }

    private final Map<String, String> args;
    private final Path agentJar;
    private final Path dir;
    private final Path keystore;
    private final String classpath = System.getProperty("java.class.path");
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private int round;
    /**
     * {@code profile=true}: every server JVM also records JFR's profile settings, kept under target/bench/profile;
     * {@code asprof=true}: async-profiler's CPU samples of every server over the measured window only (collapsed
     * stacks, there too), and the share of them wstap's code took ({@link WindowProfile}). {@code serverJvm=A|B}: more
     * options for every server JVM ({@code %r} = the round's number), e.g. {@code -Xlog:jit+compilation=debug:file=...}.
     */
    private final boolean profile;
    /** The async-profiler library extracted for this run, or null without {@code asprof=true}. */
    private final String asyncProfiler;

    private HostOverheadBenchmark(Map<String, String> args) throws Exception {
        this.args = args;
        profile = Boolean.parseBoolean(args.getOrDefault("profile", "false"));
        agentJar = Path.of(args.getOrDefault("agent", "agent/target/wstap-agent.jar")).toAbsolutePath();
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalArgumentException("agent " + agentJar + ": no such file (build it: mvn -B -q package -DskipTests)");
        }
        dir = Files.createTempDirectory("wstap-host-overhead");
        keystore = Tls.selfSignedKeystore(dir, BenchServer.PASSWORD);
        asyncProfiler = Boolean.parseBoolean(args.getOrDefault("asprof", "false"))
                ? WindowProfile.extractLibrary(dir).toString() : null;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                System.err.println("argument '" + a + "': expected key=value");
                System.exit(2);
            }
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        new HostOverheadBenchmark(args).run();
    }

    private void run() throws Exception {
        List<String> arms = list("arms", String.join(",", ALL_ARMS));
        for (String arm : arms) {
            if (!ALL_ARMS.contains(arm) && !arm.equals(TOGGLED)) {
                throw new IllegalArgumentException("arm " + arm + ": expected one of " + ALL_ARMS + " or " + TOGGLED);
            }
        }
        int pairs = integer("pairs", 2);
        // A server pinned to one core compiles for 10 s or more before its throughput settles (Jetty 64 B: 35 k msg/s
        // after 2 s of warm-up, 63 k after 12 s); shorter warm-ups measured the JIT, not the agent (docs/benchmarks.md).
        int warmup = integer("warmup", 15);
        int seconds = integer("seconds", 5);
        String client = args.getOrDefault("client", "spin");
        boolean pin = Boolean.parseBoolean(args.getOrDefault("pin", "true")) && pinnable();
        List<Config> configs = new ArrayList<>();
        for (String server : list("servers", "jetty,netty")) {
            for (String transport : list("transports", "plain,tls")) {
                for (String size : list("sizes", "64,65536")) {
                    int n = Integer.parseInt(size);
                    // Many connections for small messages; fewer for 64 KiB ones, which fill the 2 cores on their own.
                    int connections = integer(n >= 1024 ? "connectionsLarge" : "connections", n >= 1024 ? 4 : 16);
                    configs.add(new Config(server, transport.equals("tls"), n, connections));
                }
            }
        }
        System.out.printf(Locale.ROOT, "host overhead: %d configurations x %d arms x %d A-B pairs, %d s warm-up + %d s"
                        + " per round, %s client, %s, java %s, %d cores%n", configs.size(), arms.size(), pairs, warmup,
                seconds, client, pin ? "server on CPU 0 and client on CPU 1" : "not pinned",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        StringBuilder table = new StringBuilder("| configuration | B arm | A msg/s | throughput B/A | p50 B/A | p99 B/A"
                + " | server CPU/msg B/A | extra app-thread B/frame | writer B/frame | pairs B/A |\n"
                + "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        StringBuilder shares = new StringBuilder("| configuration | B arm | tap | writer | wstap in all | JIT (B) | JIT (A)"
                + " | wstap ns/msg (tap + writer) |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        StringBuilder toggledTable = new StringBuilder("| configuration | rounds | on windows | throughput on/off"
                + " (median) | 95 % interval of the median | per round (median of its windows) |\n"
                + "| --- | ---: | ---: | ---: | ---: | --- |\n");
        boolean anyToggled = false;
        for (Config config : configs) {
            for (String arm : arms) {
                if (arm.equals(TOGGLED)) {
                    anyToggled = true;
                    toggledTable.append(toggled(config, pairs, warmup, seconds, client, pin)).append('\n');
                    continue;
                }
                List<Pair> measured = new ArrayList<>();
                for (int p = 0; p < pairs; p++) {
                    Round a = round(config, "none", warmup, seconds, client, pin);
                    Round b = round(config, arm, warmup, seconds, client, pin);
                    measured.add(new Pair(a, b));
                    System.out.printf(Locale.ROOT, "  %-22s %-18s A %9.0f msg/s p99 %8.1f us %6.1f cpu-us/msg | B %9.0f"
                                    + " msg/s p99 %8.1f us %6.1f cpu-us/msg | %.3f%n", config.label(), arm,
                            a.msgsPerSecond, a.p99, a.cpuPerMessage, b.msgsPerSecond, b.p99, b.cpuPerMessage,
                            b.msgsPerSecond / a.msgsPerSecond);
                    if (b.shares != null) {
                        System.out.printf(Locale.ROOT, "    window CPU samples: A jit %.1f %% | B tap %.1f %% writer %.1f %%"
                                + " jit %.1f %% | wstap %.0f + %.0f ns/msg%n", a.shares.get("jit"), b.shares.get("tap"),
                                b.shares.get("writer"), b.shares.get("jit"), b.nanosPerMessage("tap"),
                                b.nanosPerMessage("writer"));
                    }
                }
                String each = measured.stream().map(x -> String.format(Locale.ROOT, "%.2f",
                        x.b.msgsPerSecond / x.a.msgsPerSecond)).collect(Collectors.joining(" "));
                String line = String.format(Locale.ROOT, "| %s | %s | %.0f | %.3f | %.3f | %.3f | %.3f | %.1f | %.2f | %s |",
                        config.label(), arm, median(measured, x -> x.a.msgsPerSecond),
                        median(measured, x -> x.b.msgsPerSecond / x.a.msgsPerSecond),
                        median(measured, x -> x.b.p50 / x.a.p50), median(measured, x -> x.b.p99 / x.a.p99),
                        median(measured, x -> x.b.cpuPerMessage / x.a.cpuPerMessage),
                        median(measured, x -> x.b.appBytesPerFrame - x.a.appBytesPerFrame),
                        median(measured, x -> x.b.writerBytesPerFrame), each);
                System.out.println("RATIO " + line);
                table.append(line).append('\n');
                if (asyncProfiler != null) {
                    String share = String.format(Locale.ROOT,
                            "| %s | %s | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.0f (%.0f + %.0f) |",
                            config.label(), arm, median(measured, x -> x.b.shares.get("tap")),
                            median(measured, x -> x.b.shares.get("writer")), median(measured, x -> x.b.wstapShare()),
                            median(measured, x -> x.b.shares.get("jit")), median(measured, x -> x.a.shares.get("jit")),
                            median(measured, x -> x.b.nanosPerMessage("tap") + x.b.nanosPerMessage("writer")),
                            median(measured, x -> x.b.nanosPerMessage("tap")),
                            median(measured, x -> x.b.nanosPerMessage("writer")));
                    System.out.println("SHARE " + share);
                    shares.append(share).append('\n');
                }
            }
        }
        if (anyToggled) {
            table.append('\n').append(toggledTable);
        }
        System.out.println();
        System.out.print(table);
        if (asyncProfiler != null) {
            table.append('\n').append(shares);
            System.out.println();
            System.out.print(shares);
        }
        Path out = Path.of(args.getOrDefault("out", "target/bench/host-overhead.md"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        System.out.println("table written to " + out);
    }

    private Round round(Config config, String arm, int warmup, int seconds, String client, boolean pin)
            throws IOException, InterruptedException {
        int i = round++;
        List<String> server = new ArrayList<>(pin ? List.of("taskset", "-c", "0") : List.of());
        server.addAll(List.of(java, "-Xms512m", "-Xmx512m"));
        server.addAll(armOptions(arm, i));
        for (String option : args.getOrDefault("serverJvm", "").split("\\|")) {
            if (!option.isBlank()) {
                server.add(option.replace("%r", Integer.toString(i))); // both arms' servers, e.g. a JIT log per round
            }
        }
        if (profile) { // where a cell's time goes: JFR's execution and allocation samples of both arms' servers
            Path jfr = Path.of("target", "bench", "profile", config.label().replace(' ', '-') + "-" + arm + "-" + i
                    + ".jfr").toAbsolutePath();
            Files.createDirectories(jfr.getParent());
            server.add("-XX:StartFlightRecording=settings=profile,filename=" + jfr);
            System.out.println("  profile of round " + i + " (" + arm + "): " + jfr);
        }
        Path collapsed = null;
        if (asyncProfiler != null) { // CPU samples of the measured window, kernel and JIT included (docs/benchmarks.md)
            collapsed = Path.of("target", "bench", "profile", config.label().replace(' ', '-') + "-" + arm + "-" + i
                    + ".collapsed").toAbsolutePath();
            Files.createDirectories(collapsed.getParent());
            server.add("-D" + WindowProfile.PROPERTY + "=" + collapsed);
            server.add("-D" + WindowProfile.LIBRARY_PROPERTY + "=" + asyncProfiler);
            // Samples name the inlined method they hit, not just the compiled one around it (in both arms alike).
            server.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"));
        }
        server.addAll(List.of("-cp", classpath, BenchServer.class.getName(), config.server,
                config.tls ? keystore.toString() : "-"));
        Process s = new ProcessBuilder(server).redirectError(dir.resolve("server" + i + ".err").toFile()).start();
        Process c = null;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String port = expect(out, "PORT ", s, dir.resolve("server" + i + ".err"));
            List<String> load = new ArrayList<>(pin ? List.of("taskset", "-c", "1") : List.of());
            load.addAll(List.of(java, "-Xms512m", "-Xmx512m", "-cp", classpath, BenchClient.class.getName(), port,
                    config.tls ? keystore.toString() : "-", Integer.toString(config.connections),
                    Integer.toString(config.size), Integer.toString(warmup), Integer.toString(seconds), client,
                    Long.toString(arm.equals(TOGGLED) ? toggleMillis() : 0)));
            c = new ProcessBuilder(load).redirectError(dir.resolve("client" + i + ".err").toFile()).start();
            OutputStream serverIn = s.getOutputStream();
            BufferedReader clientOut = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
            expect(clientOut, "READY", c, dir.resolve("client" + i + ".err"));
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup) + 500); // connections up and warm: count from here
            serverIn.write("MARK\n".getBytes(StandardCharsets.UTF_8));
            serverIn.flush();
            String windows = arm.equals(TOGGLED) ? expect(clientOut, "WINDOWS ", c, dir.resolve("client" + i + ".err"))
                    : null;
            String result = expect(clientOut, "RESULT ", c, dir.resolve("client" + i + ".err"));
            serverIn.write("STOP\n".getBytes(StandardCharsets.UTF_8));
            serverIn.flush();
            String[] allocated = expect(out, "ALLOCATED ", s, dir.resolve("server" + i + ".err")).split(" ");
            try (OutputStream clientIn = c.getOutputStream()) {
                clientIn.write("CLOSE\n".getBytes(StandardCharsets.UTF_8));
            }
            c.waitFor(30, TimeUnit.SECONDS);
            serverIn.close();
            // The server counts from MARK to STOP, slightly longer than the client's window: per frame, by messages
            // of that window, about the same in both arms of a pair. Two frames per message: the request and its echo.
            double frames = 2 * field(result, "msgs_per_s") * (seconds + 0.5);
            return new Round(field(result, "msgs_per_s"), field(result, "p50_us"), field(result, "p99_us"),
                    Long.parseLong(allocated[0]) / frames, Long.parseLong(allocated[1]) / frames,
                    Long.parseLong(allocated[2]) / 1e3 / (frames / 2),
                    collapsed == null ? null : WindowProfile.shares(collapsed),
                    windows == null ? null : toggledRatios(windows));
        } finally {
            if (c != null && !c.waitFor(10, TimeUnit.SECONDS)) {
                c.destroyForcibly();
            }
            if (!s.waitFor(30, TimeUnit.SECONDS)) {
                s.destroyForcibly();
            }
            for (String f : List.of("capture" + i + ".wstap", "round" + i + ".jfr")) {
                Files.deleteIfExists(dir.resolve(f)); // the rounds' outputs are not kept: only their cost is measured
            }
        }
    }

    /** The server JVM's options for one arm. */
    private List<String> armOptions(String arm, int i) throws IOException {
        List<String> o = new ArrayList<>();
        switch (arm) {
            case "none" -> {
            }
            case "agent", "copy-tap" -> o.add(agent(i, arm.equals("copy-tap") ? ",copyTap=true" : ""));
            case TOGGLED -> o.add(agent(i, ",benchToggle=" + toggleMillis()));
            case "agent-jfr", "agent-jfr-frames" -> {
                o.add(agent(i, ""));
                o.add(recording(i, wstapSettings(arm.equals("agent-jfr-frames"))));
            }
            case "jdk-socket-events" -> o.add(recording(i, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<configuration version=\"2.0\">" + socketEvent("jdk.SocketRead") + socketEvent("jdk.SocketWrite")
                    + "</configuration>"));
            default -> throw new IllegalArgumentException("arm " + arm);
        }
        return o;
    }

    /**
     * Arm agent-toggled: {@code pairs} rounds of one server JVM each, capture off and on in turn in windows of
     * {@code toggleMs} (default 1000); returns its table row. Against separate A and B JVMs, whose throughput moves by
     * up to a quarter from one JVM to the next here, this compares the same JVM (JIT, heap layout, sockets) with itself
     * a second apart. What it leaves out is what an agent costs when loaded but off: each hook's read of a null
     * runtime (TapBenchmark noRuntime, about 1 ns a call) and the JDK methods' larger compiled code.
     */
    private String toggled(Config config, int rounds, int warmup, int seconds, String client, boolean pin)
            throws IOException, InterruptedException {
        List<Double> all = new ArrayList<>();
        List<String> perRound = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Round t = round(config, TOGGLED, warmup, seconds, client, pin);
            double[] ratios = t.toggled;
            Arrays.stream(ratios).forEach(all::add);
            double m = median(ratios);
            perRound.add(String.format(Locale.ROOT, "%.3f", m));
            System.out.printf(Locale.ROOT, "  %-22s %-18s %9.0f msg/s %6.1f cpu-us/msg | on/off %.3f over %d windows:"
                            + " %s%n", config.label(), TOGGLED, t.msgsPerSecond, t.cpuPerMessage, m, ratios.length,
                    Arrays.stream(ratios).mapToObj(x -> String.format(Locale.ROOT, "%.3f", x))
                            .collect(Collectors.joining(" ")));
            if (t.shares != null) {
                System.out.printf(Locale.ROOT, "    window CPU samples (on and off windows): tap %.1f %% writer %.1f %%"
                        + " jit %.1f %%%n", t.shares.get("tap"), t.shares.get("writer"), t.shares.get("jit"));
            }
        }
        double[] v = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        // The median's distribution-free 95 % interval, between order statistics n/2 ± 0.98 √n: a window where a GC or
        // a compilation landed (a ratio of 0.5 or 1.2 among 0.97s) moves a mean, not these.
        int lo = (int) Math.max(0, Math.floor(v.length / 2.0 - 0.98 * Math.sqrt(v.length)));
        int hi = (int) Math.min(v.length - 1, Math.ceil(v.length / 2.0 + 0.98 * Math.sqrt(v.length)));
        String line = String.format(Locale.ROOT, "| %s | %d | %d | %.3f | %.3f-%.3f | %s |", config.label(), rounds,
                v.length, median(v), v[lo], v[hi], String.join(" ", perRound));
        System.out.println("TOGGLED " + line);
        return line;
    }

    private long toggleMillis() {
        return integer("toggleMs", 1000);
    }

    /**
     * One agent-toggled round's ratios, one per on window (odd windows: the agent's schedule) whose off neighbours
     * were measured too: its round trips over the mean of theirs (a linear drift of the machine cancels), counting
     * tenths 1-9 of each window only; the first tenth is left to the switch (the writer's last drain after capture
     * goes off; each connection direction's first whole-frames call after it comes back on).
     */
    static double[] toggledRatios(String windowsLine) {
        long first = (long) field(windowsLine, "first");
        String counts = windowsLine.substring(windowsLine.indexOf("counts=") + "counts=".length()).trim();
        long[] c = Arrays.stream(counts.split(",")).mapToLong(Long::parseLong).toArray();
        int tenths = BenchClient.Windows.SLOTS;
        // Whole windows only: the first and the last slot of the measured span are partial.
        long firstWindow = Math.floorDiv(first, tenths) + 1;
        long lastWindow = Math.floorDiv(first + c.length - 1, tenths) - 1;
        Map<Long, Long> sums = new LinkedHashMap<>();
        for (long w = firstWindow; w <= lastWindow; w++) {
            long sum = 0;
            for (int k = 1; k < tenths; k++) {
                sum += c[(int) (w * tenths + k - first)];
            }
            sums.put(w, sum);
        }
        List<Double> ratios = new ArrayList<>();
        for (long w = firstWindow + 1; w < lastWindow; w++) {
            if ((w & 1) == 1) {
                double off = (sums.get(w - 1) + sums.get(w + 1)) / 2.0;
                if (off > 0) { // no round trip at all in both neighbours: the server stalled, nothing to compare
                    ratios.add(sums.get(w) / off);
                }
            }
        }
        if (ratios.isEmpty()) {
            throw new IllegalStateException("agent-toggled: no whole on window between two off ones (" + windowsLine
                    + "): make seconds at least 3 toggle windows long");
        }
        return ratios.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private String agent(int i, String extra) {
        return "-javaagent:" + agentJar + "=file=" + dir.resolve("capture" + i + ".wstap") + ",quiet=true" + extra;
    }

    private String recording(int i, String settings) throws IOException {
        Path jfc = dir.resolve("round" + i + ".jfc");
        Files.writeString(jfc, settings);
        return "-XX:StartFlightRecording=filename=" + dir.resolve("round" + i + ".jfr") + ",settings=" + jfc;
    }

    private static String socketEvent(String name) {
        return "<event name=\"" + name + "\"><setting name=\"enabled\">true</setting>"
                + "<setting name=\"threshold\">0 ns</setting><setting name=\"stackTrace\">true</setting></event>";
    }

    /** The agent jar's own wstap.jfc, with the per-frame event switched on or left off. */
    private String wstapSettings(boolean frames) throws IOException {
        String jfc;
        try (JarFile jar = new JarFile(agentJar.toFile())) {
            jfc = new String(jar.getInputStream(jar.getEntry("wstap.jfc")).readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!frames) {
            return jfc;
        }
        Matcher m = Pattern.compile("(<event name=\"io\\.wstap\\.Frame\">\\s*<setting name=\"enabled\">)false").matcher(jfc);
        if (!m.find()) {
            throw new IllegalStateException("wstap.jfc: no disabled io.wstap.Frame event to switch on");
        }
        return m.replaceFirst("$1true");
    }

    /**
     * True when the server and the client can each get a core of their own ({@code taskset}, 2 cores or more): then
     * neither JVM's threads are moved onto the other's core, the largest source of round-to-round noise here.
     */
    private static boolean pinnable() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return false;
        }
        try {
            return new ProcessBuilder("taskset", "-c", "0", "true").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String expect(BufferedReader in, String prefix, Process p, Path err) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
            if (line.startsWith("FAILED")) {
                throw new IllegalStateException("client " + line);
            }
        }
        String why = Files.exists(err) ? Files.readAllLines(err).stream().filter(l -> !l.isBlank()).findFirst().orElse("") : "";
        throw new IllegalStateException("no line starting with '" + prefix.trim() + "' from pid " + p.pid() + ": " + why);
    }

    private static double field(String result, String name) {
        for (String kv : result.split(" ")) {
            if (kv.startsWith(name + "=")) {
                return Double.parseDouble(kv.substring(name.length() + 1));
            }
        }
        throw new IllegalStateException("no " + name + " in " + result);
    }

    private static double median(List<Pair> pairs, ToDoubleFunction<Pair> f) {
        return median(pairs.stream().mapToDouble(f).toArray());
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private List<String> list(String key, String dflt) {
        return Arrays.asList(args.getOrDefault(key, dflt).split(","));
    }

    private int integer(String key, int dflt) {
        String v = args.get(key);
        try {
            return v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument " + key + "=" + v + ": expected a whole number");
        }
    }
}
