package io.wstap.analyzer.source;

import io.wstap.engine.Endpoint;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a report shows of one connection besides its {@link io.wstap.engine.Reconstruction}: the moments of its
 * timeline (handshake heads, every Close frame, each end's TCP close, a tap that gave up) with their capture times, the
 * time of its first and last event, and the stacks of its local Close frames; and, for diagrams, the other frames:
 * Ping and Pong frames one by one, data frames as runs ({@link Run}: the data frames between two other events, counted
 * per side). Bounded: at most {@link #MAX_CLOSES_PER_SIDE} Close frames and {@link #MAX_CONTROL_PER_SIDE} Ping/Pong
 * frames per side are kept one by one (further Pings and Pongs are counted in the run they fall into), every other
 * event happens once per side, and there is at most one run between two of these events.
 */
public final class ConnectionLog {
    /** Close frames kept per side; a peer that sends a thousand is still shown by its first few. */
    static final int MAX_CLOSES_PER_SIDE = 4;
    /** Handshake heads kept (the request, interim 1xx answers, the answer). */
    static final int MAX_HEADS = 8;
    /** Ping and Pong frames kept one by one per side; later ones are counted in the run of data frames around them. */
    static final int MAX_CONTROL_PER_SIDE = 8;

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
        TAP_GAVE_UP,
        /** A run of data frames (text, binary, continuation) with nothing else between them: see {@link Run}. */
        DATA,
        /** A Ping frame ({@link Event#length()} is its payload length). */
        PING,
        /** A Pong frame. */
        PONG
    }

    /**
     * Consecutive data frames (both directions) with no other event of the timeline between them, counted per side
     * (indexed by {@link Endpoint#ordinal()}), so that a connection of a million frames is one run.
     */
    public static final class Run {
        private final long[] frames = new long[2];
        private final long[] bytes = new long[2];
        private final long[] pings = new long[2];
        private final long[] pongs = new long[2];
        private final int[] opcode = {-1, -1};
        private final long[] first = {Long.MIN_VALUE, Long.MIN_VALUE};
        private final long[] last = {Long.MIN_VALUE, Long.MIN_VALUE};

        void add(long t, Endpoint sender, int op, long length) {
            int i = sender.ordinal();
            if (op == Opcode.PING) {
                pings[i]++;
            } else if (op == Opcode.PONG) {
                pongs[i]++;
            } else {
                frames[i]++;
                bytes[i] += Math.max(0, length);
                opcode[i] = opcode[i] == -1 ? op : opcode[i] == op ? op : -2;
            }
            if (first[i] == Long.MIN_VALUE) {
                first[i] = t;
            }
            last[i] = t;
        }

        /** Data frames {@code e} sent in this run. */
        public long frames(Endpoint e) {
            return frames[e.ordinal()];
        }

        /** Their payload bytes. */
        public long bytes(Endpoint e) {
            return bytes[e.ordinal()];
        }

        /** Pings of {@code e} counted here (beyond those kept one by one). */
        public long pings(Endpoint e) {
            return pings[e.ordinal()];
        }

        /** Pongs of {@code e} counted here. */
        public long pongs(Endpoint e) {
            return pongs[e.ordinal()];
        }

        /** The opcode of all of {@code e}'s data frames here, -2 when they differ, -1 when none. */
        public int opcode(Endpoint e) {
            return opcode[e.ordinal()];
        }

        /** Time of {@code e}'s first frame in the run, Long.MIN_VALUE when none. */
        public long firstTime(Endpoint e) {
            return first[e.ordinal()];
        }

        /** Time of {@code e}'s last frame in the run. */
        public long lastTime(Endpoint e) {
            return last[e.ordinal()];
        }
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
     * @param run       the frames of a DATA run (filled in as the capture is read), else null
     */
    public record Event(long timeNanos, Kind kind, Endpoint endpoint, HttpHead head, int code, String reason,
                        long length, boolean hixie, TcpEnd how, int stackId, Run run) {
        Event(long timeNanos, Kind kind, Endpoint endpoint, HttpHead head, int code, String reason, long length,
              boolean hixie, TcpEnd how, int stackId) {
            this(timeNanos, kind, endpoint, head, code, reason, length, hixie, how, stackId, null);
        }
    }

    private long firstTime = Long.MIN_VALUE;
    private long lastTime = Long.MIN_VALUE;
    private final List<Event> events = new ArrayList<>(8);
    private final int[] closes = new int[2];
    private final boolean[] tcp = new boolean[2];
    private final int[] controls = new int[2];
    /** The run data frames are added to, null after any other event. */
    private Run run;
    private int heads;
    private boolean gaveUp;

    void seen(long t) {
        if (firstTime == Long.MIN_VALUE) {
            firstTime = t;
        }
        lastTime = Math.max(lastTime, t);
    }

    void joined(long t) {
        add(new Event(t, Kind.JOINED, null, null, -1, "", 0, false, null, -1));
    }

    void handshake(long t, Endpoint sender, HttpHead head) {
        if (heads++ < MAX_HEADS) {
            add(new Event(t, Kind.HANDSHAKE, sender, head, -1, "", 0, false, null, -1));
        }
    }

    /** A frame other than a Close (those go to {@link #close}): a Ping or Pong, or a data frame of the current run. */
    void frame(long t, Endpoint sender, int opcode, long length) {
        boolean control = opcode == Opcode.PING || opcode == Opcode.PONG;
        if (control && controls[sender.ordinal()] < MAX_CONTROL_PER_SIDE) {
            controls[sender.ordinal()]++;
            add(new Event(t, opcode == Opcode.PING ? Kind.PING : Kind.PONG, sender, null, -1, "", length, false,
                    null, -1));
            return;
        }
        if (run == null) {
            run = new Run();
            events.add(new Event(t, Kind.DATA, null, null, -1, "", 0, false, null, -1, run));
        }
        run.add(t, sender, opcode, length);
    }

    private void add(Event e) {
        events.add(e);
        run = null;
    }

    void close(long t, Endpoint sender, int code, String reason, long length, boolean hixie, int stackId) {
        if (closes[sender.ordinal()]++ < MAX_CLOSES_PER_SIDE) {
            add(new Event(t, Kind.CLOSE, sender, null, code, reason, length, hixie, null, stackId));
        }
    }

    void tcp(long t, Endpoint endpoint, TcpEnd how, int stackId) {
        if (!tcp[endpoint.ordinal()]) { // each endpoint ends once (as the engine counts it)
            tcp[endpoint.ordinal()] = true;
            add(new Event(t, Kind.TCP, endpoint, null, -1, "", 0, false, how, stackId));
        }
    }

    void tapGaveUp(long t) {
        if (!gaveUp) {
            gaveUp = true;
            add(new Event(t, Kind.TAP_GAVE_UP, null, null, -1, "", 0, false, null, -1));
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
