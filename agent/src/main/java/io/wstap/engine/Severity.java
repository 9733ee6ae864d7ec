package io.wstap.engine;

/** How bad a finding is; ordered from least to most severe so that {@code compareTo} gives thresholds. */
public enum Severity {
    /** Worth knowing. */
    INFO,
    /** A SHOULD is broken, or it is almost surely a bug. */
    WARNING,
    /** A MUST is broken. */
    ERROR;

    /** The lower-case name used in reports and options ("error"). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
