package io.wstap.samples;

import io.wstap.capture.CaptureReplay;
import io.wstap.engine.CloseEvent;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Finding;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.samples.raw.SeedScenarios;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How many scenarios SeedScenarios runs by default (a change there must show here). */
final class SeedScenariosCount {
    static final int ALL = 14;

    private SeedScenariosCount() {
    }
}

/**
 * The seed scenarios run under the real agent in a forked JVM; each one's capture is replayed through the engine and
 * checked from the server's socket (which closes first in every scenario: its view is exact) and from the client's.
 */
class SeedScenariosIT {
    @TempDir
    static Path dir;
    static ScenarioRun run;
    static CaptureReplay replay;
    static Map<String, String> results;

    @BeforeAll
    static void runScenarios() throws Exception {
        run = ScenarioRun.run(dir.resolve("seeds.wstap"), SeedScenarios.class, SeedScenariosCount.ALL);
        replay = run.replay;
        results = run.results;
    }

    private static Reconstruction view(String scenario, Role side) {
        return run.view(scenario, side);
    }

    private static List<String> rules(Reconstruction r) {
        return ScenarioRun.rules(r);
    }

    @Test
    void clientClosesWith1000() {
        Reconstruction server = view("client-closes-1000", Role.SERVER);
        assertEquals(Outcome.CLEAN, server.outcome());
        assertEquals(List.of(), rules(server));
        assertEquals(Role.CLIENT, server.initiatorRole());
        assertEquals(new CloseEvent(1000, "bye", true), server.clientSaw());
        // The JDK HttpClient closes its channel as soon as the Close reply arrives, racing the server's FIN.
        Reconstruction client = view("client-closes-1000", Role.CLIENT);
        assertTrue(client.outcome() == Outcome.CLEAN || rules(client).equals(List.of("WS304")), client.toString());
    }

    /** Scenario 12: scenario 1 over wss://, read from the plaintext at each end's TLS layer; the same reconstruction. */
    @Test
    void clientClosesWith1000OverWssReadsAsThePlainOne() {
        for (Role side : Role.values()) {
            Reconstruction r = view("client-closes-1000-over-wss", side);
            assertEquals(io.wstap.capture.Transport.TLS, replay.endpoints(r.connectionId()).transport(), r.toString());
        }
        Reconstruction server = view("client-closes-1000-over-wss", Role.SERVER);
        Reconstruction plain = view("client-closes-1000", Role.SERVER);
        assertEquals(Outcome.CLEAN, server.outcome());
        assertEquals(List.of(), rules(server));
        assertEquals(Role.CLIENT, server.initiatorRole());
        assertEquals(new CloseEvent(1000, "bye", true), server.clientSaw());
        assertEquals(plain.serverSaw(), server.serverSaw());
        assertEquals(plain.closeFrames().stream().map(c -> c.role() + " " + c.code() + " " + c.reason()).toList(),
                server.closeFrames().stream().map(c -> c.role() + " " + c.code() + " " + c.reason()).toList());
        assertEquals(plain.framesFrom(Role.CLIENT), server.framesFrom(Role.CLIENT));
        assertEquals(plain.framesFrom(Role.SERVER), server.framesFrom(Role.SERVER));
        Reconstruction client = view("client-closes-1000-over-wss", Role.CLIENT);
        assertTrue(client.outcome() == Outcome.CLEAN || rules(client).equals(List.of("WS304")), client.toString());
        assertEquals("closed 1000 \"bye\"", results.get("client-closes-1000-over-wss"));
    }

    @Test
    void serverClosesWithTheSeedsUtf8Reason() {
        Reconstruction server = view("server-closes-with-utf8-reason", Role.SERVER);
        assertEquals(Outcome.CLEAN, server.outcome());
        assertEquals("孩子,地球太危险了,快回火星去吧!", server.closeFrames().get(0).reason());
        assertEquals(Role.SERVER, server.closeFrames().get(0).role());
        assertEquals(new CloseEvent(1000, "孩子,地球太危险了,快回火星去吧!", true),
                view("server-closes-with-utf8-reason", Role.CLIENT).clientSaw());
        assertEquals("closed 1000 \"孩子,地球太危险了,快回火星去吧!\"", results.get("server-closes-with-utf8-reason"));
    }

    @Test
    void serverDropsTcpWithoutAClose() {
        for (Role side : Role.values()) {
            Reconstruction r = view("server-drops-tcp", side);
            assertEquals(Outcome.ABRUPT, r.outcome(), r.toString());
            assertEquals(List.of("WS301"), rules(r));
            assertEquals(new CloseEvent(1006, "", false), r.clientSaw());
        }
        Reconstruction server = view("server-drops-tcp", Role.SERVER);
        assertTrue(replay.closeCallStack(server.connectionId()).stream().anyMatch(f -> f.contains("RawServer.serve")),
                replay.closeCallStack(server.connectionId()).toString());
        assertEquals("closed 1006", results.get("server-drops-tcp"));
    }

    @Test
    void applicationClosingWith1002IsWs205WithTheLineThatSentIt() {
        Reconstruction server = view("app-rejects-old-client-with-1002", Role.SERVER);
        assertEquals(List.of("WS205"), rules(server));
        assertEquals(Outcome.CLEAN, server.outcome());
        List<String> stack = replay.closeFrameStack(server.connectionId());
        assertTrue(stack.stream().anyMatch(f -> f.startsWith("io.wstap.samples.raw.RawServer.serve(RawServer.java:")), stack.toString());
        assertEquals(List.of(), rules(view("app-rejects-old-client-with-4000", Role.SERVER)));
        assertEquals(Outcome.CLEAN, view("app-rejects-old-client-with-4000", Role.SERVER).outcome());
        for (Role side : Role.values()) {
            Reconstruction rejected = view("app-rejects-old-client-with-http-400", side);
            assertEquals(Outcome.REJECTED, rejected.outcome(), rejected.toString());
            assertEquals(400, rejected.response().status());
            assertEquals(List.of(), rules(rejected));
        }
    }

    @Test
    void unmaskedClientFrameAnsweredWith1002IsWs101NotWs205() {
        for (Role side : Role.values()) {
            Reconstruction r = view("unmasked-client-frame", side);
            assertEquals(List.of("WS101"), rules(r), r.toString());
            assertEquals(1002, r.closeFrames().get(0).code());
            assertEquals(Outcome.CLEAN, r.outcome());
        }
    }

    @Test
    void seedCloseWithAZeroMaskIsValidButWs110() {
        for (Role side : Role.values()) {
            Reconstruction r = view("client-close-88-80-00-00-00-00", side);
            assertEquals(List.of("WS110"), rules(r), r.toString());
            assertEquals(List.of(-1, -1), r.closeFrames().stream().map(CloseRecord::code).toList());
            assertEquals(new CloseEvent(1005, "", true), r.serverSaw());
        }
    }

    @Test
    void dataAfterCloseIsWs303() {
        for (Role side : Role.values()) {
            Reconstruction r = view("data-after-close", side);
            assertEquals(List.of("WS303"), rules(r), r.toString());
            assertEquals(Role.SERVER, r.findings().get(0).role());
            assertEquals(Outcome.CLEAN, r.outcome());
        }
    }

    @Test
    void clientClosingTcpFirstIsWs304() {
        for (Role side : Role.values()) {
            Reconstruction r = view("client-closes-tcp-first", side);
            assertEquals(Outcome.CLEAN_CLIENT_TCP_FIRST, r.outcome(), r.toString());
            assertEquals(List.of("WS304"), rules(r));
        }
    }

    @Test
    void clientGivingUpDuringTheOpeningHandshakeIsWs308() {
        for (Role side : Role.values()) {
            Reconstruction r = view("client-gives-up-during-handshake", side);
            assertEquals(List.of("WS308"), rules(r), r.toString());
            assertEquals(Role.CLIENT, r.tcpClosedByRole());
            assertEquals(null, r.response());
        }
    }

    @Test
    void hixie76ClosedWithFf00BothWaysIsWs404AndClean() {
        for (Role side : Role.values()) {
            Reconstruction r = view("hixie-76-close-ff-00", side);
            assertEquals(io.wstap.engine.Protocol.HIXIE76, r.protocol());
            assertEquals(List.of("WS404"), rules(r), r.toString());
            assertEquals(Outcome.CLEAN, r.outcome());
            assertEquals(new CloseEvent(1000, "", true), r.clientSaw());
            assertEquals(2, r.closeFrames().size());
        }
    }

    @Test
    void closeNeverAnsweredIsWs302() {
        Reconstruction server = view("close-not-answered", Role.SERVER);
        assertEquals(Outcome.HALF_CLOSED, server.outcome());
        assertEquals(List.of("WS302"), rules(server));
        assertEquals(Endpoint.LOCAL, server.tcpClosedBy());
        Finding f = server.findings().get(0);
        assertEquals(1001, f.code());
        assertEquals(new CloseEvent(1001, "going away", false), server.clientSaw());
    }
}
