package io.wstap.samples;

import io.wstap.engine.Endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A peer outside the JVM (Node, Chromium) against {@link ExternalPeerServer} under the agent: finds the peer's
 * program, runs the server with the peer's command, and reads the server's capture. A missing program fails the test
 * with how to get it (.ci/run installs both): it never skips.
 */
final class ExternalPeer {
    static final Path NODE_DIR = Path.of("node").toAbsolutePath();

    private ExternalPeer() {
    }

    /** The program on the PATH, or an AssertionError saying how to install it. */
    static String onPath(String program, String install) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(program + " is not on the PATH: " + install + " (.ci/run does it)");
    }

    /** node, with samples/node's dependencies installed (npm ci here, bounded, when node_modules is missing). */
    static String node() throws IOException, InterruptedException {
        String node = onPath("node", "apt-get install nodejs npm");
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/ws"))) {
            String npm = onPath("npm", "apt-get install npm");
            Path log = Files.createTempFile("wstap-npm", ".txt");
            Process p = new ProcessBuilder(npm, "ci", "--no-audit", "--no-fund").directory(NODE_DIR.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(180, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            if (!done || p.exitValue() != 0) {
                throw new AssertionError("npm ci in " + NODE_DIR + (done ? " failed: " : " timed out: ") + out);
            }
        }
        return node;
    }

    /** Runs ExternalPeerServer under the agent with {@code command}; the peer must exit 0. */
    static ForkedApp.Result run(Path capture, String... command) throws Exception {
        ForkedApp.Result run = ForkedApp.run("file=" + capture, ExternalPeerServer.class, 90, command);
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertEquals(List.of("wstap: capturing WebSocket traffic to " + capture.toAbsolutePath()), run.agentLines());
        String out = run.stdout();
        assertEquals(1, out.lines().filter("peer exited 0"::equals).count(), out);
        return run;
    }

    /** The capture's one WebSocket connection, seen by the server's socket (the peer's end is not a JVM's). */
    static Capture.View serverView(Path capture) throws Exception {
        Capture cap = Capture.read(capture);
        cap.assertIntact();
        assertEquals(List.of(), cap.views(Endpoint.LOCAL), cap.dump());
        List<Capture.View> servers = cap.views(Endpoint.REMOTE);
        assertEquals(1, servers.size(), cap.dump());
        return servers.get(0);
    }
}
