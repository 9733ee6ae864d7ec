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
            assertEquals(Outcome.CLEAN, r.outcome(), r.toString());
            assertEquals(4, r.framesFrom(Role.CLIENT));
            assertEquals(4, r.framesFrom(Role.SERVER));
            assertEquals(List.of(1000, 1000), r.closeFrames().stream().map(CloseRecord::code).toList());
            assertEquals(List.of("done", "done"), r.closeFrames().stream().map(CloseRecord::reason).toList());
            assertEquals(Role.CLIENT, r.initiatorRole());
            assertEquals(Role.SERVER, r.tcpClosedByRole());
            assertEquals(new CloseEvent(1000, "done", true), r.clientSaw());
            assertEquals(List.of(), r.findings());
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

    private static Reconstruction only(Map<Long, Reconstruction> connections, Endpoint client) {
        List<Reconstruction> matching = connections.values().stream().filter(r -> r.clientEndpoint() == client).toList();
        assertEquals(1, matching.size(), connections.toString());
        return matching.get(0);
    }
}
