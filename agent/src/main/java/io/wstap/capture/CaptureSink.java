package io.wstap.capture;

import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.util.List;

/**
 * Everything a capture holds, as events: {@link CaptureWriter} implements it, {@link CaptureReader} calls one. The
 * connection events are exactly those of {@link io.wstap.engine.ConnectionObserver}, so replaying them into a fresh
 * {@link io.wstap.engine.Connection} gives the reconstruction the live engine gave.
 *
 * <p>Times are monotonic nanos ({@code System.nanoTime()} of the capturing JVM; see {@link CaptureHeader} for wall
 * time). Connection ids are the driver's, unique per capture. Stack ids are interned per capture; -1 means none.
 * Events come in the order they were recorded; for one connection that is the order they happened.
 */
public interface CaptureSink {
    /** A connection's first event: its addresses ("ip:port") and transport. */
    void connection(long id, long timeNanos, String local, String remote, Transport transport);

    /** The connection was picked up without its opening handshake; {@code localRole} is null when unknown. */
    void joinedMidStream(long id, long timeNanos, Role localRole, Protocol protocol);

    /** A complete HTTP head of the opening handshake (request or response). */
    void handshake(long id, long timeNanos, Endpoint sender, HttpHead head);

    /** A frame. The view is reused: valid during the call only, copy what you keep. {@code stackId} -1 = none. */
    void frame(long id, long timeNanos, Endpoint sender, Frame frame, int stackId);

    /** A text message that is not UTF-8 (only with text checking on), at {@code offset} of the sender's stream. */
    void invalidText(long id, long timeNanos, Endpoint sender, long offset);

    /** {@code endpoint} ended its side of TCP; {@code stackId} is the closing code's stack, -1 = none. */
    void tcpClosed(long id, long timeNanos, Endpoint endpoint, TcpEnd how, int stackId);

    /** Declares an interned stack ("com.example.Chat.onMessage(Chat.java:42)", top first) before its first use. */
    void stack(int stackId, List<String> frames);

    /** The agent's ring dropped this many records (overload): the capture has a gap here. */
    void lost(long timeNanos, long records);

    /** Internal errors inside the tap; the connection (0 when none) is no longer tapped after them. */
    void tapErrors(long timeNanos, long connectionId, long count);

    /**
     * The capture ended (the agent stopped) at {@code timeNanos}: what is still pending is judged against it
     * ({@link io.wstap.engine.Connection#onEndOfCapture}). A file without it was cut short (crash, kill -9).
     */
    default void endOfCapture(long timeNanos) {
    }

    /**
     * Reader only: an event of connection {@code id} arrived whose declaration ({@link #connection}) was never read,
     * because the block holding it was damaged. Called once, before that event; a replay can then treat the
     * connection as joined mid-stream.
     */
    default void undeclaredConnection(long id, long timeNanos) {
    }
}
