package io.wstap.samples;

import io.wstap.capture.CaptureSink;
import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link CaptureSink} that keeps every frame, handshake head and TCP end of each connection as plain records (the
 * reader's {@link Frame} view is reused, so each is copied), to check a capture frame by frame. After the agent's
 * {@code io.wstap.capture.EventLog} test sink.
 */
final class FrameLog implements CaptureSink {
    /** One frame as captured. {@code closeCode} -1 and {@code closeReason} null unless a Close with a code. */
    record F(Endpoint sender, boolean fin, int rsv, int opcode, boolean masked, int maskKey, long length,
             boolean nonMinimalLength, int closeCode, String closeReason, long timeNanos) {
        /** The fields a test compares, without the time and the random mask key. */
        Shape shape() {
            return new Shape(fin, rsv, opcode, masked, length, nonMinimalLength, closeCode, closeReason);
        }
    }

    /** What a test expects of a frame (every header field but the mask key; a Close's code and reason). */
    record Shape(boolean fin, int rsv, int opcode, boolean masked, long length, boolean nonMinimalLength,
                 int closeCode, String closeReason) {
        static Shape data(int opcode, boolean fin, boolean masked, long length) {
            return new Shape(fin, 0, opcode, masked, length, false, -1, null);
        }

        static Shape close(boolean masked, int code, String reason) {
            return new Shape(true, 0, 8, masked, 2 + reason.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                    false, code, reason);
        }

        @Override
        public String toString() {
            return (fin ? "FIN " : "    ") + opcodeName(opcode) + (rsv != 0 ? " rsv=" + rsv : "") + (masked ? " masked" : "")
                    + " len=" + length + (nonMinimalLength ? " non-minimal" : "")
                    + (opcode == 8 ? " code=" + closeCode + " reason=" + closeReason : "");
        }
    }

    record Tcp(Endpoint endpoint, TcpEnd how, long timeNanos) {
    }

    record Head(Endpoint sender, HttpHead head) {
    }

    /** What the capture says of one connection. */
    static final class Conn {
        final long id;
        String local;
        String remote;
        Transport transport;
        boolean joined;
        final List<Head> heads = new ArrayList<>();
        final List<F> frames = new ArrayList<>();
        final List<Tcp> tcp = new ArrayList<>();
        int invalidText;

        Conn(long id) {
            this.id = id;
        }

        List<F> from(Endpoint sender) {
            return frames.stream().filter(f -> f.sender() == sender).toList();
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("connection " + id + " " + transport + " local " + local + " remote "
                    + remote + (joined ? " joined" : "") + "\n");
            heads.forEach(h -> s.append("  head ").append(h.sender()).append(' ')
                    .append(h.head().request() ? h.head().method() + " " + h.head().target() : h.head().status())
                    .append('\n'));
            frames.forEach(f -> s.append("  ").append(f.sender()).append(' ').append(f.shape()).append('\n'));
            tcp.forEach(t -> s.append("  tcp ").append(t.endpoint()).append(' ').append(t.how()).append('\n'));
            return s.toString();
        }
    }

    final Map<Long, Conn> connections = new LinkedHashMap<>();
    long lost;
    long tapErrors;
    boolean ended;
    final List<Long> undeclared = new ArrayList<>();

    private Conn conn(long id) {
        return connections.computeIfAbsent(id, Conn::new);
    }

    static String opcodeName(int opcode) {
        return switch (opcode) {
            case 0 -> "cont";
            case 1 -> "text";
            case 2 -> "binary";
            case 8 -> "close";
            case 9 -> "ping";
            case 10 -> "pong";
            default -> "op" + opcode;
        };
    }

    @Override
    public void connection(long id, long t, String local, String remote, Transport transport) {
        Conn c = conn(id);
        c.local = local;
        c.remote = remote;
        c.transport = transport;
    }

    @Override
    public void joinedMidStream(long id, long t, Role localRole, Protocol protocol) {
        conn(id).joined = true;
    }

    @Override
    public void handshake(long id, long t, Endpoint sender, HttpHead head) {
        conn(id).heads.add(new Head(sender, head));
    }

    @Override
    public void frame(long id, long t, Endpoint sender, Frame f, int stackId) {
        boolean close = f.opcode() == 8 && f.closePayloadLength() >= 2;
        conn(id).frames.add(new F(sender, f.fin(), f.rsv(), f.opcode(), f.masked(), f.maskKey(), f.payloadLength(),
                f.nonMinimalLength(), close ? f.closeCode() : -1, close ? f.closeReason() : null, t));
    }

    @Override
    public void invalidText(long id, long t, Endpoint sender, long offset) {
        conn(id).invalidText++;
    }

    @Override
    public void tcpClosed(long id, long t, Endpoint endpoint, TcpEnd how, int stackId) {
        conn(id).tcp.add(new Tcp(endpoint, how, t));
    }

    @Override
    public void stack(int stackId, List<String> frames) {
    }

    @Override
    public void lost(long t, long records) {
        lost += records;
    }

    @Override
    public void tapErrors(long t, long connectionId, long count) {
        tapErrors = Math.max(tapErrors, count);
    }

    @Override
    public void endOfCapture(long t) {
        ended = true;
    }

    @Override
    public void undeclaredConnection(long id, long t) {
        undeclared.add(id);
    }
}
