package io.wstap.samples;

import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Outcome;
import io.wstap.engine.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NettyServerOkHttpApp} under the agent: a Netty 4.2 WebSocket server (NIO SocketChannel) and OkHttp
 * (blocking java.net.Socket) in one forked JVM, so the capture holds each connection as both sockets saw it.
 *
 * <p>What the libraries really do (JDK 17 and 25): OkHttp offers permessage-deflate, Netty (without a compression
 * handler) does not accept it; OkHttp sends each message as one frame and Netty echoes each as one frame. Netty
 * answers a Close with the same code and reason and closes the channel at once; OkHttp leaves the answer to a
 * server's Close to the application (the app echoes it), and closes its socket as soon as both Close frames are
 * through, without reading the server's FIN. Neither side ever reads the other's FIN: each socket sees only its own
 * close.
 */
class NettyServerOkHttpAppIT {
    /** Two close() calls closer than this (0.2 ms) are not ordered by this test. */
    private static final long SIMULTANEOUS_NANOS = 200_000;

    @TempDir
    Path dir;

    @Test
    void clientClosesNormallyAndEverythingIsCapturedOnBothSockets() throws Exception {
        Run r = run("netty-client-closes", false);
        Expect.serverClosedTcpFirst(r.t, r.server);
        // OkHttp closes its socket without reading Netty's FIN, so its socket sees its own close first.
        Expect.clientClosedTcpFirst(r.t, r.client);
    }

    @Test
    void serverClosesWith4000AndEverythingIsCapturedOnBothSockets() throws Exception {
        Run r = run("netty-server-closes", true);
        assertEquals(new Transcript.Close(NettyEchoServer.GO_AWAY_CODE, NettyEchoServer.GO_AWAY_REASON), r.t.serverSentClose);
        assertEquals(r.t.serverSentClose, r.t.clientSentClose, "the app echoes the server's Close");
        Expect.serverClosedTcpFirst(r.t, r.server);
        Expect.clientClosedTcpFirst(r.t, r.client);
    }

    /**
     * Who closed TCP first, on the wire: both sockets are in this JVM, so the times of their close() calls (one
     * clock) say whose FIN went out first (usually Netty's: it closes right after writing its answer, while OkHttp
     * closes only after reading it; sometimes OkHttp's). Each socket's reconstruction must say so. Neither library
     * reads the other's FIN before closing, though, so the socket that closed second records only its own close, and
     * its reconstruction claims its side closed first: with Netty first, the client's socket says
     * clean-client-tcp-first and blames OkHttp with WS304 for a FIN the server sent first.
     */
    @Test
    void theSocketThatClosedFirstSaysSo() throws Exception {
        Run r = run("netty-wire-order", false);
        long serverClose = Expect.localClose(r.server);
        long clientClose = Expect.localClose(r.client);
        // A socket knows of its peer's FIN only if it read it. The side that closes second usually never reads it
        // (OkHttp and Netty both close without reading EOF), so its own view names itself; only the side that closed
        // first can be held to the truth here. The analyzer's merge of both views (one JVM clock) settles the order.
        for (Capture.View v : List.of(r.client, r.server)) {
            Outcome o = v.r().outcome();
            assertTrue(o == Outcome.CLEAN || o == Outcome.CLEAN_CLIENT_TCP_FIRST, Expect.story(v));
            assertEquals(o == Outcome.CLEAN ? List.of() : List.of("WS304"), Expect.rules(v.r().findings()), Expect.story(v));
        }
        if (Math.abs(clientClose - serverClose) > SIMULTANEOUS_NANOS) {
            Role first = serverClose < clientClose ? Role.SERVER : Role.CLIENT;
            Capture.View firstView = first == Role.SERVER ? r.server : r.client;
            assertEquals(first, firstView.r().tcpClosedByRole(), String.format("the %s's close() came %.3f ms first%n%s",
                    first, Math.abs(clientClose - serverClose) / 1e6, Expect.story(firstView)));
        }
    }

    private record Run(Transcript t, Capture cap, Capture.View client, Capture.View server) {
    }

    /** Runs the app, checks the ground truth and every frame of both sockets; the closing of TCP is left to the caller. */
    private Run run(String name, boolean serverCloses) throws Exception {
        Path capture = dir.resolve(name + ".wstap");
        ForkedApp.Result run = serverCloses
                ? ForkedApp.run("file=" + capture, NettyServerOkHttpApp.class, 90, "--server-closes")
                : ForkedApp.run("file=" + capture, NettyServerOkHttpApp.class, 90);
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertEquals(List.of("wstap: capturing WebSocket traffic to " + capture.toAbsolutePath()), run.agentLines());
        Transcript t = Transcript.parse(run.stdout());
        Expect.groundTruth(t, run.stdout());
        // Netty reports the frames it decoded: OkHttp sent each message as one masked frame.
        assertEquals(Expect.clientFrames(t, Expect.WHOLE), Expect.clientFramesAsDecoded(t), run.stdout());

        Capture cap = Capture.read(capture);
        cap.assertIntact();
        assertEquals(2, cap.log.connections.size(), "the two ends of the one WebSocket connection\n" + cap.dump());
        Capture.View client = JettyServerHttpClientAppIT.only(cap.views(Endpoint.LOCAL), cap);
        Capture.View server = JettyServerHttpClientAppIT.only(cap.views(Endpoint.REMOTE), cap);
        assertEquals(t.server, client.events().remote, cap.dump());
        assertEquals(t.server, server.events().local, cap.dump());
        assertEquals(client.events().local, server.events().remote, cap.dump());
        for (Capture.View v : List.of(client, server)) {
            Expect.exchange(t, v, Transport.PLAIN, Expect.clientFramesAsDecoded(t), Expect.serverFrames(t));
            // OkHttp offers permessage-deflate; Netty without a compression handler does not take it (no RSV bits).
            assertEquals("permessage-deflate", v.r().request().extensions(), Expect.story(v));
        }
        assertTrue(t.summary.startsWith("summary: netty"), t.summary);
        return new Run(t, cap, client, server);
    }
}
