package io.wstap.capture;

import java.nio.file.Path;

/**
 * The file is not a wstap capture this reader can read (wrong magic, unknown version, unreadable). Its message is one
 * line: {@code "<file>: at byte <offset>: <what was expected>"}.
 */
public final class CaptureException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public CaptureException(Path file, long offset, String what) {
        this(file, offset, what, null);
    }

    public CaptureException(Path file, long offset, String what, Throwable cause) {
        super(file + ": at byte " + offset + ": " + what, cause);
        this.file = file;
        this.offset = offset;
    }

    /** The file that was read. */
    public Path file() {
        return file;
    }

    /** Where in it the problem lies. */
    public long offset() {
        return offset;
    }
}
