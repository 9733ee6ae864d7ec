package io.wstap.engine;

import io.wstap.wire.Frames;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.wstap.engine.Scenarios.CHINESE_REASON;
import static io.wstap.engine.Script.ascii;
import static io.wstap.wire.Frames.close;
import static io.wstap.wire.Frames.hex;
import static io.wstap.wire.Frames.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reconstruction's details: roles, Close frames, who closed TCP, CloseEvents, and the findings' evidence. */
class ConnectionTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void clientInitiatedCleanCloseIsReconstructed() {
        Reconstruction r = Scenarios.cleanClose(Script.open().client(text("hi", 0x01020304))).run();
        assertTrue(r.webSocket());
        assertEquals(Protocol.RFC6455, r.protocol());
        assertEquals(Endpoint.LOCAL, r.clientEndpoint());
        assertEquals("/chat", r.request().target());
        assertEquals(101, r.response().status());
        assertEquals(1 * MS, r.requestTimeNanos());
        assertEquals(2 * MS, r.responseTimeNanos());
        assertEquals(List.of(new CloseRecord(Endpoint.LOCAL, Role.CLIENT, 1000, "bye", 4 * MS, 1),
                new CloseRecord(Endpoint.REMOTE, Role.SERVER, 1000, "bye", 5 * MS, 0)), r.closeFrames());
        assertEquals(Role.CLIENT, r.initiatorRole());
        assertEquals(Role.SERVER, r.tcpClosedByRole());
        assertEquals(TcpEnd.FIN, r.tcpEnd());
        assertEquals(6 * MS, r.tcpCloseTimeNanos());
        assertEquals(Outcome.CLEAN, r.outcome());
        assertEquals(new CloseEvent(1000, "bye", true), r.clientSaw());
        assertEquals(new CloseEvent(1000, "bye", true), r.serverSaw());
        assertEquals(2, r.framesFrom(Role.CLIENT));
        assertEquals(1, r.framesFrom(Role.SERVER));
        assertEquals(List.of(), r.findings());
    }

    @Test
    void serverCloseWithChineseReasonIsShownExactly() {
        Reconstruction r = Script.open().server(close(1000, CHINESE_REASON, null)).client(close(1000, "", 0x0badcafe))
                .tcp(Role.SERVER, TcpEnd.FIN).end().run();
        assertEquals(1000, r.closeFrames().get(0).code());
        assertEquals(CHINESE_REASON, r.closeFrames().get(0).reason());
        assertEquals(Role.SERVER, r.initiatorRole());
        assertEquals(new CloseEvent(1000, CHINESE_REASON, true), r.clientSaw());
        assertEquals(new CloseEvent(1000, "", true), r.serverSaw());
    }

    @Test
    void serverDroppingTcpIsWs301AndTheClientSaw1006() {
        Reconstruction r = Script.open().serverIsLocal().client(text("x", 0x01020304)).tcp(Role.SERVER, TcpEnd.FIN)
                .end().run();
        assertEquals(Outcome.ABRUPT, r.outcome());
        assertEquals(new CloseEvent(1006, "", false), r.clientSaw());
        assertEquals(new CloseEvent(1006, "", false), r.serverSaw());
        Finding f = r.findings().get(0);
        assertEquals(Rule.MISSING_CLOSE_FRAME, f.rule());
        assertEquals(Endpoint.LOCAL, f.endpoint());
        assertEquals(Role.SERVER, f.role());
        assertEquals(1006, f.code());
        assertEquals("the server closed TCP (fin) without a Close frame; the client saw 1006", f.message());
    }

    @Test
    void ws205CarriesTheFramesEvidence() {
        String response = Script.response("");
        Reconstruction r = Script.open().client(text("v1", 0x01020304)).server(text("hello", null),
                close(1002, "too old", null)).client(close(1002, "too old", 0x05060708)).tcp(Role.SERVER, TcpEnd.FIN)
                .end().run();
        assertEquals(1, r.findings().size());
        Finding f = r.findings().get(0);
        assertEquals(Rule.APPLICATION_USED_1002, f.rule());
        assertEquals(Severity.WARNING, f.severity());
        assertEquals(Role.SERVER, f.role());
        assertEquals(1, f.frameIndex());
        assertEquals(1002, f.code());
        assertEquals(response.length() + 7, f.offset()); // after the 101 and the 7-byte "hello" frame
        assertEquals(4 * MS, f.timeNanos());
        assertEquals("the server closed with 1002 (protocol error) although none of the client's 1 frames broke the protocol",
                f.message());
    }

    @Test
    void unmaskedFrameThen1002IsWs101AndNotWs205() {
        Reconstruction r = Script.open().client(text("v1", null)).server(close(1002, "", null))
                .client(close(1002, "", 0x01020304)).tcp(Role.SERVER, TcpEnd.FIN).end().run();
        assertEquals(List.of(Rule.UNMASKED_CLIENT_FRAME), r.findings().stream().map(Finding::rule).toList());
        assertEquals(1002, r.closeFrames().get(0).code());
    }

    @Test
    void repeatedViolationsCountOnOneFinding() {
        List<Finding> published = new ArrayList<>();
        ConnectionObserver observer = new ConnectionObserver() {
            @Override
            public void onFinding(Connection connection, Finding finding) {
                published.add(finding);
            }
        };
        Reconstruction r = Script.open().client(text("a", null), text("b", null), text("c", null)).end()
                .run(EngineOptions.DEFAULTS, null, observer);
        assertEquals(1, r.findings().size());
        assertEquals(3, r.findings().get(0).occurrences());
        assertEquals(0, r.findings().get(0).frameIndex());
        assertEquals(1, published.size());
    }

    @Test
    void unansweredCloseIsHalfClosed() {
        Reconstruction r = Script.open().client(close(1001, "going away", 0x01020304)).tcp(Role.SERVER, TcpEnd.FIN)
                .end().run();
        assertEquals(Outcome.HALF_CLOSED, r.outcome());
        assertEquals(new CloseEvent(1006, "", false), r.clientSaw());
        assertEquals(new CloseEvent(1001, "going away", false), r.serverSaw());
        assertEquals("the server closed TCP 1 ms after receiving Close 1001 without answering it",
                r.findings().get(0).message());
    }

    /** Jetty's close as its server socket sees it: Close, shutdownOutput() at once, the answer, then close(). */
    @Test
    void aHalfCloseAfterOwnCloseWaitsForTheAnswer() {
        Reconstruction r = Script.open().serverIsLocal().server(close(4000, "client too old", null))
                .tcp(Role.SERVER, TcpEnd.HALF_CLOSE).after(3).client(close(4000, "", 0x01020304))
                .tcp(Role.SERVER, TcpEnd.FIN).end().run();
        assertEquals(Outcome.CLEAN, r.outcome());
        assertEquals(Role.SERVER, r.tcpClosedByRole());
        assertEquals(TcpEnd.HALF_CLOSE, r.tcpEnd());
        assertEquals(new CloseEvent(4000, "client too old", true), r.clientSaw());
        assertEquals(new CloseEvent(4000, "", true), r.serverSaw());
        assertEquals(List.of(), r.findings());
    }

    @Test
    void aHalfCloseFollowedByCloseWithoutAnswerIsWs302AtTheClose() {
        Reconstruction r = Script.open().serverIsLocal().server(close(1001, "going away", null))
                .tcp(Role.SERVER, TcpEnd.HALF_CLOSE).after(500).tcp(Role.SERVER, TcpEnd.FIN).end().run();
        assertEquals(Outcome.HALF_CLOSED, r.outcome());
        assertEquals(new CloseEvent(1006, "", false), r.serverSaw());
        assertEquals("the server sent Close 1001 and closed TCP 502 ms later with no answer from the client",
                r.findings().get(0).message());
    }

    @Test
    void rejectedUpgrade() {
        Reconstruction r = Script.empty().client(ascii(Script.request("")))
                .server(ascii("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")).tcp(Role.SERVER, TcpEnd.FIN)
                .end().run();
        assertEquals(Outcome.REJECTED, r.outcome());
        assertEquals(400, r.response().status());
        assertEquals(new CloseEvent(1006, "", false), r.clientSaw());
        assertNull(r.serverSaw());
        assertEquals(List.of(), r.findings());
    }

    @Test
    void hixieCloseHasNoCodesAndIsClean() {
        Reconstruction r = Script.empty().client(ascii(Scenarios.HIXIE_REQUEST)).server(ascii(Scenarios.HIXIE_RESPONSE))
                .server(Frames.hixieText("x")).client(Frames.hixieClose()).server(Frames.hixieClose())
                .tcp(Role.SERVER, TcpEnd.FIN).end().run();
        assertEquals(Protocol.HIXIE76, r.protocol());
        assertEquals("/demo", r.request().target());
        assertEquals(-1, r.closeFrames().get(0).code());
        assertEquals(Outcome.CLEAN, r.outcome());
        assertEquals(new CloseEvent(1000, "", true), r.clientSaw());
        assertEquals(2, r.framesFrom(Role.SERVER));
        assertEquals(1, r.framesFrom(Role.CLIENT));
    }

    @Test
    void openConnectionHasNoCloseEventYet() {
        Reconstruction r = Script.open().client(text("x", 0x01020304)).end().run();
        assertEquals(Outcome.OPEN, r.outcome());
        assertNull(r.clientSaw());
        assertNull(r.serverSaw());
        assertNull(r.tcpClosedBy());
    }

    @Test
    void joinedMidStreamInfersRolesFromMasking() {
        Reconstruction r = Scenarios.cleanClose(Script.joined(null, Protocol.RFC6455).serverIsLocal()
                .server(text("x", null)).client(text("y", 0x01020304))).run();
        assertTrue(r.joinedMidStream());
        assertEquals(Endpoint.REMOTE, r.clientEndpoint());
        assertNull(r.request());
        assertEquals(Outcome.CLEAN, r.outcome());
    }

    /**
     * Bytes that begin between the upgrade request and its 101 (an agent attached, a packet capture started, or the
     * benchToggle tap came on there): the 101 shows the connection is WebSocket, so it is joined mid-stream after it,
     * with the roles the response gives, instead of being taken for something else and ignored for good.
     */
    @Test
    void aResponseWhoseRequestWentByJoinsTheConnectionAfterIt() {
        for (boolean serverIsLocal : new boolean[] {false, true}) {
            Script s = serverIsLocal ? Script.empty().serverIsLocal() : Script.empty();
            Reconstruction r = Scenarios.cleanClose(s.server(Frames.concat(ascii(Script.response("")), text("x", null)))
                    .client(text("y", 0x01020304))).run();
            assertTrue(r.webSocket());
            assertTrue(r.joinedMidStream());
            assertEquals(serverIsLocal ? Endpoint.REMOTE : Endpoint.LOCAL, r.clientEndpoint());
            assertEquals(Outcome.CLEAN, r.outcome());
            assertEquals(2, r.framesFrom(Role.SERVER), "its text frame right after the 101, and its Close");
            assertEquals(2, r.framesFrom(Role.CLIENT));
            assertEquals(List.of(), r.findings());
        }
        Reconstruction refused = Script.empty().server(ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
                .end().run();
        assertFalse(refused.joinedMidStream(), "only a 101 upgrading to websocket shows a WebSocket connection");
        assertFalse(refused.webSocket());
    }

    @Test
    void framesPipelinedRightAfterTheRequestCount() {
        Reconstruction r = Script.empty().client(Frames.concat(ascii(Script.request("")), text("early", 0x01020304)))
                .server(ascii(Script.response(""))).end().run();
        assertEquals(1, r.framesFrom(Role.CLIENT));
    }

    @Test
    void thresholdsAreOptions() {
        Script lingering = Script.open().client(close(1000, "", 0x01020304)).server(close(1000, "", null))
                .after(1500).tcp(Role.SERVER, TcpEnd.FIN).end();
        assertEquals(List.of(Rule.TCP_LINGERS_AFTER_CLOSE), lingering.run().findings().stream().map(Finding::rule).toList());
        EngineOptions patient = new EngineOptions(TimeUnit.SECONDS.toNanos(5), EngineOptions.DEFAULT_SLOW_CLOSE_NANOS, false);
        assertEquals(List.of(), lingering.run(patient).findings());
    }

    @Test
    void plainHttpAndTlsAreNotWebSocket() {
        Connection http = new Connection(1);
        byte[] get = ascii("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
        http.onBytes(Endpoint.LOCAL, 0, get, 0, get.length);
        assertTrue(http.isIgnored());
        assertFalse(http.reconstruction().webSocket());
        assertNull(http.reconstruction().outcome());

        Connection tls = new Connection(2);
        byte[] hello = hex("16 03 01 02 00 01 00 01 fc 03 03");
        tls.onBytes(Endpoint.LOCAL, 0, hello, 0, hello.length);
        assertTrue(tls.isIgnored());

        Connection banner = new Connection(3); // a server that speaks first, e.g. a database greeting
        byte[] greeting = hex("4a 00 00 00 0a 38 2e 30");
        banner.onBytes(Endpoint.REMOTE, 0, greeting, 0, greeting.length);
        assertTrue(banner.isIgnored());
    }

    @Test
    void acceptKeyOfTheRfcSample() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Connection.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
    }
}
