package io.wstap.samples;

import io.wstap.samples.raw.LiveTraffic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link LiveTraffic} in a forked JVM (the java running the tests) that stays up until closed, told what to do on its
 * stdin: the target of {@code wstap watch} and {@code wstap record}. With or without the agent, with or without a JMX
 * port on 127.0.0.1.
 */
final class LiveTarget implements AutoCloseable {
    private final Process process;
    private final PrintWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path stderr;
    final long pid;
    /** The JMX port, or -1. */
    final int jmxPort;

    private LiveTarget(Process process, Path stderr, int jmxPort) throws IOException, InterruptedException {
        this.process = process;
        this.stderr = stderr;
        this.jmxPort = jmxPort;
        this.stdin = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "live-target-stdout");
        reader.setDaemon(true);
        reader.start();
        String ready = await("ready ");
        this.pid = Long.parseLong(ready.substring("ready ".length()));
    }

    /**
     * Starts the target.
     *
     * @param agentOptions the agent's options, or null for no agent
     * @param jmx          open a JMX port on 127.0.0.1 (no authentication, no TLS: loopback tests only)
     */
    static LiveTarget start(Path dir, String agentOptions, boolean jmx) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ForkedApp.java());
        int port = -1;
        if (jmx) {
            port = freePort();
            cmd.add("-Dcom.sun.management.jmxremote.port=" + port);
            cmd.add("-Dcom.sun.management.jmxremote.rmi.port=" + port);
            cmd.add("-Dcom.sun.management.jmxremote.host=127.0.0.1");
            cmd.add("-Djava.rmi.server.hostname=127.0.0.1");
            cmd.add("-Dcom.sun.management.jmxremote.authenticate=false");
            cmd.add("-Dcom.sun.management.jmxremote.ssl=false");
        }
        if (agentOptions != null) {
            cmd.add("-javaagent:" + ForkedApp.agentJar() + "=" + agentOptions);
        }
        cmd.add("-cp");
        cmd.add(ForkedApp.classpath());
        cmd.add(LiveTraffic.class.getName());
        Path err = Files.createTempFile(dir, "target-err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile()).start();
        return new LiveTarget(p, err, port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Sends a command (round, hold N, release) and waits for its answer line starting with {@code answer}. */
    String tell(String command, String answer) throws IOException, InterruptedException {
        stdin.println(command);
        return await(answer);
    }

    private String await(String prefix) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            String l = lines.poll(200, TimeUnit.MILLISECONDS);
            if (l != null && l.startsWith(prefix)) {
                return l;
            }
            if (l == null && !process.isAlive()) {
                break;
            }
        }
        throw new AssertionError("the target never said '" + prefix + "'; its stderr: " + stderr());
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        stdin.println("quit");
        stdin.close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A wstap command run in this JVM (on its own thread), its stdout and stderr readable while it runs. */
    static final class Wstap {
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final Thread thread;
        private volatile int exit = -1;

        Wstap(String... args) {
            thread = new Thread(() -> exit = io.wstap.analyzer.cli.Main.run(args, new PrintWriter(out, true),
                    new PrintWriter(err, true)), "wstap " + String.join(" ", args));
            thread.start();
        }

        /** Waits until stderr has {@code text} (the command is ready), or fails with what it said. */
        Wstap awaitErr(String text) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!err.toString().contains(text)) {
                if (!thread.isAlive() || System.nanoTime() > end) {
                    throw new AssertionError("wstap never said '" + text + "'; stderr: " + err + "\nstdout: " + out);
                }
                Thread.sleep(50);
            }
            return this;
        }

        int join() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(120));
            if (thread.isAlive()) {
                throw new AssertionError("wstap did not end; stderr: " + err);
            }
            return exit;
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }

        /** The last plain refresh of watch (blocks are separated by a blank line). */
        String lastBlock() {
            String o = out.toString();
            int i = o.lastIndexOf("\n\nwstap watch ");
            return i < 0 ? o : o.substring(i + 2);
        }
    }
}
