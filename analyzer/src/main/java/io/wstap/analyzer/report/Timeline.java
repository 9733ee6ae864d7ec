package io.wstap.analyzer.report;

import io.wstap.analyzer.source.ConnectionLog;
import io.wstap.engine.CloseEvent;
import io.wstap.engine.Outcome;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;

import java.util.ArrayList;
import java.util.List;

/**
 * The words of a connection's story, shared by the text and HTML reports: what each moment of a timeline was (without
 * who did it: the text report prefixes "client → ", the HTML report draws an arrow from the client's lane), the
 * one-line explanation of an outcome and what each application saw. Captured text is {@link Fmt#clean cleaned}; an
 * HTML writer still escapes it for markup.
 */
final class Timeline {
    private Timeline() {
    }

    /** A moment the reports show one by one (handshake, Close, TCP, joined, tap gave up), null for frames. */
    static String describe(ConnectionLog.Event e) {
        return switch (e.kind()) {
            case JOINED -> "picked up mid-stream (opening handshake not seen)";
            case HANDSHAKE -> handshake(e.head());
            case CLOSE -> close(e);
            case TCP -> tcp(e.how());
            case TAP_GAVE_UP -> "the agent stopped tapping this connection (internal error): the rest is not seen";
            case DATA, PING, PONG -> null;
        };
    }

    /** "Close 1000 (normal closure) \"bye\"", "Close (hixie-76 FF 00)". */
    static String close(ConnectionLog.Event e) {
        return e.hixie() ? "Close (hixie-76 FF 00)"
                : "Close " + Fmt.codeParen(e.code()) + (e.reason().isEmpty() ? "" : " " + Fmt.quote(e.reason()))
                + (e.length() == 1 ? " (1-byte payload)" : e.length() > 125 ? " (" + e.length() + "-byte payload)" : "");
    }

    /** "closed TCP (fin)", "half-closed TCP (fin, still reading)", "reset TCP (rst)", "ended TCP with an I/O error". */
    static String tcp(TcpEnd how) {
        return switch (how) {
            case FIN -> "closed TCP (fin)";
            case HALF_CLOSE -> "half-closed TCP (fin, still reading)";
            case RESET -> "reset TCP (rst)";
            case IO_ERROR -> "ended TCP with an I/O error";
        };
    }

    /** "upgrade request GET /chat (Host ...)", "101 Switching Protocols", "403 Forbidden (upgrade rejected)". */
    static String handshake(HttpHead h) {
        if (h.request()) {
            if (!h.isWebSocketUpgrade()) {
                return Fmt.clean(h.method()) + " " + Fmt.clean(h.target()) + " (not an upgrade)";
            }
            List<String> extra = new ArrayList<>();
            if (h.host() != null) {
                extra.add("Host " + Fmt.clean(h.host()));
            }
            if (h.protocol() != null) {
                extra.add("protocols " + Fmt.clean(h.protocol()));
            }
            if (h.extensions() != null) {
                extra.add("extensions " + Fmt.clean(h.extensions()));
            }
            return "upgrade request " + Fmt.clean(h.method()) + " " + Fmt.clean(h.target())
                    + (extra.isEmpty() ? "" : " (" + String.join(", ", extra) + ")");
        }
        List<String> extra = new ArrayList<>();
        if (h.protocol() != null) {
            extra.add("protocol " + Fmt.clean(h.protocol()));
        }
        if (h.extensions() != null) {
            extra.add("extensions " + Fmt.clean(h.extensions()));
        }
        String status = h.status() + (h.reason() == null ? "" : " " + Fmt.clean(h.reason()));
        String note = h.status() == 101 ? "" : h.status() >= 100 && h.status() < 200 ? " (interim)" : " (upgrade rejected)";
        return status + note + (extra.isEmpty() ? "" : " (" + String.join(", ", extra) + ")");
    }

    /** "3 data frames (1.2 KiB)", "text frame (5 B)", with the Pings and Pongs counted in the run. */
    static String frames(ConnectionLog.Run run, io.wstap.engine.Endpoint e) {
        long n = run.frames(e);
        List<String> parts = new ArrayList<>();
        if (n == 1) {
            parts.add(opcodeName(run.opcode(e)) + " frame (" + bytes(run.bytes(e)) + ")");
        } else if (n > 1) {
            String kind = run.opcode(e) >= 0 ? opcodeName(run.opcode(e)) + " frames" : "data frames";
            parts.add(String.format(java.util.Locale.ROOT, "%,d", n) + " " + kind + " (" + bytes(run.bytes(e)) + ")");
        }
        if (run.pings(e) > 0) {
            parts.add(plural(run.pings(e), "Ping"));
        }
        if (run.pongs(e) > 0) {
            parts.add(plural(run.pongs(e), "Pong"));
        }
        return String.join(" + ", parts);
    }

    /** "Ping (4 B)" / "Pong (0 B)". */
    static String control(ConnectionLog.Event e) {
        return (e.kind() == ConnectionLog.Kind.PING ? "Ping" : "Pong") + " (" + bytes(e.length()) + ")";
    }

    private static String opcodeName(int op) {
        return switch (op) {
            case Opcode.TEXT -> "text";
            case Opcode.BINARY -> "binary";
            case Opcode.CONTINUATION -> "continuation";
            default -> op >= 0 ? Opcode.name(op) : "data";
        };
    }

    /** "5 B", "1.2 KiB", "3.4 MiB". */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** A one-line explanation of the outcome, naming sides. */
    static String explain(ReportedConnection c) {
        String closer = c.tcpClosedBy() == null ? "one side" : "the " + c.tcpClosedBy().label();
        String how = c.tcpEnd() == null ? "" : " (" + c.tcpEnd().label() + ")";
        return switch (c.outcome()) {
            case CLEAN -> "both Close frames exchanged, then the server closed TCP";
            case CLEAN_CLIENT_TCP_FIRST -> "both Close frames exchanged, but the client closed TCP first";
            case HALF_CLOSED -> "only " + (c.initiator() == null ? "one side" : "the " + c.initiator().label())
                    + " had sent a Close when " + closer + " closed TCP" + how;
            case ABRUPT -> closer + " closed TCP" + how + " with no Close frame exchanged";
            case RESET -> closer + (c.tcpEnd() == TcpEnd.IO_ERROR ? " ended the connection with an I/O error"
                    : " reset the connection") + ", no Close frame exchanged";
            case REJECTED -> {
                HttpHead resp = c.primary().reconstruction().response();
                yield "the upgrade was answered " + (resp == null ? "without 101"
                        : resp.status() + (resp.reason() == null ? "" : " " + Fmt.clean(resp.reason())));
            }
            case OPEN -> "still open when the capture ended";
        };
    }

    /** What an application saw, or why nothing is known. */
    static String saw(ReportedConnection c, CloseEvent e, Role role) {
        if (e != null) {
            return Fmt.saw(e);
        }
        if (c.outcome() == Outcome.REJECTED && role == Role.SERVER) {
            return "nothing: it refused the upgrade";
        }
        if (c.outcome() == Outcome.OPEN) {
            return "nothing yet: still open";
        }
        return "unknown";
    }

    static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    /** Where a finding stands, for its heading: side, RFC section, time (and view), how often. */
    static java.util.List<String> findingContext(ReportedConnection c, ReportedFinding f) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (f.side() != null) {
            parts.add(f.side());
        }
        parts.add(Fmt.ref(f.rule().ref()));
        parts.add(Fmt.rel(f.finding().timeNanos(), f.view().base()) + (c.merged() ? " in view " + f.view().id() : ""));
        if (f.finding().occurrences() > 1) {
            parts.add(f.finding().occurrences() + " times");
        }
        return parts;
    }
}
