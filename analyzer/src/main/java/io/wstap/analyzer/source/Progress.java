package io.wstap.analyzer.source;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A one-line progress indicator on stderr while large inputs are read: "wstap: reading app.wstap (2/3) 12.4 M
 * events". Shown only when the console is a terminal and the inputs pass {@link #LARGE_BYTES}; otherwise every call
 * does nothing, so that pipes, CI logs and tests stay quiet.
 */
public class Progress {
    /** Inputs smaller than this read in about a second: no indicator. */
    public static final long LARGE_BYTES = 32L * 1024 * 1024;
    /** At most this often (nanos) the line is redrawn. */
    private static final long REDRAW_NANOS = 200_000_000L;

    /** Says nothing. */
    public static final Progress NONE = new Progress(null);

    private final PrintWriter err;
    private String file = "";
    private long lastDraw;
    private int width;

    private Progress(PrintWriter err) {
        this.err = err;
    }

    /** An indicator on {@code err} when it is worth it (a terminal, {@code totalBytes} large), else {@link #NONE}. */
    public static Progress forInputs(PrintWriter err, long totalBytes) {
        return totalBytes >= LARGE_BYTES && isTerminal() ? new Progress(err) : NONE;
    }

    /** An indicator on {@code err} whatever the console (tests). */
    static Progress to(PrintWriter err) {
        return new Progress(err);
    }

    /** True when the JVM has an interactive console (JDK 22+ also answers for a redirected one: ask it). */
    static boolean isTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal"); // JDK 22+
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true; // JDK 17-21: a console exists only for a terminal
        }
    }

    /** Reading {@code path}, input {@code i} of {@code n}. */
    public void file(Path path, int i, int n) {
        if (err != null) {
            Path name = path.getFileName();
            file = (name == null ? path.toString() : name.toString()) + (n > 1 ? " (" + i + "/" + n + ")" : "");
            draw("");
        }
    }

    /** {@code events} read so far in the current input. */
    public void events(long events) {
        if (err != null && System.nanoTime() - lastDraw > REDRAW_NANOS) {
            draw(String.format(Locale.ROOT, " %.1f M events", events / 1e6));
        }
    }

    /** Clears the line. */
    public void done() {
        if (err != null && width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
            width = 0;
        }
    }

    private void draw(String tail) {
        String line = "wstap: reading " + file + tail;
        err.print("\r" + line + (line.length() < width ? " ".repeat(width - line.length()) : ""));
        err.flush();
        width = Math.max(width, line.length());
        lastDraw = System.nanoTime();
    }
}
