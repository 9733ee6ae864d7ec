package io.wstap.samples;

import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JettyServerHttpClientApp} under the agent: Jetty 12's WebSocket server and the JDK HttpClient, both NIO,
 * in one forked JVM, so the capture holds each connection twice: as the client's socket saw it and as the server's.
 *
 * <p>What the libraries really do (JDK 17 and 25): the JDK HttpClient cuts a text message over 16 KiB into
 * 16 384-byte frames ({@link Expect#JDK_HTTP_CLIENT}); Jetty echoes every message as one frame (a 70 000-byte text
 * in one frame with a 64-bit length), answers the client's Close 1000 "bye" with the same code and reason, half-closes
 * at once ({@code shutdownOutput()}) and then ends TCP without reading the client's FIN. The JDK client closes its channel as soon as it has the server's Close,
 * without waiting for the server's FIN: whether it reads that FIN first is a race (about a third of the runs), so its
 * socket sees either the server's FIN and then its own close (clean) or only its own close (clean-client-tcp-first,
 * WS304). Both are what the JDK client really does; anything else is not.
 */
class JettyServerHttpClientAppIT {
    private static final String PASSWORD = "changeit";

    @TempDir
    Path dir;

    @Test
    void wsEchoIsCapturedFrameByFrameOnBothSockets() throws Exception {
        Path capture = dir.resolve("jetty-ws.wstap");
        ForkedApp.Result run = ForkedApp.run("file=" + capture, JettyServerHttpClientApp.class, 90);
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertEquals(List.of("wstap: capturing WebSocket traffic to " + capture.toAbsolutePath()), run.agentLines());
        Transcript t = Transcript.parse(run.stdout());
        Expect.groundTruth(t, run.stdout());

        Capture cap = Capture.read(capture);
        cap.assertIntact();
        assertEquals(2, cap.log.connections.size(), "the two ends of the one WebSocket connection\n" + cap.dump());
        Capture.View client = only(cap.views(Endpoint.LOCAL), cap);
        Capture.View server = only(cap.views(Endpoint.REMOTE), cap);
        // Two sockets of one TCP connection, as each end names them.
        assertEquals(t.server, client.events().remote, cap.dump());
        assertEquals(t.server, server.events().local, cap.dump());
        assertEquals(client.events().local, server.events().remote, cap.dump());

        for (Capture.View v : List.of(client, server)) {
            Expect.exchange(t, v, Transport.PLAIN, Expect.clientFrames(t, Expect.JDK_HTTP_CLIENT), Expect.serverFrames(t));
        }
        Expect.serverClosedTcpFirst(t, server);
        // Jetty answers the Close, half-closes at once (shutdownOutput(): its FIN) and only then calls close().
        assertEquals(List.of("LOCAL HALF_CLOSE", "LOCAL FIN"), Expect.tcp(server), cap.dump());
        jdkClientTcp(t, client);
        Expect.finReadAfterThePeersClose(client, server);
    }

    @Test
    void wssIsCapturedAsPlaintextOnceOnEachSocket() throws Exception {
        Path keystore = ForkedApp.selfSignedKeystore(dir, PASSWORD);
        Path capture = dir.resolve("jetty-wss.wstap");
        ForkedApp.Result run = ForkedApp.run("file=" + capture, JettyServerHttpClientApp.class, 90,
                "--tls", keystore.toString(), PASSWORD);
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertEquals(List.of("wstap: capturing WebSocket traffic to " + capture.toAbsolutePath()), run.agentLines());
        Transcript t = Transcript.parse(run.stdout());
        Expect.groundTruth(t, run.stdout());
        assertTrue(t.summary.contains("wss server"), t.summary);

        Capture cap = Capture.read(capture);
        cap.assertIntact();
        // The plaintext at the SSLEngines, once per socket; the TLS records on the channels leave no connection.
        assertEquals(2, cap.log.connections.size(), "plaintext once per socket, no ciphertext connection\n" + cap.dump());
        Capture.View client = only(cap.views(Endpoint.LOCAL), cap);
        Capture.View server = only(cap.views(Endpoint.REMOTE), cap);
        // An SSLEngine knows only its peer (docs/agent.md): the client's names the server; Jetty's names the client.
        assertEquals(t.server, client.events().remote, cap.dump());
        assertTrue(server.events().remote.startsWith("127.0.0.1:"), cap.dump());

        for (Capture.View v : List.of(client, server)) {
            Expect.exchange(t, v, Transport.TLS, Expect.clientFrames(t, Expect.JDK_HTTP_CLIENT), Expect.serverFrames(t));
        }
        // The channel's close must end the TLS connection too (the agent links each channel to its SSLEngine).
        Expect.serverClosedTcpFirst(t, server);
        jdkClientTcp(t, client);
        Expect.finReadAfterThePeersClose(client, server);
    }

    /**
     * A client that reconnects: 30 wss connections one after the other through one HttpClient running on a pool of 2
     * threads. Each connection must be captured as the single one is: every frame, and its own TCP close on each
     * socket (the agent links each channel to its own SSLEngine), nothing of another connection's.
     */
    @Test
    void wssReconnectingClientEveryConnectionGetsItsOwnTcpClose() throws Exception {
        int connections = 30;
        Path keystore = ForkedApp.selfSignedKeystore(dir, PASSWORD);
        Path capture = dir.resolve("jetty-wss-reconnect.wstap");
        ForkedApp.Result run = ForkedApp.run("file=" + capture, JettyServerHttpClientApp.class, 120,
                "--tls", keystore.toString(), PASSWORD, "--connections", String.valueOf(connections),
                "--client-threads", "2");
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        List<Transcript> transcripts = Transcript.parseAll(run.stdout());
        assertEquals(connections, transcripts.size(), run.stdout());
        for (Transcript t : transcripts) {
            Expect.groundTruth(t, run.stdout());
        }

        Capture cap = Capture.read(capture);
        cap.assertIntact();
        assertEquals(2 * connections, cap.log.connections.size(), "plaintext once per socket\n" + cap.dump());
        List<Capture.View> clients = cap.views(Endpoint.LOCAL);
        List<Capture.View> servers = cap.views(Endpoint.REMOTE);
        assertEquals(connections, clients.size(), cap.dump());
        assertEquals(connections, servers.size(), cap.dump());
        // The connections were one after the other, and the agent numbers them as it meets them: the k-th client
        // socket and the k-th server socket are the two ends of connection k.
        List<Executable> checks = new ArrayList<>();
        for (int k = 0; k < connections; k++) {
            Transcript t = transcripts.get(k);
            Capture.View client = clients.get(k);
            Capture.View server = servers.get(k);
            String which = "connection " + (k + 1) + " of " + connections + ": ";
            checks.add(() -> {
                for (Capture.View v : List.of(client, server)) {
                    Expect.exchange(t, v, Transport.TLS, Expect.clientFrames(t, Expect.JDK_HTTP_CLIENT),
                            Expect.serverFrames(t));
                }
            });
            checks.add(() -> {
                try {
                    Expect.serverClosedTcpFirst(t, server);
                } catch (AssertionError e) {
                    throw new AssertionError(which + "server's socket: " + e.getMessage(), e);
                }
            });
            checks.add(() -> {
                try {
                    jdkClientTcp(t, client);
                } catch (AssertionError e) {
                    throw new AssertionError(which + "client's socket: " + e.getMessage(), e);
                }
            });
            checks.add(() -> Expect.finReadAfterThePeersClose(client, server));
        }
        assertAll("each of " + connections + " wss connections, on both sockets", checks);
    }

    /**
     * The JDK client's socket: it closes its channel as soon as it has the server's Close; it has read the server's
     * FIN by then or not (a race): clean, or clean-client-tcp-first with WS304. Nothing else.
     */
    static void jdkClientTcp(Transcript t, Capture.View client) {
        Expect.tcpSane(client);
        if (Expect.tcp(client).get(0).equals("REMOTE FIN")) {
            Expect.clientReadTheServersFin(t, client);
        } else {
            Expect.clientClosedTcpFirst(t, client);
        }
    }

    static Capture.View only(List<Capture.View> views, Capture cap) {
        assertEquals(1, views.size(), cap.dump());
        return views.get(0);
    }
}
