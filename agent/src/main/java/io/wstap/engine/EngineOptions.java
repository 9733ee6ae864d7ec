package io.wstap.engine;

import java.util.concurrent.TimeUnit;

/**
 * The engine's thresholds. Defaults are RULES.md's.
 *
 * @param gracePeriodNanos how long the server may keep TCP open after the closing handshake (WS305), and how long an
 *                         unanswered Close may wait at the end of a capture before it counts as unanswered (WS302)
 * @param slowCloseNanos   an answer to a Close later than this is slow (WS306)
 * @param checkText        validate text payloads as UTF-8 (WS111): reads every text payload byte, so it is off in the
 *                         agent by default
 */
public record EngineOptions(long gracePeriodNanos, long slowCloseNanos, boolean checkText) {
    public static final long DEFAULT_GRACE_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    public static final long DEFAULT_SLOW_CLOSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    public static final EngineOptions DEFAULTS =
            new EngineOptions(DEFAULT_GRACE_PERIOD_NANOS, DEFAULT_SLOW_CLOSE_NANOS, false);

    public EngineOptions {
        if (gracePeriodNanos < 0 || slowCloseNanos < 0) {
            throw new IllegalArgumentException("thresholds must not be negative");
        }
    }

    public EngineOptions withCheckText(boolean on) {
        return new EngineOptions(gracePeriodNanos, slowCloseNanos, on);
    }
}
