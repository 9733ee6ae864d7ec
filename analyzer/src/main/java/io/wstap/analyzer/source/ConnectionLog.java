package io.wstap.analyzer.source;

import io.wstap.engine.Endpoint;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.HttpHead;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a report shows of one connection besides its {@link io.wstap.engine.Reconstruction}: the moments of its
 * timeline (handshake heads, every Close frame, each end's TCP close, a tap that gave up) with their capture times, the
 * time of its first and last event, and the stacks of its local Close frames. Bounded: at most
 * {@link #MAX_CLOSES_PER_SIDE} Close frames per side are kept, and every other event happens once per side.
 */
public final class ConnectionLog {
    /** Close frames kept per side; a peer that sends a thousand is still shown by its first few. */
    static final int MAX_CLOSES_PER_SIDE = 4;
    /** Handshake heads kept (the request, interim 1xx answers, the answer). */
    static final int MAX_HEADS = 8;

    /** What happened. */
    public enum Kind {
        /** Picked up without its opening handshake (late attach, or its declaration was lost). */
        JOINED,
        /** An HTTP head of the opening handshake. */
        HANDSHAKE,
        /** A Close frame (RFC 6455 0x8, or hixie-76 FF 00). */
        CLOSE,
        /** An endpoint ended its side of TCP. */
        TCP,
        /** The agent's tap gave up on the connection after an internal error. */
        TAP_GAVE_UP
    }

    /**
     * One moment of the timeline.
     *
     * @param timeNanos capture time (monotonic nanos of the capturing JVM)
     * @param endpoint  who sent it (or closed TCP); null for JOINED and TAP_GAVE_UP
     * @param head      the HTTP head (HANDSHAKE)
     * @param code      the Close code, -1 when none (CLOSE)
     * @param reason    the Close reason, "" when none (CLOSE)
     * @param length    the Close frame's payload length (CLOSE)
     * @param hixie     a hixie-76 Close (CLOSE)
     * @param how       how TCP ended (TCP)
     * @param stackId   the capture's stack id of a local Close frame or close(), -1 when none
     */
    public record Event(long timeNanos, Kind kind, Endpoint endpoint, HttpHead head, int code, String reason,
                        long length, boolean hixie, TcpEnd how, int stackId) {
    }

    private long firstTime = Long.MIN_VALUE;
    private long lastTime = Long.MIN_VALUE;
    private final List<Event> events = new ArrayList<>(8);
    private final int[] closes = new int[2];
    private final boolean[] tcp = new boolean[2];
    private int heads;
    private boolean gaveUp;

    void seen(long t) {
        if (firstTime == Long.MIN_VALUE) {
            firstTime = t;
        }
        lastTime = Math.max(lastTime, t);
    }

    void joined(long t) {
        events.add(new Event(t, Kind.JOINED, null, null, -1, "", 0, false, null, -1));
    }

    void handshake(long t, Endpoint sender, HttpHead head) {
        if (heads++ < MAX_HEADS) {
            events.add(new Event(t, Kind.HANDSHAKE, sender, head, -1, "", 0, false, null, -1));
        }
    }

    void close(long t, Endpoint sender, int code, String reason, long length, boolean hixie, int stackId) {
        if (closes[sender.ordinal()]++ < MAX_CLOSES_PER_SIDE) {
            events.add(new Event(t, Kind.CLOSE, sender, null, code, reason, length, hixie, null, stackId));
        }
    }

    void tcp(long t, Endpoint endpoint, TcpEnd how, int stackId) {
        if (!tcp[endpoint.ordinal()]) { // each endpoint ends once (as the engine counts it)
            tcp[endpoint.ordinal()] = true;
            events.add(new Event(t, Kind.TCP, endpoint, null, -1, "", 0, false, how, stackId));
        }
    }

    void tapGaveUp(long t) {
        if (!gaveUp) {
            gaveUp = true;
            events.add(new Event(t, Kind.TAP_GAVE_UP, null, null, -1, "", 0, false, null, -1));
        }
    }

    /** Time of the connection's first event in the capture (the base of relative times), Long.MIN_VALUE if none. */
    public long firstTime() {
        return firstTime;
    }

    /** Time of its last event. */
    public long lastTime() {
        return lastTime;
    }

    /** The timeline, in capture order. */
    public List<Event> events() {
        return Collections.unmodifiableList(events);
    }

    /** True when the agent stopped tapping it after an internal error (its story may be incomplete). */
    public boolean tapGaveUp() {
        return gaveUp;
    }

    /** The stack id of the local Close frame sent at {@code timeNanos}, or -1. */
    public int localCloseStackAt(long timeNanos) {
        for (Event e : events) {
            if (e.kind == Kind.CLOSE && e.endpoint == Endpoint.LOCAL && e.timeNanos == timeNanos && e.stackId >= 0) {
                return e.stackId;
            }
        }
        return -1;
    }
}
