package io.wstap.samples.bench;

import one.profiler.AsyncProfiler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * async-profiler's CPU samples of a {@link BenchServer} over the measured window only (MARK to STOP), as collapsed
 * stacks, and the shares of them that wstap's code, its writer thread and the JIT took. JFR's own sampler sees Java
 * frames only; a server's time is mostly in the kernel, so the shares need a profiler that samples everything.
 */
final class WindowProfile {
    /** Where the collapsed stacks go: the system property that asks for a profile. */
    static final String PROPERTY = "wstap.bench.asprof";
    /** The native library, extracted from the async-profiler jar for this platform. */
    static final String LIBRARY_PROPERTY = "wstap.bench.asprof.lib";

    private final AsyncProfiler profiler;
    private final String out;

    private WindowProfile(AsyncProfiler profiler, String out) {
        this.profiler = profiler;
        this.out = out;
    }

    /** Loads the profiler if {@value #PROPERTY} is set, before the warm-up (loading is not the window's); else null. */
    static WindowProfile loadIfAsked() {
        String out = System.getProperty(PROPERTY);
        if (out == null) {
            return null;
        }
        return new WindowProfile(AsyncProfiler.getInstance(System.getProperty(LIBRARY_PROPERTY)), out);
    }

    void start() throws IOException {
        profiler.execute("start,event=cpu,interval=250us"); // ~20 000 samples in a 5 s window: a 2 % share is ±0.1 %
    }

    void stop() throws IOException {
        profiler.execute("stop,collapsed,file=" + out);
    }

    /** The async-profiler library of this platform (linux-x64, linux-arm64), copied out of its jar into {@code dir}. */
    static Path extractLibrary(Path dir) {
        String arch = System.getProperty("os.arch").contains("aarch64") ? "linux-arm64" : "linux-x64";
        Path lib = dir.resolve("libasyncProfiler.so");
        try (InputStream in = AsyncProfiler.class.getResourceAsStream("/" + arch + "/libasyncProfiler.so")) {
            if (in == null) {
                throw new IllegalStateException("no " + arch + "/libasyncProfiler.so in the async-profiler jar");
            }
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            return lib;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What share (%) of a window's samples each part took: wstap's tap, its writer thread, the JIT, the rest. */
    static Map<String, Double> shares(Path collapsed) throws IOException {
        Map<String, Long> samples = new LinkedHashMap<>();
        for (String k : List.of("tap", "writer", "jit", "other")) {
            samples.put(k, 0L);
        }
        long total = 0;
        for (String line : Files.readAllLines(collapsed)) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            long n = Long.parseLong(line.substring(space + 1));
            samples.merge(part(line.substring(0, space)), n, Long::sum);
            total += n;
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        for (var e : samples.entrySet()) {
            shares.put(e.getKey(), total == 0 ? 0 : 100.0 * e.getValue() / total);
        }
        return shares;
    }

    /** The part a stack belongs to, from its frames (collapsed: root first, ';'-separated). */
    private static String part(String stack) {
        if (stack.contains("io/wstap/agent/tap/TapRuntime") && stack.contains("writeLoop")) {
            return "writer";
        }
        if (stack.contains("io/wstap/agent/tap/Tap.")) {
            return "tap";
        }
        if (stack.contains("CompileBroker") || stack.contains("C2Compiler") || stack.contains("Compiler::compile")) {
            return "jit";
        }
        return "other";
    }
}
