package io.wstap.engine;

import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A connection's traffic as real bytes per direction plus TCP events, with times; run through a real {@link Connection}
 * whole, split at random points, or recorded as events and replayed through the event path.
 */
final class Script {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    static String request(String extraHeaders) {
        return "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    static String response(String extraHeaders) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n" + extraHeaders + "\r\n";
    }

    /** One step: bytes from a role, a TCP end by a role, or the end of the capture. */
    private record Step(long timeNanos, Role from, byte[] bytes, TcpEnd tcp, boolean end) {
    }

    private final List<Step> steps = new ArrayList<>();
    private Endpoint clientEndpoint = Endpoint.LOCAL;
    private long now;
    private Role joinedAs;
    private Protocol joinedProtocol;
    private boolean joined;

    /** An RFC 6455 connection opened with the RFC's sample handshake. */
    static Script open() {
        return open("", "");
    }

    static Script open(String extraRequestHeaders, String extraResponseHeaders) {
        return empty().client(ascii(request(extraRequestHeaders))).server(ascii(response(extraResponseHeaders)));
    }

    static Script empty() {
        return new Script();
    }

    /** A connection picked up mid-stream; {@code localRole} null lets the engine infer roles from masking. */
    static Script joined(Role localRole, Protocol protocol) {
        Script s = new Script();
        s.joined = true;
        s.joinedAs = localRole;
        s.joinedProtocol = protocol;
        return s;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The server is this JVM (the client is REMOTE). */
    Script serverIsLocal() {
        clientEndpoint = Endpoint.REMOTE;
        return this;
    }

    Script after(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
        return this;
    }

    Script client(byte[]... chunks) {
        return send(Role.CLIENT, chunks);
    }

    Script server(byte[]... chunks) {
        return send(Role.SERVER, chunks);
    }

    private Script send(Role from, byte[]... chunks) {
        now += TimeUnit.MILLISECONDS.toNanos(1);
        for (byte[] c : chunks) {
            steps.add(new Step(now, from, c, null, false));
        }
        return this;
    }

    Script tcp(Role who, TcpEnd how) {
        now += TimeUnit.MILLISECONDS.toNanos(1);
        steps.add(new Step(now, who, null, how, false));
        return this;
    }

    Script end() {
        now += TimeUnit.MILLISECONDS.toNanos(1);
        steps.add(new Step(now, null, null, null, true));
        return this;
    }

    Endpoint endpointOf(Role r) {
        return r == Role.CLIENT ? clientEndpoint : clientEndpoint.other();
    }

    /** Each step's bytes in one call. */
    Reconstruction run() {
        return run(EngineOptions.DEFAULTS, null, ConnectionObserver.NONE);
    }

    Reconstruction run(EngineOptions options) {
        return run(options, null, ConnectionObserver.NONE);
    }

    /**
     * Feeds the byte path. With {@code split} non-null each step's bytes are cut at random points (1 byte to whole)
     * and alternated between byte[], heap and direct ByteBuffers with random offsets.
     */
    Reconstruction run(EngineOptions options, Random split, ConnectionObserver observer) {
        Connection c = new Connection(7, options, observer);
        if (joined) {
            c.joinMidStream(joinedAs, joinedProtocol);
        }
        for (Step s : steps) {
            if (s.end) {
                c.onEndOfCapture(s.timeNanos);
            } else if (s.tcp != null) {
                c.onTcpClosed(endpointOf(s.from), s.tcp, s.timeNanos);
            } else if (split == null) {
                c.onBytes(endpointOf(s.from), s.timeNanos, s.bytes, 0, s.bytes.length);
            } else {
                feedSplit(c, endpointOf(s.from), s.timeNanos, s.bytes, split);
            }
        }
        return c.reconstruction();
    }

    private static void feedSplit(Connection c, Endpoint from, long t, byte[] bytes, Random r) {
        int i = 0;
        while (i < bytes.length) {
            int n = 1 + r.nextInt(r.nextBoolean() ? Math.min(4, bytes.length - i) : bytes.length - i);
            int pad = r.nextInt(5);
            // The live tap's form (times asked of a clock, only when an event needs one) must change nothing.
            EventClock clock = r.nextBoolean() ? new FixedClock(t) : null;
            int kind = r.nextInt(3);
            if (kind == 0) {
                byte[] a = new byte[pad + n + 3];
                System.arraycopy(bytes, i, a, pad, n);
                if (clock == null) {
                    c.onBytes(from, t, a, pad, n);
                } else {
                    c.onBytes(from, clock, a, pad, n);
                }
            } else {
                ByteBuffer b = kind == 1 ? ByteBuffer.allocate(pad + n + 3) : ByteBuffer.allocateDirect(pad + n + 3);
                b.position(pad);
                b.put(bytes, i, n);
                if (clock == null) {
                    c.onBytes(from, t, b, pad, pad + n);
                } else {
                    c.onBytes(from, clock, b, pad, pad + n);
                }
            }
            i += n;
        }
    }

    /** A clock that was read at {@code t}. */
    private record FixedClock(long t) implements EventClock {
        @Override
        public long exactTime() {
            return t;
        }

        @Override
        public long dataFrameTime() {
            return t;
        }
    }

    /** Runs the byte path recording every event, then replays the events through the event path of a new Connection. */
    Reconstruction[] runBothPaths(EngineOptions options) {
        Recorder recorder = new Recorder();
        Reconstruction bytes = run(options, null, recorder);
        Connection replay = new Connection(7, options, ConnectionObserver.NONE);
        recorder.replay(replay);
        for (Step s : steps) {
            if (s.end) {
                replay.onEndOfCapture(s.timeNanos);
            }
        }
        return new Reconstruction[] {bytes, replay.reconstruction()};
    }

    /** What a capture file would hold: every event, with frames copied out of the reused view. */
    static final class Recorder implements ConnectionObserver {
        private final List<Runnable> events = new ArrayList<>();
        private Connection target;

        @Override
        public void onJoinedMidStream(Connection connection, Role localRole, Protocol protocol) {
            events.add(() -> target.joinMidStream(localRole, protocol));
        }

        @Override
        public void onHandshake(Connection connection, Endpoint sender, long timeNanos, HttpHead head) {
            events.add(() -> target.onHandshake(sender, timeNanos, head));
        }

        @Override
        public void onFrame(Connection connection, Endpoint sender, long t, Frame f) {
            byte[] close = new byte[f.closePayloadLength()];
            f.copyClosePayload(close, 0);
            boolean fin = f.fin();
            int rsv = f.rsv();
            int op = f.opcode();
            boolean masked = f.masked();
            int key = f.maskKey();
            long len = f.payloadLength();
            int hdr = f.headerSize();
            long off = f.offset();
            boolean nonMin = f.nonMinimalLength();
            boolean overflow = f.lengthOverflow();
            boolean hixie = f.hixie();
            events.add(() -> target.onFrame(sender, t, new Frame().set(fin, rsv, op, masked, key, len, hdr, off,
                    nonMin, overflow, hixie, close, 0, close.length)));
        }

        @Override
        public void onInvalidText(Connection connection, Endpoint sender, long timeNanos, long offset) {
            events.add(() -> target.onInvalidText(sender, timeNanos, offset));
        }

        @Override
        public void onTcpClosed(Connection connection, Endpoint endpoint, TcpEnd how, long timeNanos) {
            events.add(() -> target.onTcpClosed(endpoint, how, timeNanos));
        }

        void replay(Connection c) {
            target = c;
            events.forEach(Runnable::run);
        }
    }
}
