package io.wstap.analyzer.cli;

/**
 * What {@code wstap} exits with, for scripts and CI gates. Stable: documented in {@code wstap analyze --help}.
 */
public final class ExitCodes {
    /** The analysis ran and no selected finding is at or above {@code --fail-on}. */
    public static final int OK = 0;
    /** The analysis ran and at least one selected finding is at or above {@code --fail-on}. */
    public static final int FINDINGS = 1;
    /** The command line is wrong (unknown option, bad value, no file): a message and a hint on stderr. */
    public static final int USAGE = 2;
    /** An input cannot be read (missing, not a capture, unknown version, a kind not supported yet): one line per file. */
    public static final int BAD_INPUT = 2;
    /** A bug in wstap: "unexpected internal error" and a stack trace on stderr. */
    public static final int INTERNAL = 3;

    private ExitCodes() {
    }
}
