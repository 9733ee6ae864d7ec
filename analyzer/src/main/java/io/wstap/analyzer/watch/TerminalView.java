package io.wstap.analyzer.watch;

import io.wstap.engine.CloseCode;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Snapshot} as terminal text. On a terminal each refresh clears the screen and redraws (ANSI); elsewhere
 * (a pipe, a file, a test) each refresh is a plain block of lines after a blank line, like {@code top -b}.
 */
public final class TerminalView {
    private static final String CLEAR = "\033[H\033[2J";
    private static final String BOLD = "\033[1m";
    private static final String RED = "\033[31m";
    private static final String YELLOW = "\033[33m";
    private static final String RESET = "\033[0m";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final boolean ansi;

    public TerminalView(boolean ansi) {
        this.ansi = ansi;
    }

    public String render(Snapshot s) {
        StringBuilder b = new StringBuilder(1024);
        if (ansi) {
            b.append(CLEAR);
        }
        b.append(bold("wstap watch " + s.target())).append("   ").append(TIME.format(s.at())).append(" UTC\n");
        if (!s.stats()) {
            b.append("connections  waiting for the agent's io.wstap.Stats event (once a second)\n");
        } else {
            b.append(String.format(Locale.ROOT, "connections  open %d   opened %d (since the agent started)%n",
                    s.open(), s.opened()));
            b.append(String.format(Locale.ROOT, "frames/s     in %s   out %s   payload/s in %s   out %s%n",
                    rate(s.framesInPerSecond()), rate(s.framesOutPerSecond()), bytes(s.bytesInPerSecond()),
                    bytes(s.bytesOutPerSecond())));
            b.append(String.format(Locale.ROOT, "frames       in %d   out %d   dropped records %d%n",
                    s.framesIn(), s.framesOut(), s.dropped()));
        }
        b.append("closes by code (Close frames since watching)       sent  received\n");
        if (s.closesByCode().isEmpty()) {
            b.append("  none yet\n");
        }
        for (Map.Entry<Integer, long[]> e : s.closesByCode().entrySet()) {
            int code = e.getKey();
            String name = code < 0 ? "(no code)" : code + " " + CloseCode.describe(code);
            b.append(String.format(Locale.ROOT, "  %-46s %6d %9d%n", cut(name, 46), e.getValue()[0], e.getValue()[1]));
        }
        b.append("outcomes (TCP closed since watching)\n");
        if (s.outcomes().isEmpty()) {
            b.append("  none yet\n");
        } else {
            StringBuilder line = new StringBuilder("  ");
            s.outcomes().forEach((o, n) -> line.append(o).append(' ').append(n).append("   "));
            b.append(line.toString().stripTrailing()).append('\n');
        }
        b.append("latest findings\n");
        if (s.findings().isEmpty()) {
            b.append("  none yet\n");
        }
        for (Snapshot.FindingLine f : s.findings()) {
            String head = TIME.format(f.at()) + " #" + f.connectionId() + " " + f.rule() + " " + f.slug() + " ("
                    + f.severity() + (f.side().isEmpty() ? "" : ", " + f.side()) + "): " + f.message();
            b.append("  ").append(color(f.severity(), head)).append('\n');
            for (String frame : f.stack()) {
                b.append("      at ").append(frame).append('\n');
            }
        }
        if (s.ended() != null) {
            b.append(s.ended()).append('\n');
        }
        return ansi ? b.toString() : "\n" + b;
    }

    private String bold(String s) {
        return ansi ? BOLD + s + RESET : s;
    }

    private String color(String severity, String s) {
        if (!ansi) {
            return s;
        }
        return severity.equals("error") ? RED + s + RESET : severity.equals("warning") ? YELLOW + s + RESET : s;
    }

    private static String rate(double r) {
        return r < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r);
    }

    private static String bytes(double r) {
        if (r < 0) {
            return "-";
        }
        return r < 1024 ? String.format(Locale.ROOT, "%.0f B", r)
                : r < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", r / 1024)
                : String.format(Locale.ROOT, "%.1f MiB", r / 1024 / 1024);
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
