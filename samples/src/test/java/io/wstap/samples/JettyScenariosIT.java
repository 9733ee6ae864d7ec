package io.wstap.samples;

import io.wstap.engine.CloseEvent;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.samples.raw.RawServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.wstap.samples.ScenarioRun.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JettyScenarios} under the agent: the seed scenarios with Jetty 12 as the server (misbehaving itself, or
 * facing a raw client that does), the JDK HttpClient as the client; both sockets of each connection captured.
 *
 * <p>What Jetty really does, and what these tests pin down: after every Close frame it sends, Jetty half-closes
 * ({@code shutdownOutput()}: a FIN, still reading) and waits for the answer (idle timeout), then closes; but after a
 * Close with 1002 (its own protocol-error path, also when the application chose 1002) it closes at once without
 * waiting. A half-close that gets its answer is a clean close; the engine waits for the answer after such a FIN.
 */
class JettyScenariosIT {
    @TempDir
    static Path dir;
    static ScenarioRun run;

    @BeforeAll
    static void runScenarios() throws Exception {
        run = ScenarioRun.run(dir.resolve("jetty.wstap"), JettyScenarios.class, JettyScenarios.ALL.names().size());
    }

    private static List<String> closes(Reconstruction r) {
        return r.closeFrames().stream().map(c -> c.role().label() + " " + c.code() + " " + c.reason()).toList();
    }

    @Test
    void jettyClosingWithTheSeedsReasonHalfClosesAndGetsItsAnswer() {
        Reconstruction server = run.view("jetty-server-closes-with-utf8-reason", Role.SERVER);
        assertEquals(Outcome.CLEAN, server.outcome(), server.toString());
        assertEquals(TcpEnd.HALF_CLOSE, server.tcpEnd(), "Jetty's shutdownOutput() right after its Close");
        assertEquals(List.of("server 1000 " + RawServer.CHINESE_REASON, "client 1000 "), closes(server));
        assertEquals(List.of(), rules(server));
        Reconstruction client = run.view("jetty-server-closes-with-utf8-reason", Role.CLIENT);
        // The client reads Jetty's FIN before it answers (still clean: the FIN was only a half-close), or answers and
        // closes its channel before reading it (WS304 in its own view; the server's view decides the merged report).
        assertTrue(client.outcome() == Outcome.CLEAN || rules(client).equals(List.of("WS304")), client.toString());
        assertEquals(new CloseEvent(1000, RawServer.CHINESE_REASON, true), client.clientSaw());
        assertEquals("closed 1000 \"" + RawServer.CHINESE_REASON + "\"", run.results.get("jetty-server-closes-with-utf8-reason"));
    }

    @Test
    void jettyDisconnectIsWs301WithTheApplicationsLine() {
        for (Role side : Role.values()) {
            Reconstruction r = run.view("jetty-server-drops-tcp", side);
            assertEquals(Outcome.ABRUPT, r.outcome(), r.toString());
            assertEquals(List.of("WS301"), rules(r));
            assertEquals(new CloseEvent(1006, "", false), r.clientSaw());
        }
        Reconstruction server = run.view("jetty-server-drops-tcp", Role.SERVER);
        List<String> stack = run.replay.closeCallStack(server.connectionId());
        assertTrue(stack.stream().anyMatch(f -> f.startsWith("io.wstap.samples.JettyScenarios$DropsTcp.onWebSocketText(")),
                stack.toString());
    }

    @Test
    void jettyApplicationClosingWith1002IsWs205AtItsLineAndJettyDoesNotWaitForTheAnswer() {
        Reconstruction server = run.view("jetty-app-rejects-old-client-with-1002", Role.SERVER);
        assertEquals(List.of("WS205", "WS302"), rules(server), server.toString());
        assertEquals(Outcome.HALF_CLOSED, server.outcome());
        // Jetty half-closes after its Close as always, but then closes at once: the WS302 is decided at that close().
        assertEquals(TcpEnd.HALF_CLOSE, server.tcpEnd());
        List<String> stack = run.replay.closeFrameStack(server.connectionId());
        // Jetty has ~20 frames between the socket write and the application: the agent cuts them to one marker.
        assertTrue(stack.stream().anyMatch(f -> f.startsWith(
                "io.wstap.samples.JettyScenarios$RejectsOldClients.onWebSocketText(JettyScenarios.java:")), stack.toString());
        assertTrue(stack.get(0).startsWith("org.eclipse.jetty."), stack.toString());
        assertTrue(stack.stream().anyMatch(f -> f.startsWith("\u2026 ") && f.contains("org.eclipse.jetty")), stack.toString());

        Reconstruction fixed = run.view("jetty-app-rejects-old-client-with-4000", Role.SERVER);
        assertEquals(Outcome.CLEAN, fixed.outcome(), fixed.toString());
        assertEquals(List.of(), rules(fixed));
        assertEquals(List.of("server 4000 client too old", "client 4000 "), closes(fixed));
        for (Role side : Role.values()) {
            Reconstruction rejected = run.view("jetty-app-rejects-old-client-with-http-400", side);
            assertEquals(Outcome.REJECTED, rejected.outcome(), rejected.toString());
            assertEquals(400, rejected.response().status());
            assertEquals(List.of(), rules(rejected));
        }
    }

    @Test
    void aCloseTheClientNeverAnswersEndsAtJettysIdleTimeoutAsWs302() {
        Reconstruction server = run.view("jetty-close-not-answered", Role.SERVER);
        assertEquals(Outcome.HALF_CLOSED, server.outcome(), server.toString());
        assertEquals(List.of("WS302"), rules(server));
        assertEquals(1001, server.findings().get(0).code());
        assertTrue(server.findings().get(0).message().startsWith("the server sent Close 1001 and closed TCP "),
                server.findings().get(0).message());
        Reconstruction client = run.view("jetty-close-not-answered", Role.CLIENT);
        assertEquals(List.of("WS302"), rules(client), client.toString());
    }

    @Test
    void jettyFailsAnUnmaskedClientFrameWith1002WithoutWaitingWhichIsWs101Only() {
        for (Role side : Role.values()) {
            Reconstruction r = run.view("unmasked-client-frame-to-jetty", side);
            assertEquals(List.of("WS101"), rules(r), r.toString());
            assertEquals(1002, r.closeFrames().get(0).code());
            assertEquals(Role.SERVER, r.closeFrames().get(0).role());
        }
        assertEquals("Jetty closed with 1002", run.results.get("unmasked-client-frame-to-jetty"));
    }

    @Test
    void theSeedsZeroMaskCloseIsAnsweredByJettyAndIsWs110() {
        for (Role side : Role.values()) {
            Reconstruction r = run.view("client-close-88-80-00-00-00-00-to-jetty", side);
            assertEquals(List.of("WS110"), rules(r), r.toString());
            assertEquals(Outcome.CLEAN, r.outcome());
            assertEquals(List.of(-1, -1), r.closeFrames().stream().map(CloseRecord::code).toList());
        }
    }

    @Test
    void aClientFrameAfterItsCloseIsWs303AgainstTheClient() {
        Reconstruction client = run.view("client-data-after-close-to-jetty", Role.CLIENT);
        assertEquals(List.of("WS303"), rules(client), client.toString());
        assertEquals(Role.CLIENT, client.findings().get(0).role());
        assertEquals(Outcome.CLEAN, client.outcome());
        // Jetty stops reading at the client's Close: the late frame never reaches its socket.
        Reconstruction server = run.view("client-data-after-close-to-jetty", Role.SERVER);
        assertEquals(List.of(), rules(server), server.toString());
        assertEquals(1, server.framesFrom(Role.CLIENT));
    }

    @Test
    void aClientThatGivesUpBeforeJettyAnswersIsWs308InItsOwnViewWhichDecides() {
        Reconstruction client = run.view("client-gives-up-during-jetty-handshake", Role.CLIENT);
        assertEquals(List.of("WS308"), rules(client), client.toString());
        assertEquals(null, client.response());
        // Jetty answers 101 two seconds later into a closed connection and only then reads the FIN: its socket's view
        // is late. The analyzer's merge takes the closer's own view (see MergeTest); here both are checked as they are.
        Reconstruction server = run.view("client-gives-up-during-jetty-handshake", Role.SERVER);
        assertEquals(Role.CLIENT, server.tcpClosedByRole(), server.toString());
        assertEquals(101, server.response().status());
    }
}
