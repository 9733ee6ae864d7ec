package io.wstap.analyzer.remote;

/** A target JVM that cannot be reached or used: the message is one line naming the target and what was expected. */
public final class TargetException extends Exception {
    public TargetException(String message) {
        super(message);
    }
}
