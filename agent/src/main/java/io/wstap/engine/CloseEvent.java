package io.wstap.engine;

/**
 * What one side's application saw when the connection closed, as a browser's {@code CloseEvent} would say it.
 *
 * @param code     the peer's Close code; 1005 if the peer's Close had none; 1006 if none arrived
 * @param reason   the peer's Close reason, "" when none
 * @param wasClean true when the closing handshake completed (both Close frames exchanged before TCP closed)
 */
public record CloseEvent(int code, String reason, boolean wasClean) {
}
