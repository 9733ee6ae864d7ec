package io.wstap.wire;

/**
 * Receives what a {@link FrameScanner} finds in one direction's byte stream. Called on the scanning thread, inside
 * {@code scan}; the {@link Frame} is a reused view, valid only during the call.
 */
public interface FrameSink {
    /**
     * A frame whose header is complete. Data and Ping/Pong frames are reported as soon as their header is; a Close frame
     * once its kept payload (code and reason, at most 125 bytes) is complete too; a hixie-76 text frame at its 0xFF.
     */
    void onFrame(Frame frame);

    /**
     * A text message (RFC 6455 §5.6) whose payload is not valid UTF-8, reported once per message at the first bad byte or
     * at the message end. Only when the scanner was built with text checking on.
     *
     * @param offset stream offset of the frame that holds the bad byte
     */
    default void onInvalidText(long offset) {
    }
}
