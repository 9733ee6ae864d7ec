package io.wstap.samples;

import io.wstap.capture.Transport;
import io.wstap.engine.CloseEvent;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Finding;
import io.wstap.engine.Outcome;
import io.wstap.engine.Protocol;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.HttpHead;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What one exchange's capture must hold, derived from the apps' transcript; shared by the samples' ITs. */
final class Expect {
    /** How a client library cuts a message into frames. */
    interface Framing {
        List<FrameLog.Shape> frames(Transcript.Message m);
    }

    /** One frame per message, masked (OkHttp, and every server here unmasked: see {@link #serverFrames}). */
    static final Framing WHOLE = m -> List.of(FrameLog.Shape.data(m.opcode(), true, true, m.bytes()));

    /**
     * The JDK HttpClient: a text message of more than 16 KiB goes out as 16 384-byte frames (text FIN=0, continuation
     * frames, the last with FIN=1), because its encoder fills a 16 KiB buffer per frame; a binary message is one frame.
     * Observed on JDK 17 and 25 (jdk.internal.net.http.websocket.MessageEncoder); our texts over 16 KiB are ASCII.
     */
    static final Framing JDK_HTTP_CLIENT = m -> {
        int chunk = 16_384;
        if (m.opcode() != 1 || m.bytes() <= chunk) {
            return WHOLE.frames(m);
        }
        List<FrameLog.Shape> frames = new ArrayList<>();
        for (int off = 0; off < m.bytes(); off += chunk) {
            int len = Math.min(chunk, m.bytes() - off);
            frames.add(FrameLog.Shape.data(off == 0 ? 1 : 0, off + len == m.bytes(), true, len));
        }
        return frames;
    };

    private Expect() {
    }

    /** The ground truth is one whole echo exchange: each side received what the other sent, nothing failed. */
    static void groundTruth(Transcript t, String stdout) {
        assertEquals(Exchange.MESSAGES, t.clientSent.size(), stdout);
        assertEquals(t.clientSent, t.serverReceived, "the server received what the client sent\n" + stdout);
        assertEquals(t.serverReceived, t.serverSent, "the server echoed every message\n" + stdout);
        assertEquals(t.serverSent, t.clientReceived, "the client received every echo\n" + stdout);
        assertNotNull(t.clientSentClose, stdout);
        assertNotNull(t.clientReceivedClose, stdout);
        assertNotNull(t.server, stdout);
        assertNotNull(t.summary, stdout);
        assertEquals(List.of(), t.errors, stdout);
    }

    /** The client's frames: each message as {@code framing} cuts it, then its Close (masked). */
    static List<FrameLog.Shape> clientFrames(Transcript t, Framing framing) {
        List<FrameLog.Shape> frames = new ArrayList<>();
        t.clientSent.forEach(m -> frames.addAll(framing.frames(m)));
        frames.add(FrameLog.Shape.close(true, t.clientSentClose.code(), t.clientSentClose.reason()));
        return frames;
    }

    /** The client's frames as the server's library decoded them (Netty), then the client's Close. */
    static List<FrameLog.Shape> clientFramesAsDecoded(Transcript t) {
        List<FrameLog.Shape> frames = new ArrayList<>();
        t.serverReceivedFrames.forEach(f -> frames.add(FrameLog.Shape.data(f.opcode(), f.fin(), f.masked(), f.length())));
        frames.add(FrameLog.Shape.close(true, t.clientSentClose.code(), t.clientSentClose.reason()));
        return frames;
    }

    /** The server's frames: one unmasked frame per echo (Jetty and Netty send each message whole), then its Close. */
    static List<FrameLog.Shape> serverFrames(Transcript t) {
        List<FrameLog.Shape> frames = new ArrayList<>();
        t.serverSent.forEach(m -> frames.add(FrameLog.Shape.data(m.opcode(), true, false, m.bytes())));
        frames.add(FrameLog.Shape.close(false, t.clientReceivedClose.code(), t.clientReceivedClose.reason()));
        return frames;
    }

    /** A view's own story in a failure message: its events and its reconstruction. */
    static String story(Capture.View v) {
        return v.name() + ":\n" + v.events() + "  => " + Capture.describe(v.r());
    }

    /**
     * One view of the exchange: transport, the opening handshake, every frame of each direction (opcode, FIN, RSV,
     * MASK, payload length, Close code and reason), masking keys, frame counts and the Close frames of the
     * reconstruction, in the order the transcript says they were sent.
     */
    static void exchange(Transcript t, Capture.View v, Transport transport, List<FrameLog.Shape> clientFrames,
                         List<FrameLog.Shape> serverFrames) {
        String story = story(v);
        FrameLog.Conn c = v.events();
        Reconstruction r = v.r();
        assertEquals(transport, c.transport, story);
        assertFalse(c.joined, story);
        assertEquals(0, c.invalidText, story);
        assertTrue(r.webSocket(), story);
        assertEquals(Protocol.RFC6455, r.protocol(), story);
        assertFalse(r.joinedMidStream(), story);

        // The opening handshake: the client's upgrade request, then the server's 101.
        assertEquals(2, c.heads.size(), story);
        HttpHead request = c.heads.get(0).head();
        HttpHead response = c.heads.get(1).head();
        assertEquals(v.client(), c.heads.get(0).sender(), story);
        assertEquals(v.server(), c.heads.get(1).sender(), story);
        assertTrue(request.request(), story);
        assertEquals("GET", request.method(), story);
        assertEquals("/echo", request.target(), story);
        assertEquals("websocket", request.upgrade().toLowerCase(Locale.ROOT), story);
        assertEquals("13", request.version(), story);
        assertNotNull(request.key(), story);
        assertFalse(response.request(), story);
        assertEquals(101, response.status(), story);
        assertNotNull(response.accept(), story);
        assertNull(response.extensions(), "no extension was accepted, so no RSV bit may be set\n" + story);
        assertEquals(request, r.request(), story);
        assertEquals(response, r.response(), story);

        // Every frame of each direction, in order (the two directions are independent streams).
        assertEquals(clientFrames, shapes(c.from(v.client())), "frames the client sent, as captured on " + story);
        assertEquals(serverFrames, shapes(c.from(v.server())), "frames the server sent, as captured on " + story);
        Set<Integer> keys = new HashSet<>();
        for (FrameLog.F f : c.from(v.client())) {
            assertNotEquals(0, f.maskKey(), "a client frame with an all-zero masking key\n" + story);
            keys.add(f.maskKey());
        }
        assertEquals(clientFrames.size(), keys.size(), "a masking key used twice\n" + story);
        assertEquals(clientFrames.size(), r.framesFrom(Role.CLIENT), story);
        assertEquals(serverFrames.size(), r.framesFrom(Role.SERVER), story);

        // The closing handshake: who sent the first Close, the codes and reasons, each Close the sender's last frame.
        boolean serverFirst = t.serverSentClose != null;
        Transcript.Close clientClose = t.clientSentClose;
        Transcript.Close serverClose = t.clientReceivedClose;
        if (t.serverReceivedClose != null) {
            assertEquals(clientClose, t.serverReceivedClose, "the server received the client's Close");
        }
        if (serverFirst) {
            assertEquals(t.serverSentClose, serverClose, "the client received the server's Close");
        }
        List<String> expected = new ArrayList<>(List.of(
                "CLIENT " + clientClose.code() + " " + clientClose.reason() + " #" + (clientFrames.size() - 1),
                "SERVER " + serverClose.code() + " " + serverClose.reason() + " #" + (serverFrames.size() - 1)));
        if (serverFirst) {
            java.util.Collections.reverse(expected);
        }
        assertEquals(expected, r.closeFrames().stream()
                .map(x -> x.role() + " " + x.code() + " " + x.reason() + " #" + x.frameIndex()).toList(),
                "the Close frames in the order they were sent (the initiator first)\n" + story);
        assertEquals(serverFirst ? Role.SERVER : Role.CLIENT, r.initiatorRole(),
                "the initiator of the closing handshake\n" + story);
    }

    private static List<FrameLog.Shape> shapes(List<FrameLog.F> frames) {
        return frames.stream().map(FrameLog.F::shape).toList();
    }

    /** The TCP ends this socket recorded, e.g. ["LOCAL FIN"] or ["REMOTE FIN", "LOCAL FIN"]. */
    static List<String> tcp(Capture.View v) {
        return v.events().tcp.stream().map(x -> x.endpoint() + " " + x.how()).toList();
    }

    /**
     * Cause and effect on one socket: its application closed it (every sample closes its sockets before it exits), so
     * its own end is recorded, once; the peer's end at most once, and after every frame the peer sent before it. The
     * messages name the likely cause on a TLS connection (the agent keys it by its SSLEngine and links the channel
     * under it on the channel's first write, to the engine the writing thread used last).
     */
    static void tcpSane(Capture.View v) {
        String story = story(v);
        boolean tls = v.events().transport == Transport.TLS;
        List<String> tcp = tcp(v);
        String linkHint = tls ? ": the close of its channel never reached this TLS connection (the channel was not"
                + " linked to this connection's SSLEngine, or was linked to another connection's)" : "";
        if (tcp.isEmpty()) {
            fail("no TCP end at all on " + v.name() + linkHint + "\n" + story);
        }
        // A half-close (Jetty's shutdownOutput() after its Close, TLS close_notify) may precede the local close().
        long local = v.events().tcp.stream().filter(x -> x.endpoint() == Endpoint.LOCAL && x.how() != TcpEnd.HALF_CLOSE).count();
        long halfClosed = v.events().tcp.stream().filter(x -> x.how() == TcpEnd.HALF_CLOSE).count();
        long remote = v.events().tcp.stream().filter(x -> x.endpoint() == Endpoint.REMOTE).count();
        if (local > 1 || remote > 1 || halfClosed > 1 || (halfClosed == 1 && !tcp.get(0).equals("LOCAL HALF_CLOSE")
                && !tcp.get(1).equals("LOCAL HALF_CLOSE"))) {
            fail("TCP ends recorded more than once on " + v.name() + ": " + tcp + (tls ? ": the close (and EOF) of"
                    + " another connection's channel were credited to this TLS connection (that channel was linked"
                    + " to this connection's SSLEngine)" : "") + "\n" + story);
        }
        if (local == 0) {
            fail("the application closed " + v.name() + ", but only " + tcp + " was recorded: its own end is missing"
                    + linkHint + "\n" + story);
        }
        List<FrameLog.F> peer = v.events().from(Endpoint.REMOTE);
        for (FrameLog.Tcp x : v.events().tcp) {
            if (x.endpoint() == Endpoint.REMOTE && !peer.isEmpty()) {
                FrameLog.F last = peer.get(peer.size() - 1);
                if (last.timeNanos() > x.timeNanos()) {
                    fail(String.format("%s recorded the peer's FIN (EOF) %.3f ms BEFORE the peer's last frame (%s),"
                                    + " which came before that FIN on the wire%s%n%s", v.name(),
                            (last.timeNanos() - x.timeNanos()) / 1e6, last.shape(), tls ? ": the channel's EOF was"
                                    + " recorded at once, while the records read before it were unwrapped later by"
                                    + " the SSLEngine (the JDK HttpClient reads on its selector thread and unwraps"
                                    + " on an executor thread)" : "", story));
                }
            }
        }
    }

    /**
     * The TCP ends of one socket, {@code first} first: ["LOCAL FIN"] when the application closed its socket before
     * reading the peer's FIN, ["REMOTE FIN", "LOCAL FIN"] when it read it first. A plain socket is forgotten at its
     * close() (nothing can follow it); on TLS the peer's close_notify may still be read after the local one was sent,
     * so ["LOCAL FIN", "REMOTE FIN"] is the local-first story there too.
     */
    static void tcpEnds(Capture.View v, Endpoint first) {
        tcpSane(v);
        String story = story(v);
        List<String> tcp = tcp(v).stream().filter(x -> !x.equals("LOCAL HALF_CLOSE")).toList(); // see tcpSane
        if (first == Endpoint.REMOTE) {
            assertEquals(List.of("REMOTE FIN", "LOCAL FIN"), tcp, "TCP as " + v.name() + " saw it\n" + story);
        } else if (v.events().transport == Transport.TLS && tcp.size() == 2) {
            assertEquals(List.of("LOCAL FIN", "REMOTE FIN"), tcp, "TCP as " + v.name() + " saw it\n" + story);
        } else {
            assertEquals(List.of("LOCAL FIN"), tcp, "TCP as " + v.name() + " saw it\n" + story);
        }
    }

    /** The closing handshake completed before TCP closed: each application saw the other's Close, cleanly. */
    static void bothSawTheOthersClose(Transcript t, Capture.View v) {
        String story = story(v);
        assertEquals(new CloseEvent(t.clientReceivedClose.code(), t.clientReceivedClose.reason(), true), v.r().clientSaw(),
                "what the client's application saw\n" + story);
        assertEquals(new CloseEvent(t.clientSentClose.code(), t.clientSentClose.reason(), true), v.r().serverSaw(),
                "what the server's application saw\n" + story);
    }

    /** The server's socket: the server closed it itself, without reading the client's FIN first: clean. */
    static void serverClosedTcpFirst(Transcript t, Capture.View server) {
        tcpEnds(server, Endpoint.LOCAL);
        String story = story(server);
        assertEquals(Outcome.CLEAN, server.r().outcome(), story);
        assertEquals(Role.SERVER, server.r().tcpClosedByRole(), story);
        assertTrue(server.r().tcpEnd().orderly(), story); // a FIN, or Jetty's half-close before it
        assertEquals(List.of(), server.r().findings(), story);
        bothSawTheOthersClose(t, server);
    }

    /** The client's socket: the client closed it before reading the server's FIN: clean, client first, WS304. */
    static void clientClosedTcpFirst(Transcript t, Capture.View client) {
        tcpEnds(client, Endpoint.LOCAL);
        String story = story(client);
        assertEquals(Outcome.CLEAN_CLIENT_TCP_FIRST, client.r().outcome(), story);
        assertEquals(Role.CLIENT, client.r().tcpClosedByRole(), story);
        assertTrue(client.r().tcpEnd().orderly(), story);
        assertEquals(List.of("WS304"), rules(client.r().findings()), story);
        assertEquals(Role.CLIENT, client.r().findings().get(0).role(), story);
        bothSawTheOthersClose(t, client);
    }

    /** The client's socket: it read the server's FIN (EOF), then closed: clean, no finding. */
    static void clientReadTheServersFin(Transcript t, Capture.View client) {
        tcpEnds(client, Endpoint.REMOTE);
        String story = story(client);
        assertEquals(Outcome.CLEAN, client.r().outcome(), story);
        assertEquals(Role.SERVER, client.r().tcpClosedByRole(), story);
        assertEquals(List.of(), client.r().findings(), story);
        bothSawTheOthersClose(t, client);
    }

    /** The findings' rule ids, e.g. ["WS304"]. */
    static List<String> rules(List<Finding> findings) {
        return findings.stream().map(f -> f.rule().id()).toList();
    }

    /** The time this socket's own close() was recorded; fails when there is none. */
    static long localClose(Capture.View v) {
        return v.events().tcp.stream().filter(x -> x.endpoint() == Endpoint.LOCAL).mapToLong(FrameLog.Tcp::timeNanos)
                .findFirst().orElseGet(() -> fail("no close() recorded on " + story(v)));
    }

    /**
     * Both views are in one JVM, so their times share one clock: a FIN that one socket read (EOF) must have been sent
     * by the other socket's close before. A FIN read before the peer's close() was recorded went out through a call
     * the agent does not record (such as {@code shutdownOutput()}).
     */
    static void finReadAfterThePeersClose(Capture.View reader, Capture.View closer) {
        for (FrameLog.Tcp x : reader.events().tcp) {
            if (x.endpoint() == Endpoint.REMOTE && x.how() == TcpEnd.FIN) {
                long close = localClose(closer);
                assertTrue(close <= x.timeNanos(), String.format(
                        "%s read the peer's FIN %.3f ms BEFORE the peer's close() was recorded on %s: the FIN went out"
                                + " through a call the agent does not record (shutdownOutput()?), so the peer's TCP end"
                                + " is recorded late%n%s%n%s", reader.name(), (close - x.timeNanos()) / 1e6,
                        closer.name(), story(reader), story(closer)));
            }
        }
    }
}
