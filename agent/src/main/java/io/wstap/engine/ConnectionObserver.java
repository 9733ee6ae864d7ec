package io.wstap.engine;

import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

/**
 * Told of every event a {@link Connection} processes, in order, whichever path fed it: the live agent records them
 * (a capture file is exactly these events), tests replay them, and findings are published from here.
 *
 * <p>Called on the thread that drives the connection, inside the engine: implementations must be quick, must not
 * throw, and must not keep the {@link Frame} (a reused view).
 */
public interface ConnectionObserver {
    ConnectionObserver NONE = new ConnectionObserver() { };

    /** The connection was picked up at a frame boundary without its opening handshake (late attach). */
    default void onJoinedMidStream(Connection connection, Role localRole, Protocol protocol) {
    }

    /** An HTTP head of the opening handshake (request or response), once complete. */
    default void onHandshake(Connection connection, Endpoint sender, long timeNanos, HttpHead head) {
    }

    /** A frame, before the engine judges it. */
    default void onFrame(Connection connection, Endpoint sender, long timeNanos, Frame frame) {
    }

    /** A text message that is not UTF-8 (only with text checking on). */
    default void onInvalidText(Connection connection, Endpoint sender, long timeNanos, long offset) {
    }

    /** An endpoint ended its side of TCP. */
    default void onTcpClosed(Connection connection, Endpoint endpoint, TcpEnd how, long timeNanos) {
    }

    /** A finding, when first raised; later occurrences only count on it. */
    default void onFinding(Connection connection, Finding finding) {
    }
}
