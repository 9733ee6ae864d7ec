package io.wstap.analyzer.source;

import java.nio.file.Path;

/**
 * An input the analyzer cannot read: missing, not a capture, a version or kind it does not read. The message is one
 * line that names the file and, where it applies, the byte offset and what was expected there
 * ({@code "x.wstap: at byte 8: expected format version 1, found version 7 ..."}). The CLI prints it and exits 2.
 */
public final class InputException extends Exception {
    private static final long serialVersionUID = 1L;

    public InputException(String message) {
        super(message, null, false, false);
    }

    /** {@code "<file>: at byte <offset>: <what>"}, the form of {@link io.wstap.capture.CaptureException}. */
    public static InputException at(Path file, long offset, String what) {
        return new InputException(file + ": at byte " + offset + ": " + what);
    }
}
