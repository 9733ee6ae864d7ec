package io.wstap.analyzer.source.pcap;

import io.wstap.capture.CaptureSink;
import io.wstap.capture.Transport;
import io.wstap.engine.Connection;
import io.wstap.engine.ConnectionObserver;
import io.wstap.engine.EngineOptions;
import io.wstap.engine.Endpoint;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.util.Map;
import java.util.TreeMap;

/**
 * One TCP connection of a packet capture: both directions reassembled in sequence order and fed to an engine
 * {@link Connection} as bytes, the way the agent feeds it from socket calls. LOCAL is the endpoint that sent the SYN
 * (without a SYN in the capture: the one whose packet came first); the engine finds client and server from the
 * upgrade request. The engine's events go to a {@link CaptureSink} under this stream's id, declared only once the
 * connection shows a WebSocket handshake, so streams that never upgrade leave no trace in the report.
 */
final class TcpStream implements ConnectionObserver {
    /** Out-of-order bytes kept per direction before giving up on the hole (then counted as lost). */
    static final int MAX_PENDING = 1 << 20;

    /** One direction: the next expected sequence number (64-bit, unwrapped) and the segments that came early. */
    static final class Direction {
        final Endpoint sender;
        boolean synced;
        boolean ended;
        long next;
        long finAt = -1;
        final TreeMap<Long, byte[]> pending = new TreeMap<>();
        int pendingBytes;

        Direction(Endpoint sender) {
            this.sender = sender;
        }

        /** The 64-bit position of a 32-bit sequence number, taken as the nearest to {@link #next}. */
        long unwrap(long seq32) {
            return next + (int) (seq32 - next);
        }
    }

    final long id;
    /** The LOCAL endpoint as numbers, so that each packet's direction is found without making a String. */
    private final long localHi;
    private final long localLo;
    private final int localPort;
    final String local;
    final String remote;
    final long firstTime;
    final Direction out = new Direction(Endpoint.LOCAL);
    final Direction in = new Direction(Endpoint.REMOTE);
    private final Connection engine;
    private final CaptureSink sink;
    private boolean declared;
    boolean ignored;
    /** Bytes given up on (a hole that never filled within {@link #MAX_PENDING}). */
    long lostBytes;

    /** A stream whose LOCAL endpoint is the source of {@code first}, the segment that opened it. */
    TcpStream(long id, Segment first, long firstTime, CaptureSink sink, EngineOptions options) {
        this.id = id;
        this.localHi = first.srcHi;
        this.localLo = first.srcLo;
        this.localPort = first.srcPort;
        this.local = first.address(true);
        this.remote = first.address(false);
        this.firstTime = firstTime;
        this.sink = sink;
        this.engine = new Connection(id, options, this);
    }

    /** A segment of this stream, decoded in {@code s} over {@code data}: its direction from its source. */
    void segment(Segment s, byte[] data, long t) {
        boolean fromLocal = s.srcHi == localHi && s.srcLo == localLo && s.srcPort == localPort;
        segment(fromLocal ? out : in, s, data, t);
    }

    private void segment(Direction d, Segment s, byte[] data, long t) {
        if (ignored || d.ended) {
            return;
        }
        if ((s.flags & Segment.SYN) != 0) {
            d.next = s.seq + 1; // the SYN takes one sequence number
            d.synced = true;
            return;
        }
        if (!d.synced) {
            d.next = s.seq; // picked up mid-connection: start where the capture starts
            d.synced = true;
        }
        if ((s.flags & Segment.RST) != 0) {
            end(d, TcpEnd.RESET, t);
            return;
        }
        long start = d.unwrap(s.seq);
        long stop = start + s.payloadLength;
        if ((s.flags & Segment.FIN) != 0) {
            d.finAt = stop;
        }
        if (s.payloadLength > 0 && stop > d.next) {
            if (start <= d.next) {
                int skip = (int) (d.next - start); // a retransmission overlapping what was delivered: trim it
                deliver(d, data, s.payloadFrom + skip, s.payloadLength - skip, t);
                d.next = stop;
                drain(d, t);
            } else if (d.pendingBytes + s.payloadLength <= MAX_PENDING) {
                byte[] early = java.util.Arrays.copyOfRange(data, s.payloadFrom, s.payloadFrom + s.payloadLength);
                byte[] had = d.pending.put(start, early);
                d.pendingBytes += early.length - (had == null ? 0 : had.length);
            } else {
                lostBytes += s.payloadLength;
            }
        }
        if (d.finAt >= 0 && d.next >= d.finAt && !ignored) {
            // On the wire a FIN never says whether its sender still reads (a half-close, as Jetty does after each
            // Close it sends): the engine must wait for an answering Close rather than judge at the FIN.
            end(d, TcpEnd.HALF_CLOSE, t);
        }
    }

    /** Delivers the early segments that the hole's filling made contiguous. */
    private void drain(Direction d, long t) {
        while (!d.pending.isEmpty() && !ignored) {
            Map.Entry<Long, byte[]> first = d.pending.firstEntry();
            long start = first.getKey();
            if (start > d.next) {
                return;
            }
            d.pending.pollFirstEntry();
            byte[] b = first.getValue();
            d.pendingBytes -= b.length;
            long stop = start + b.length;
            if (stop > d.next) {
                int skip = (int) (d.next - start);
                deliver(d, b, skip, b.length - skip, t);
                d.next = stop;
            }
        }
    }

    private void deliver(Direction d, byte[] b, int from, int length, long t) {
        engine.onBytes(d.sender, t, b, from, length);
        if (engine.isIgnored()) {
            ignored = true; // not WebSocket: forget its bytes from now on
            out.pending.clear();
            in.pending.clear();
        }
    }

    private void end(Direction d, TcpEnd how, long t) {
        d.ended = true;
        d.pending.clear();
        if (declared) {
            engine.onTcpClosed(d.sender, how, t);
        }
    }

    /** True when nothing more can come: both directions ended, or one reset. */
    boolean finished() {
        return out.ended && in.ended;
    }

    private void declare(long t) {
        if (!declared) {
            declared = true;
            sink.connection(id, Math.min(firstTime, t), local, remote, Transport.PLAIN);
        }
    }

    @Override
    public void onHandshake(Connection c, Endpoint sender, long timeNanos, HttpHead head) {
        declare(timeNanos);
        sink.handshake(id, timeNanos, sender, head);
    }

    @Override
    public void onFrame(Connection c, Endpoint sender, long timeNanos, Frame frame) {
        declare(timeNanos);
        sink.frame(id, timeNanos, sender, frame, -1);
    }

    @Override
    public void onInvalidText(Connection c, Endpoint sender, long timeNanos, long offset) {
        declare(timeNanos);
        sink.invalidText(id, timeNanos, sender, offset);
    }

    @Override
    public void onTcpClosed(Connection c, Endpoint endpoint, TcpEnd how, long timeNanos) {
        if (declared) {
            sink.tcpClosed(id, timeNanos, endpoint, how, -1);
        }
    }
}
