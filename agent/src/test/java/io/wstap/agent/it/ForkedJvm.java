package io.wstap.agent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class in a fresh JVM (the same java as the tests) with the real agent jar, with a time limit. */
final class ForkedJvm {
    record Result(int exitCode, String stdout, String stderr) {
        /** stderr without the JVM's own CDS notice that appending to the boot class path causes. */
        List<String> agentLines() {
            return stderr.lines().filter(l -> !l.contains("Sharing is only supported for boot loader classes")).toList();
        }
    }

    static Path agentJar() {
        return Path.of(System.getProperty("wstap.agent.jar", "target/wstap-agent.jar"));
    }

    static String testClasses() {
        return System.getProperty("wstap.test.classes", "target/test-classes");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs {@code mainClass} under the agent with {@code agentOptions} (null = no agent), at most {@code seconds}. */
    static Result run(String agentOptions, String mainClass, long seconds, String... args) throws IOException, InterruptedException {
        return run(agentOptions, testClasses(), mainClass, seconds, args);
    }

    static Result run(String agentOptions, String classpath, String mainClass, long seconds, String... args)
            throws IOException, InterruptedException {
        return run(agentOptions, List.of(), classpath, mainClass, seconds, args);
    }

    /** With extra JVM options (e.g. -XX:StartFlightRecording) before the agent. */
    static Result run(String agentOptions, List<String> jvmOptions, String classpath, String mainClass, long seconds,
                      String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("wstap-it-out", ".txt");
        Path err = Files.createTempFile("wstap-it-err", ".txt");
        Process p = start(agentOptions, jvmOptions, classpath, mainClass, out, err, args);
        p.getOutputStream().close();
        return await(p, mainClass, seconds, out, err);
    }

    /** Starts the JVM; stdout and stderr go to files (so a chatty child never blocks on a full pipe). */
    static Process start(String agentOptions, String classpath, String mainClass, Path out, Path err, String... args)
            throws IOException {
        return start(agentOptions, List.of(), classpath, mainClass, out, err, args);
    }

    static Process start(String agentOptions, List<String> jvmOptions, String classpath, String mainClass, Path out,
                         Path err, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions);
        if (agentOptions != null) {
            cmd.add("-javaagent:" + agentJar().toAbsolutePath() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    static Result await(Process p, String what, long seconds, Path out, Path err) throws IOException, InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(what + " did not finish in " + seconds + " s; stderr: "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }

    /** A self-signed PKCS12 keystore for localhost/127.0.0.1, made with the JDK's keytool. */
    static Path selfSignedKeystore(Path dir, String password) throws IOException, InterruptedException {
        Path ks = dir.resolve("localhost.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "localhost", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", ks.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("keytool failed: " + output);
        }
        return ks;
    }
}
