package io.wstap.analyzer.report;

import io.wstap.engine.CloseCode;
import io.wstap.engine.CloseEvent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formatting shared by the report writers: times, codes, RFC references, safe quoting of captured text. */
final class Fmt {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Fmt() {
    }

    /** Milliseconds with 3 decimals ("5.000"); never "-0.000". */
    static String ms(double ms) {
        return String.format(Locale.ROOT, "%.3f", Math.abs(ms) < 0.0005 ? 0.0 : ms);
    }

    /** Milliseconds between {@code base} and {@code t}. */
    static double ms(long t, long base) {
        return (t - base) / 1e6;
    }

    /** A relative time for timelines: "+5.000 ms", or "+12.345 s" from 10 s on. */
    static String rel(long t, long base) {
        double ms = ms(t, base);
        return Math.abs(ms) < 10_000 ? "+" + ms(ms) + " ms" : String.format(Locale.ROOT, "+%.3f s", ms / 1000);
    }

    static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    /** "2025-11-21 04:40:00.123457 UTC", or null for Long.MIN_VALUE (no anchor). */
    static String date(long epochNanos) {
        return epochNanos == Long.MIN_VALUE ? null : DATE.format(instant(epochNanos));
    }

    /** "04:40:00.123457", or null. */
    static String time(long epochNanos) {
        return epochNanos == Long.MIN_VALUE ? null : TIME.format(instant(epochNanos));
    }

    /** ISO-8601 with nanoseconds ("2025-11-21T04:40:00.123456789Z"), or null. */
    static String iso(long epochNanos) {
        return epochNanos == Long.MIN_VALUE ? null : DateTimeFormatter.ISO_INSTANT.format(instant(epochNanos));
    }

    /** "1000 normal closure", "(no code)". */
    static String code(int code) {
        return code < 0 ? "(no code)" : code + " " + CloseCode.describe(code);
    }

    /** "1000 (normal closure)", "4000 (private use 4000-4999)", "(no code)". */
    static String codeParen(int code) {
        return code < 0 ? "(no code)" : code + " (" + CloseCode.describe(code).replace("(", "").replace(")", "") + ")";
    }

    /** What an application saw: "1000 normal closure \"bye\", clean" / "1006 abnormal closure, not clean". */
    static String saw(CloseEvent e) {
        if (e == null) {
            return "nothing yet (still open, or unknown)";
        }
        return codeParen(e.code()) + (e.reason().isEmpty() ? "" : " " + quote(e.reason())) + " · "
                + (e.wasClean() ? "wasClean" : "not clean");
    }

    /** "RFC 6455 §7.4.1", "RFC 6455 §5.2, RFC 7692", "draft hixie-76". */
    static String ref(String ref) {
        if (ref.startsWith("hixie")) {
            return "draft " + ref;
        }
        return "RFC 6455 §" + ref;
    }

    /**
     * Captured text in double quotes, made safe for a terminal: quotes, backslashes and control characters (a Close
     * reason may hold an escape sequence) are escaped; other characters stay as they are.
     */
    static String quote(String s) {
        return "\"" + clean(s.replace("\\", "\\\\").replace("\"", "\\\"")) + "\"";
    }

    /** Captured text made safe for a terminal: control characters become \n, \t, \\u001b... */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                    : (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029)
                    ? String.format(Locale.ROOT, "\\u%04x", (int) c) : null;
            if (esc != null && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (esc != null) {
                    b.append(esc);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** A count, or "?" when unknown (negative). */
    static String count(long n) {
        return n < 0 ? "?" : Long.toString(n);
    }

    /** An address as shown, or "?" when unknown. */
    static String orUnknown(String address) {
        return address == null ? "?" : clean(address);
    }

    /** A file's name without its folder. */
    static String name(java.nio.file.Path p) {
        java.nio.file.Path n = p.getFileName();
        return n == null ? p.toString() : n.toString();
    }

    /** One stack entry for display: "at FRAME", or the agent's marker of cut library frames ("… 17 frames of ..."). */
    static String frame(String entry) {
        return entry.startsWith("\u2026") ? entry : "at " + entry;
    }
}
