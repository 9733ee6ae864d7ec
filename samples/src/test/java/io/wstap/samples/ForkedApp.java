package io.wstap.samples;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a sample app's main in a fresh JVM (the java running the tests, so CI covers JDK 17 and 25) under the real
 * agent jar, with a time limit. Adapted from the agent's own IT ({@code io.wstap.agent.it.ForkedJvm}, which is test
 * code of another module).
 *
 * <p>The app's classpath is the samples' runtime classpath (target/classes and the libraries) and never holds the
 * agent's classes: the agent must come only from {@code -javaagent}, or its bootstrap split breaks.
 */
final class ForkedApp {
    record Result(int exitCode, String stdout, String stderr) {
        /** stderr lines that are not the JVM's CDS notice nor SLF4J's "no provider" notice (Jetty logs through SLF4J). */
        List<String> agentLines() {
            return stderr.lines()
                    .filter(l -> !l.contains("Sharing is only supported for boot loader classes"))
                    .filter(l -> !l.startsWith("SLF4J"))
                    .toList();
        }
    }

    private ForkedApp() {
    }

    static Path agentJar() {
        Path jar = Path.of(System.getProperty("wstap.agent.jar", "../agent/target/wstap-agent.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("no agent jar at " + jar.toAbsolutePath() + ": build the agent module first");
        }
        return jar.toAbsolutePath();
    }

    /** target/classes + the runtime dependencies (written by maven-dependency-plugin), wstap-agent filtered out. */
    static String classpath() throws IOException {
        String classes = System.getProperty("wstap.app.classes", "target/classes");
        Path file = Path.of(System.getProperty("wstap.app.classpath.file", "target/app-classpath.txt"));
        List<String> entries = new ArrayList<>();
        entries.add(classes);
        for (String e : Files.readString(file, StandardCharsets.UTF_8).trim().split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(e);
            }
        }
        for (String e : entries) {
            String unix = e.replace('\\', '/');
            if (unix.contains("wstap-agent") || unix.contains("agent/target/classes")) {
                throw new AssertionError("the app's classpath must not hold the agent: " + e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs {@code mainClass} under the agent with {@code agentOptions}, at most {@code seconds}. */
    static Result run(String agentOptions, Class<?> mainClass, long seconds, String... args)
            throws IOException, InterruptedException {
        return run(List.of(), agentOptions, mainClass, seconds, args);
    }

    /** As above, with JVM options before the agent (e.g. {@code -XX:StartFlightRecording:...}). */
    static Result run(List<String> jvmOptions, String agentOptions, Class<?> mainClass, long seconds, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("wstap-sample-out", ".txt");
        Path err = Files.createTempFile("wstap-sample-err", ".txt");
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions);
        cmd.add("-javaagent:" + agentJar() + "=" + agentOptions);
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(mainClass.getName());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(mainClass.getSimpleName() + " did not finish in " + seconds + " s; stdout: "
                        + Files.readString(out, StandardCharsets.UTF_8) + "\nstderr: " + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A self-signed PKCS12 keystore for localhost/127.0.0.1 ({@link Tls#selfSignedKeystore}). */
    static Path selfSignedKeystore(Path dir, String password) throws IOException, InterruptedException {
        return Tls.selfSignedKeystore(dir, password);
    }
}
