package io.wstap.engine;

import io.wstap.wire.Frame;
import io.wstap.wire.FrameScanner;
import io.wstap.wire.FrameSink;
import io.wstap.wire.HttpHead;
import io.wstap.wire.HttpHeadParser;
import io.wstap.wire.Opcode;

import java.nio.ByteBuffer;

/**
 * The byte path for one endpoint of a {@link Connection}: its HTTP head, then (hixie-76) the handshake body bytes,
 * then frames. Everything it finds goes to the connection's event methods, which is why the byte path and the
 * event path give the same result.
 *
 * <p>One object per endpoint: the connection's per-endpoint state extends this decoder, which extends its frame
 * scanner (and is its sink), which is its frame view. The live agent touches all four on every frame, and on a server
 * busy with small messages each separate object is a cache miss per call; here inheritance is a layout choice, not a
 * claim that a decoder is a kind of scanner. The HTTP head parser is made at the endpoint's first bytes only, so the
 * event path (capture replay) pays for the fields, nothing more.
 *
 * <p>Public as a handle only ({@link Connection#decoderOf}): a caller that keeps a connection's two decoders next to
 * the connection hands one back with each call's bytes, and the connection and the decoder are then fetched from
 * memory side by side instead of one after the other. Its scanner and frame methods are not for callers.
 */
public class StreamDecoder extends FrameScanner implements FrameSink {
    private enum State {
        /** No bytes yet ({@link #start}). */
        UNUSED,
        /** Parsing this endpoint's HTTP head. */
        HEAD,
        /** Passing hixie-76 handshake body bytes (8 after the request, 16 after the response). */
        BODY,
        /** Scanning frames. */
        FRAMES,
        /** Nothing more to look at in this direction. */
        IGNORE
    }

    private final Connection connection;
    final Endpoint endpoint;
    private HttpHeadParser head;
    private State state = State.UNUSED;
    private int bodyLeft;
    /** Where the current call's times come from, null when the driver gave one time for the whole call. */
    private EventClock clock;
    /** Time of the bytes being scanned, for the event callbacks; with a clock, as good as {@link #nowIs}. */
    private long now;
    /** With a clock: {@link #NO_TIME} yet this call, a {@link #RECENT} reading (data frames), or an {@link #EXACT} one. */
    private int nowIs;
    private static final int NO_TIME = 0, RECENT = 1, EXACT = 2;
    // Bytes fed so far are the scanner's streamOffset(): handshake bytes are counted with skip(), so one counter serves
    // both (the decoder kept two more longs for it before).

    StreamDecoder(Connection connection, Endpoint endpoint) {
        super(connection.options().checkText());
        this.connection = connection;
        this.endpoint = endpoint;
    }

    /** True until this endpoint's first bytes. */
    final boolean unused() {
        return state == State.UNUSED;
    }

    /** This endpoint's first bytes are coming: an HTTP head, or frames when the connection is already open. */
    final void start(boolean open) {
        if (open) {
            startFrames();
        } else {
            head = new HttpHeadParser();
            state = State.HEAD;
        }
    }

    /** The next call's bytes all happened at {@code timeNanos}. */
    StreamDecoder at(long timeNanos) {
        clock = null;
        now = timeNanos;
        return this;
    }

    /** The next call's events are timed by {@code clock}, read when the first event needs a time. */
    StreamDecoder timedBy(EventClock clock) {
        this.clock = clock;
        nowIs = NO_TIME;
        return this;
    }

    /** The current call's time; an exact reading for what the engine judges by time (anything but data frames). */
    private long time(boolean exact) {
        int need = exact ? EXACT : RECENT;
        if (clock != null && nowIs < need) {
            now = exact ? clock.exactTime() : clock.dataFrameTime();
            nowIs = need;
        }
        return now;
    }

    void feed(ByteBuffer buf, int from, int to) {
        int i = from;
        while (i < to) {
            State s = state; // compared by reference: see FrameScanner#scan
            if (s == State.FRAMES) {
                scan(buf, i, to);
                i = to;
            } else if (s == State.HEAD) {
                i = afterHead(i, head.feed(buf, i, to), to);
            } else if (s == State.BODY) {
                i = skipBody(i, to);
            } else {
                i = ignore(i, to); // IGNORE, or UNUSED: never, the connection starts each decoder first
            }
        }
    }

    void feed(byte[] buf, int off, int len) {
        int i = off;
        int to = off + len;
        while (i < to) {
            State s = state;
            if (s == State.FRAMES) {
                scan(buf, i, to - i);
                i = to;
            } else if (s == State.HEAD) {
                i = afterHead(i, head.feed(buf, i, to - i), to);
            } else if (s == State.BODY) {
                i = skipBody(i, to);
            } else {
                i = ignore(i, to);
            }
        }
    }

    /** After the head parser consumed {@code [from, end)}: decide what the following bytes are. */
    private int afterHead(int from, int end, int to) {
        skip(end - from);
        switch (head.status()) {
            case NEED_MORE -> {
                return ignore(end, to); // none: the parser consumed them all
            }
            case NOT_HTTP, TOO_LARGE -> {
                connection.onNotHandshake(endpoint);
                state = State.IGNORE;
                head = null;
                return ignore(end, to);
            }
            default -> { }
        }
        HttpHead h = head.head();
        connection.onHandshake(endpoint, time(true), h);
        boolean hixie = connection.protocol() == Protocol.HIXIE76;
        Connection.Phase phase = connection.phase();
        if (h.request() && phase == Connection.Phase.AWAITING_RESPONSE && connection.clientEndpoint() == endpoint) {
            startFrames(hixie ? 8 : 0); // hixie-76: the request ends with 8 key bytes
        } else if (!h.request() && phase == Connection.Phase.OPEN) {
            startFrames(hixie ? 16 : 0); // hixie-76: the response ends with the 16-byte challenge answer
        } else if (!h.request() && phase == Connection.Phase.AWAITING_RESPONSE && h.status() < 200) {
            head.reset(); // an interim answer (100 Continue): the real one follows
            return end;
        } else {
            state = State.IGNORE;
        }
        head = null;
        return end;
    }

    /** Passes {@code [i, to)} unread, counting it in the stream offset. */
    private int ignore(int i, int to) {
        skip(to - i);
        return to;
    }

    /** Frames start at the next byte (joined mid-stream). */
    void startFrames() {
        startFrames(0);
    }

    /** From the next byte this endpoint sends {@code bodyBytes} handshake body bytes, then frames. */
    private void startFrames(int bodyBytes) {
        reset(connection.protocol() == Protocol.HIXIE76 ? Mode.HIXIE76 : Mode.RFC6455);
        head = null;
        bodyLeft = bodyBytes;
        state = bodyBytes > 0 ? State.BODY : State.FRAMES;
    }

    private int skipBody(int i, int to) {
        int n = Math.min(bodyLeft, to - i);
        bodyLeft -= n;
        skip(n);
        if (bodyLeft == 0) {
            state = State.FRAMES;
        }
        return i + n;
    }

    @Override
    public void onFrame(Frame frame) {
        connection.onFrame(endpoint, time(!Opcode.isData(frame.opcode())), frame);
    }

    @Override
    public void onInvalidText(long offset) {
        connection.onInvalidText(endpoint, time(true), offset);
    }
}
