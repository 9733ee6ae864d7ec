package io.wstap.agent.it;

import io.wstap.capture.CaptureReplay;
import io.wstap.capture.ReadReport;
import io.wstap.capture.Transport;
import io.wstap.engine.CloseEvent;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real agent jar in a forked JVM: the JDK HttpClient (NIO) and a blocking-socket server, both sides captured. */
class AgentIT {
    @TempDir
    Path dir;

    @Test
    void capturesBothSidesOfAnHttpClientConversationAndNothingElse() throws Exception {
        Path capture = dir.resolve("echo.wstap");
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture, EchoApp.class.getName(), 60);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of("wstap: capturing WebSocket traffic to " + capture.toAbsolutePath()), run.agentLines());
        assertTrue(run.stdout().contains("closed 1000"), run.stdout());

        CaptureReplay replay = new CaptureReplay();
        ReadReport report = CaptureReplay.replay(capture, replay);
        assertTrue(report.clean(), report.toString());
        Map<Long, Reconstruction> connections = replay.reconstructions();
        assertEquals(2, connections.size(), "only the two ends of the WebSocket connection: " + connections);

        Reconstruction client = only(connections, Endpoint.LOCAL);
        Reconstruction server = only(connections, Endpoint.REMOTE);
        for (Reconstruction r : List.of(client, server)) {
            assertCleanClose(r);
            assertEquals(4, r.framesFrom(Role.CLIENT));
            assertEquals(4, r.framesFrom(Role.SERVER));
            assertEquals(List.of(1000, 1000), r.closeFrames().stream().map(CloseRecord::code).toList());
            assertEquals(List.of("done", "done"), r.closeFrames().stream().map(CloseRecord::reason).toList());
            assertEquals(Role.CLIENT, r.initiatorRole());
            assertEquals(new CloseEvent(1000, "done", true), r.clientSaw());
            assertEquals("/echo", r.request().target());
            assertEquals(Transport.PLAIN, replay.endpoints(r.connectionId()).transport());
        }
        CaptureReplay.Endpoints c = replay.endpoints(client.connectionId());
        CaptureReplay.Endpoints s = replay.endpoints(server.connectionId());
        assertEquals(c.local(), s.remote());
        assertEquals(c.remote(), s.local());
        assertTrue(c.remote().startsWith("127.0.0.1:"), c.remote());
        List<String> serverClose = replay.closeCallStack(server.connectionId());
        assertTrue(serverClose.stream().anyMatch(f -> f.contains("RawWebSocketServer.serve")), serverClose.toString());
        List<String> clientClose = replay.closeFrameStack(client.connectionId());
        assertTrue(clientClose.stream().anyMatch(f -> f.contains("EchoApp.main")), clientClose.toString());
    }

    @Test
    void wssIsCapturedAsPlaintextOnceOnEachSide() throws Exception {
        Path keystore = ForkedJvm.selfSignedKeystore(dir, "changeit");
        Path capture = dir.resolve("tls.wstap");
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture, TlsEchoApp.class.getName(), 60, keystore.toString(), "changeit");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("closed 1000"), run.stdout());
        CaptureReplay replay = new CaptureReplay();
        CaptureReplay.replay(capture, replay);
        Map<Long, Reconstruction> connections = replay.reconstructions();
        assertEquals(2, connections.size(), "plaintext once per side, no ciphertext connection: " + connections);
        for (Reconstruction r : connections.values()) {
            assertEquals(Transport.TLS, replay.endpoints(r.connectionId()).transport());
            assertEquals(4, r.framesFrom(Role.CLIENT), r.toString());
            assertEquals(4, r.framesFrom(Role.SERVER), r.toString());
            assertEquals(List.of(1000, 1000), r.closeFrames().stream().map(CloseRecord::code).toList());
            assertEquals("/secure", r.request().target());
            assertCleanClose(r);
        }
    }

    /**
     * The channels' mark (docs/agent.md, "The channel's mark"): a SocketChannel the tap has nothing to see on (not
     * WebSocket, or the ciphertext under a wss:// connection) says so itself after its first calls, and a ws://
     * channel never does. Without the agent the field is not there; under it, what the capture holds is unchanged:
     * the ws:// and wss:// exchanges on both sides, the non-WebSocket pair nowhere.
     */
    @Test
    void channelsWithNothingToSeeCarryTheMarkAndWebSocketChannelsDoNot() throws Exception {
        Path keystore = ForkedJvm.selfSignedKeystore(dir, "changeit");
        Path capture = dir.resolve("marks.wstap");
        List<String> open = List.of("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture, open, ForkedJvm.testClasses(),
                ChannelMarkApp.class.getName(), 60, keystore.toString(), "changeit");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of("MARK other-client=true", "MARK other-server=true", "MARK ws-client=false",
                "MARK wss-client=true"), run.stdout().lines().filter(l -> l.startsWith("MARK ")).toList());

        CaptureReplay replay = new CaptureReplay();
        CaptureReplay.replay(capture, replay);
        Map<Long, Reconstruction> connections = replay.reconstructions();
        assertEquals(4, connections.size(), "ws:// and wss://, each end once; not the other pair: " + connections);
        for (Reconstruction r : connections.values()) {
            assertEquals("/marked", r.request().target());
            assertEquals(1, r.framesFrom(Role.CLIENT), r.toString());
            assertEquals(1, r.framesFrom(Role.SERVER), r.toString());
        }
        assertEquals(2, connections.values().stream()
                .filter(r -> replay.endpoints(r.connectionId()).transport() == Transport.TLS).count());

        ForkedJvm.Result without = ForkedJvm.run(null, open, ForkedJvm.testClasses(), ChannelMarkApp.class.getName(),
                60, keystore.toString(), "changeit");
        assertEquals(0, without.exitCode(), without.stderr());
        assertEquals(4, without.stdout().lines().filter(l -> l.startsWith("MARK ") && l.endsWith("=absent")).count(),
                without.stdout());
    }

    @Test
    void lateAttachPicksUpAnOpenConnectionAtAFrameBoundary() throws Exception {
        Path capture = dir.resolve("late.wstap");
        Path out = dir.resolve("late.out");
        Path err = dir.resolve("late.err");
        Process app = ForkedJvm.start(null, ForkedJvm.testClasses(), LateAttachApp.class.getName(), out, err);
        String ready = awaitLine(out, "READY ", app);
        String pid = ready.substring("READY ".length()).trim();
        ForkedJvm.Result attach = runAttach(pid, "file=" + capture);
        assertEquals(0, attach.exitCode(), attach.stderr());
        awaitLine(err, "wstap: capturing WebSocket traffic to", app);
        app.getOutputStream().write("GO\n".getBytes());
        app.getOutputStream().close();
        ForkedJvm.Result run = ForkedJvm.await(app, "LateAttachApp", 60, out, err);
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("closed 1000"), run.stdout());

        CaptureReplay replay = new CaptureReplay();
        CaptureReplay.replay(capture, replay);
        Map<Long, Reconstruction> connections = replay.reconstructions();
        assertEquals(2, connections.size(), connections.toString());
        // The client (NIO) is picked up at its first write after the attach: "after 0".
        Reconstruction client = only(connections, Endpoint.LOCAL);
        // The server's thread was blocked in read() during the attach: its first frame finishes in the old code,
        // so it is picked up at its first write after that (the echo of "after 0").
        Reconstruction server = only(connections, Endpoint.REMOTE);
        assertTrue(client.joinedMidStream() && server.joinedMidStream());
        assertEquals(4, client.framesFrom(Role.CLIENT), client.toString());
        assertEquals(4, client.framesFrom(Role.SERVER), client.toString());
        assertEquals(3, server.framesFrom(Role.CLIENT), server.toString());
        assertEquals(4, server.framesFrom(Role.SERVER), server.toString());
        for (Reconstruction r : List.of(client, server)) {
            assertEquals(List.of("late bye", "late bye"), r.closeFrames().stream().map(CloseRecord::reason).toList());
            assertCleanClose(r);
        }
    }

    @Test
    void onlyWebSocketConnectionsAreCaptured() throws Exception {
        Path keystore = ForkedJvm.selfSignedKeystore(dir, "changeit");
        Path capture = dir.resolve("noise.wstap");
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture, NoiseApp.class.getName(), 90, keystore.toString(), "changeit");
        assertEquals(0, run.exitCode(), run.stderr());
        CaptureReplay replay = new CaptureReplay();
        CaptureReplay.replay(capture, replay);
        Map<Long, Reconstruction> connections = replay.reconstructions();
        assertEquals(2, connections.size(), "HTTP, HTTPS and binary peers must leave no trace: " + connections);
        for (Reconstruction r : connections.values()) {
            assertEquals("/echo", r.request().target());
        }
    }

    /**
     * {@code faults=true}: every hooked call throws inside the tap, at every hook type: SocketChannel and java.net.Socket
     * (EchoApp), SSLEngine and SSLSocket plus the sockets under them (TlsEchoApp). The applications' echoes come back
     * byte-identical, no thread sees an exception, each connection's error is counted once (the tap then leaves it).
     */
    @Test
    void anExceptionInsideTheTapAtEveryHookTypeLeavesTheApplicationsTrafficIntact() throws Exception {
        Path keystore = ForkedJvm.selfSignedKeystore(dir, "changeit");
        for (String app : List.of(EchoApp.class.getName(), TlsEchoApp.class.getName())) {
            Path capture = dir.resolve(app + "-faults.wstap");
            ForkedJvm.Result run = ForkedJvm.run("file=" + capture + ",faults=true", app, 60, keystore.toString(),
                    "changeit");
            assertEquals(0, run.exitCode(), run.stderr());
            assertTrue(run.stdout().contains("closed 1000"), "the application's exchange completed: " + run.stdout());
            assertTrue(run.stdout().contains("echoed identical"), run.stdout());
            assertTrue(!run.stdout().contains("UNCAUGHT"), run.stdout());
            CaptureReplay replay = new CaptureReplay();
            ReadReport report = CaptureReplay.replay(capture, replay);
            assertTrue(report.clean(), report.toString());
            // EchoApp: the noise socket's two ends and the WebSocket's two; TlsEchoApp: both TLS ends at least.
            assertTrue(replay.tapErrors() >= (app.contains("Tls") ? 2 : 4), app + ": " + replay.tapErrors());
            assertEquals(Map.of(), replay.reconstructions(), "a failing connection is no longer tapped");
        }
    }

    /**
     * {@code faults=socket}: only the java.net.Socket hooks throw, so the echo server's end (a blocking socket) fails
     * and is left alone, while the HttpClient's end (a SocketChannel) of the same connection is captured in full.
     */
    @Test
    void anExceptionInsideTheTapStopsTheTapForThatConnectionOnly() throws Exception {
        Path capture = dir.resolve("fault-one.wstap");
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture + ",faults=socket", EchoApp.class.getName(), 60);
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("echoed identical"), run.stdout());
        CaptureReplay replay = new CaptureReplay();
        CaptureReplay.replay(capture, replay);
        assertTrue(replay.tapErrors() >= 1, "the server end's error is counted: " + replay.tapErrors());
        Map<Long, Reconstruction> connections = replay.reconstructions();
        assertEquals(1, connections.size(), connections.toString());
        Reconstruction client = connections.values().iterator().next();
        assertEquals(Endpoint.LOCAL, client.clientEndpoint(), client.toString());
        assertEquals(4, client.framesFrom(Role.CLIENT), client.toString());
        assertEquals(4, client.framesFrom(Role.SERVER), client.toString());
        // The whole closing handshake (who ends TCP first, seen from one end alone, is a race: not asserted).
        assertEquals(List.of(1000, 1000), client.closeFrames().stream().map(CloseRecord::code).toList(), client.toString());
    }

    @Test
    void worksBesideTheApplicationsOwnByteBuddy() throws Exception {
        Path capture = dir.resolve("bb.wstap");
        String byteBuddyJar = Path.of(net.bytebuddy.ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toString();
        String classpath = ForkedJvm.testClasses() + java.io.File.pathSeparator + byteBuddyJar;
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture, classpath, ByteBuddyApp.class.getName(), 60);
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("made by the app's Byte Buddy net.bytebuddy"), run.stdout());
        assertTrue(run.stdout().contains("closed 1000"), run.stdout());
        CaptureReplay replay = new CaptureReplay();
        CaptureReplay.replay(capture, replay);
        assertEquals(2, replay.reconstructions().size());
    }

    /**
     * wstap's transformer is shown only the hooked JDK classes (HookedClassesOnly); when another agent retransforms
     * one of them later, the JVM starts again from its original bytes, and wstap's advice must come back with it.
     * SocketChannelImpl also has the channels' mark, a field added at its first load: the JVM starts such a
     * retransformation from the bytes with the field (a retransformation that dropped it would be refused, and
     * RetransformApp would exit with the error).
     */
    @Test
    void hooksSurviveALaterRetransformationByAnotherAgent() throws Exception {
        Path capture = dir.resolve("retransformed.wstap");
        String agentJar = Path.of(net.bytebuddy.agent.ByteBuddyAgent.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).toString();
        String classpath = ForkedJvm.testClasses() + java.io.File.pathSeparator + agentJar;
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture, List.of("-Djdk.attach.allowAttachSelf=true"), classpath,
                RetransformApp.class.getName(), 60);
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("retransformed 3"), run.stdout());
        assertTrue(run.stdout().contains("closed 1000"), run.stdout());
        CaptureReplay replay = new CaptureReplay();
        CaptureReplay.replay(capture, replay);
        // Both ends of the echo: the HttpClient's SocketChannel and the server's java.net.Socket (NioSocketImpl).
        assertEquals(2, replay.reconstructions().size(), replay.reconstructions().toString());
    }

    @Test
    void badOptionsTurnTheAgentOffWithOneClearLine() throws Exception {
        Path capture = dir.resolve("never.wstap");
        ForkedJvm.Result run = ForkedJvm.run("file=" + capture + ",bogus=1", EchoApp.class.getName(), 60);
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("closed 1000"));
        assertEquals(1, run.agentLines().size(), run.stderr());
        assertTrue(run.agentLines().get(0).startsWith("wstap: unknown option 'bogus' (known: file, maxSize,"),
                run.agentLines().get(0));
        assertTrue(run.agentLines().get(0).endsWith("; the agent is off"), run.agentLines().get(0));
        assertTrue(!java.nio.file.Files.exists(capture));

        ForkedJvm.Result size = ForkedJvm.run("maxSize=lots", EchoApp.class.getName(), 60);
        assertEquals(List.of("wstap: option maxSize=lots: expected a size such as 0, 1048576, 64k, 100m or 2g; the agent is off"),
                size.agentLines());
    }

    /**
     * Both Close frames, then the server (the raw server, which closes right after its Close) closes TCP. The server's
     * own view always says so. The client's view depends on a race the client JVM cannot see past: the JDK HttpClient
     * closes its channel as soon as the Close reply arrives, and whether it read the server's FIN (TLS: close_notify)
     * before that is timing. When it did not, its view is clean-client-tcp-first with WS304, and nothing else.
     */
    private static void assertCleanClose(Reconstruction r) {
        if (r.clientEndpoint() == Endpoint.REMOTE || r.outcome() == Outcome.CLEAN) {
            assertEquals(Outcome.CLEAN, r.outcome(), r.toString());
            assertEquals(Role.SERVER, r.tcpClosedByRole());
            assertEquals(List.of(), r.findings());
        } else {
            assertEquals(Outcome.CLEAN_CLIENT_TCP_FIRST, r.outcome(), r.toString());
            assertEquals(List.of(io.wstap.engine.Rule.CLIENT_CLOSED_TCP_FIRST),
                    r.findings().stream().map(io.wstap.engine.Finding::rule).toList());
        }
    }

    private static ForkedJvm.Result runAttach(String pid, String options) throws Exception {
        java.util.List<String> cmd = List.of(ForkedJvm.java(), "-jar", ForkedJvm.agentJar().toAbsolutePath().toString(),
                "attach", pid, options);
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "attach did not finish");
        return new ForkedJvm.Result(p.exitValue(), out, err);
    }

    /** Waits (bounded) until {@code file} has a line starting with {@code prefix}; returns it. */
    private static String awaitLine(Path file, String prefix, Process app) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (java.nio.file.Files.exists(file)) {
                for (String line : java.nio.file.Files.readAllLines(file)) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
            }
            if (!app.isAlive()) {
                throw new AssertionError("the app exited before printing '" + prefix + "'");
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line '" + prefix + "' in " + file);
    }

    private static Reconstruction only(Map<Long, Reconstruction> connections, Endpoint client) {
        List<Reconstruction> matching = connections.values().stream().filter(r -> r.clientEndpoint() == client).toList();
        assertEquals(1, matching.size(), connections.toString());
        return matching.get(0);
    }
}
