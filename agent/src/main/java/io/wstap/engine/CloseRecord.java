package io.wstap.engine;

/**
 * One Close frame of a connection's closing handshake (the first each side sent).
 *
 * @param from       the endpoint that sent it
 * @param role       its role, null when roles are unknown (joined mid-stream, hixie-76)
 * @param code       the status code, -1 when the frame had none (and always for hixie-76)
 * @param reason     the reason ("" when none), decoded as UTF-8
 * @param timeNanos  monotonic time it was seen
 * @param frameIndex index of the frame among the sender's frames (0-based)
 */
public record CloseRecord(Endpoint from, Role role, int code, String reason, long timeNanos, long frameIndex) {
}
