package io.wstap.engine;

import java.util.Objects;

/**
 * One rule broken on one connection, with its evidence. A rule is reported once per connection and sender; later
 * occurrences only raise {@link #occurrences()}, so a client that never masks costs one finding, not one per frame.
 */
public final class Finding {
    private final Rule rule;
    private final long connectionId;
    private final Endpoint endpoint;
    private final Role role;
    private final long timeNanos;
    private final long frameIndex;
    private final int code;
    private final long offset;
    private final Severity severity;
    private final String message;
    private long occurrences = 1;

    Finding(Rule rule, Severity severity, long connectionId, Endpoint endpoint, Role role, long timeNanos,
            long frameIndex, int code, long offset, String message) {
        this.rule = rule;
        this.severity = severity;
        this.connectionId = connectionId;
        this.endpoint = endpoint;
        this.role = role;
        this.timeNanos = timeNanos;
        this.frameIndex = frameIndex;
        this.code = code;
        this.offset = offset;
        this.message = message;
    }

    /**
     * A finding as another record of the live engine gives it back (a JFR recording's Finding event): for readers
     * only, the engine makes its own.
     */
    public static Finding of(Rule rule, Severity severity, long connectionId, Endpoint endpoint, Role role,
                             long timeNanos, long frameIndex, int code, long offset, String message) {
        return new Finding(rule, severity, connectionId, endpoint, role, timeNanos, frameIndex, code, offset, message);
    }

    public Rule rule() { return rule; }

    /** The rule's severity, except where the evidence makes it worse (a 64-bit length with its top bit set). */
    public Severity severity() { return severity; }

    public long connectionId() { return connectionId; }

    /** The endpoint at fault (the sender of the frame, the side that dropped TCP); null when it is the connection's. */
    public Endpoint endpoint() { return endpoint; }

    /** The role of {@link #endpoint()}, null when unknown. */
    public Role role() { return role; }

    /** Monotonic time of the first occurrence. */
    public long timeNanos() { return timeNanos; }

    /** Index of the offending frame among its sender's frames, -1 when no frame is involved. */
    public long frameIndex() { return frameIndex; }

    /** The Close code involved, -1 when none. */
    public int code() { return code; }

    /** Offset of the offending bytes in the sender's byte stream, -1 when none. */
    public long offset() { return offset; }

    /** One line that says what happened, naming sides, codes and times. */
    public String message() { return message; }

    /** How many times the rule was broken by this sender on this connection. */
    public long occurrences() { return occurrences; }

    void recur() {
        occurrences++;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Finding f && rule == f.rule && severity == f.severity && connectionId == f.connectionId
                && endpoint == f.endpoint && role == f.role && timeNanos == f.timeNanos && frameIndex == f.frameIndex
                && code == f.code && offset == f.offset && occurrences == f.occurrences && message.equals(f.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rule, connectionId, endpoint, frameIndex, offset);
    }

    @Override
    public String toString() {
        return rule.id() + " " + rule.slug() + " [" + severity.label() + "] " + message
                + (occurrences > 1 ? " (x" + occurrences + ")" : "");
    }
}
