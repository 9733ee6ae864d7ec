package io.wstap.analyzer.report;

import static io.wstap.analyzer.report.Fmt.count;
import static io.wstap.analyzer.report.Fmt.name;
import static io.wstap.analyzer.report.Fmt.orUnknown;

import io.wstap.analyzer.source.CaptureInput;
import io.wstap.analyzer.source.ConnectionLog;
import io.wstap.capture.CaptureHeader;
import io.wstap.capture.Damage;
import io.wstap.engine.Finding;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.Rule;
import io.wstap.engine.Severity;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The human report: each input (where and when it was captured, what was lost), then per connection a short timeline
 * (handshake, Close frames, TCP closes, with relative and wall-clock times), what each application saw, and its
 * findings with the fix and the stack that caused them; then a summary. Captured text (Close reasons, stacks, header
 * fields) is escaped so that it cannot drive the terminal.
 */
public final class TextReport implements ReportWriter {
    /** Text is wrapped at this many columns. */
    static final int WIDTH = 110;
    private static final String I1 = "  ";
    private static final String LABEL = "%-11s";
    /** Where a timeline's text starts: after "  " + a right-aligned relative time ("+12.345 ms") + "  ". */
    private static final String TIMELINE_TEXT = " ".repeat(16);

    @Override
    public void write(Report report, PrintWriter out) {
        List<CaptureInput> inputs = report.inputs();
        long both = report.connections().stream().filter(ReportedConnection::merged).count();
        out.println("wstap · " + plural(inputs.size(), "capture") + " · " + plural(report.connections().size(), "connection")
                + (both > 0 ? " (" + both + " captured at both ends)" : ""));
        for (CaptureInput in : inputs) {
            out.println();
            input(in, out);
        }
        for (ReportedConnection c : report.connections()) {
            out.println();
            connection(report, c, out);
        }
        out.println();
        summary(report, out);
        out.flush();
    }

    // ---- inputs -----------------------------------------------------------------------------------------------------

    private static void input(CaptureInput in, PrintWriter out) {
        out.println("capture " + (in.index()) + ": " + in.file());
        CaptureHeader h = in.header();
        List<String> who = new ArrayList<>();
        if (h.host() != null) {
            who.add(Fmt.clean(h.host()));
        }
        if (h.pid() >= 0) {
            who.add("pid " + h.pid());
        }
        if (h.jvm() != null) {
            who.add(Fmt.clean(h.jvm()));
        }
        if (!who.isEmpty()) {
            out.println(I1 + String.join(" · ", who));
        }
        if (h.options() != null) {
            out.println(I1 + "agent options " + Fmt.clean(h.options()));
        }
        String started = in.hasWallClock() ? Fmt.date(h.wallClockEpochNanos()) : "(unknown: header damaged)";
        out.println(I1 + "started " + started + " · " + plural(in.files().size(), "file") + ", "
                + plural(in.read().blocks(), "block") + ", " + plural(in.read().events(), "event")
                + (in.read().clean() ? " · intact" : " · DAMAGED"));
        if (in.files().size() > 1) {
            out.println(I1 + "rotated files " + in.files().stream().map(p -> name(p)).collect(Collectors.joining(", ")));
        }
        if (!in.read().clean()) {
            out.println(I1 + plural(in.read().damage().size(), "range") + " lost; the intact part was analysed:");
            for (Damage d : in.read().damage()) {
                DamageView v = DamageView.of(in, d);
                out.println(I1 + "  bytes " + v.offset() + ".." + (v.offset() + v.length()) + " of " + v.file() + " ("
                        + plural(v.length(), "byte") + "): " + v.what());
            }
            if (in.read().truncated()) {
                out.println(I1 + "  the file ends inside a block (a torn tail: the JVM stopped mid-write or the file was cut)");
            }
        }
        long lost = in.replay().lostRecords();
        if (lost > 0) {
            out.println(I1 + plural(lost, "record") + " dropped by the agent under overload: the capture has gaps");
        }
        if (in.replay().tapErrors() > 0) {
            out.println(I1 + plural(in.replay().tapErrors(), "tap error") + ": the agent stopped tapping those connections");
        }
        if (!in.replay().undeclared().isEmpty()) {
            out.println(I1 + "declaration lost (damage) for connection" + (in.replay().undeclared().size() > 1 ? "s " : " ")
                    + in.replay().undeclared().stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + ": picked up at their next frame, roles from masking");
        }
        long other = Report.otherConnections(in);
        if (other > 0) {
            out.println(I1 + plural(other, "other connection") + " never became WebSocket (not shown)");
        }
    }

    // ---- connections ------------------------------------------------------------------------------------------------

    private static void connection(Report report, ReportedConnection c, PrintWriter out) {
        View p = c.primary();
        Reconstruction r = p.reconstruction();
        List<String> head = new ArrayList<>();
        head.add("connection " + c.id());
        head.add("client " + orUnknown(c.client()) + " → server " + orUnknown(c.server()));
        if (p.transport() != null) {
            head.add(p.transport().name().toLowerCase(Locale.ROOT));
        }
        if (r.protocol() != null) {
            head.add(r.protocol().label());
        }
        if (c.merged()) {
            head.add("captured at both ends");
        } else if (p.capturedAt() != null) {
            head.add("captured at the " + p.capturedAt().label());
        }
        if (r.joinedMidStream()) {
            head.add("joined mid-stream");
        }
        out.println(String.join(" · ", head));
        field(out, "outcome", c.outcome() == null ? "?" : c.outcome().label() + ": " + Timeline.explain(c));
        if (c.merged()) {
            field(out, "views", c.merge());
            for (View v : orderedViews(c)) {
                out.println(I1 + v.capturedAt().label() + "'s view " + v.id() + " (" + name(v.input().file())
                        + (v == c.primary() ? ", primary" : "") + ")" + opened(v));
                timeline(v, out);
                List<Finding> sup = c.superseded(v);
                String note = "outcome in this view: " + v.reconstruction().outcome().label() + (sup.isEmpty() ? ""
                        : "; superseded here: " + sup.stream().map(f -> f.rule().id() + " " + f.rule().slug())
                        .collect(Collectors.joining(", ")) + " (the primary view decides who closed TCP)");
                wrap(out, TIMELINE_TEXT, "", note);
            }
        } else {
            field(out, "opened", opened(p).isEmpty() ? "(time unknown: the capture's header is damaged)"
                    : opened(p).substring(" · opened ".length()));
            timeline(p, out);
        }
        field(out, "client saw", Timeline.saw(c, c.clientSaw(), Role.CLIENT));
        field(out, "server saw", Timeline.saw(c, c.serverSaw(), Role.SERVER));
        field(out, "frames", "client " + count(c.clientFrames()) + " · server " + count(c.serverFrames()));
        List<ReportedFinding> fs = report.findingsOf(c);
        int hidden = c.findings().size() - fs.size();
        if (fs.isEmpty()) {
            field(out, "findings", "none" + (hidden > 0 ? " selected (" + hidden + " left out by the filters)" : ""));
            return;
        }
        out.println(I1 + "findings" + (hidden > 0 ? " (" + hidden + " more left out by the filters)" : ""));
        for (ReportedFinding f : fs) {
            finding(c, f, out);
        }
    }

    private static List<View> orderedViews(ReportedConnection c) {
        List<View> l = new ArrayList<>(c.views());
        l.remove(c.primary());
        l.add(0, c.primary());
        return l;
    }

    private static String opened(View v) {
        String d = Fmt.date(v.epochNanos(v.base()));
        return d == null ? "" : " · opened " + d;
    }

    /** One line per moment: relative time, wall-clock time, what happened. */
    private static void timeline(View v, PrintWriter out) {
        Reconstruction r = v.reconstruction();
        long base = v.base();
        List<ConnectionLog.Event> events = v.log().events();
        boolean any = false;
        for (ConnectionLog.Event e : events) {
            String what = describe(v, e);
            if (what == null) {
                continue;
            }
            any = true;
            out.println(moment(v, e.timeNanos(), base) + what);
        }
        if (r.outcome() == Outcome.OPEN) {
            long end = v.input().endTime() != Long.MIN_VALUE ? v.input().endTime() : v.log().lastTime();
            out.println(moment(v, end, base) + "capture ended, connection still open");
        }
        if (!any && r.outcome() != Outcome.OPEN) {
            out.println(TIMELINE_TEXT + "(no handshake, Close frame or TCP close in the capture)");
        }
    }

    /** "     +1.000 ms  04:40:01.124456  ": the relative time right-aligned, then the wall-clock time when known. */
    private static String moment(View v, long t, long base) {
        String rel = Fmt.rel(t, base);
        String wall = Fmt.time(v.epochNanos(t));
        return " ".repeat(Math.max(1, TIMELINE_TEXT.length() - 2 - rel.length())) + rel + "  "
                + (wall == null ? "" : wall + "  ");
    }

    private static String describe(View v, ConnectionLog.Event e) {
        String what = Timeline.describe(e);
        return switch (e.kind()) {
            case HANDSHAKE, CLOSE -> v.who(e.endpoint()) + " → " + what;
            case TCP -> v.who(e.endpoint()) + " " + what;
            default -> what;
        };
    }

    private static void finding(ReportedConnection c, ReportedFinding f, PrintWriter out) {
        Rule rule = f.rule();
        Finding fi = f.finding();
        String indent = I1 + "  " + pad("", 9);
        List<String> head = new ArrayList<>();
        head.add(rule.id() + " " + rule.slug());
        head.addAll(Timeline.findingContext(c, f));
        out.println(I1 + "  " + pad(f.severity().label(), 9) + String.join(" · ", head));
        wrap(out, indent, "", Fmt.clean(fi.message()));
        if (f.seenBy().size() > 1) {
            out.println(indent + "seen by both views");
        }
        wrap(out, indent, "fix: ", rule.hint());
        if (!f.stack().isEmpty()) {
            out.println(indent + "stack of the " + f.side() + "'s " + f.stackKind() + ":");
            for (String frame : f.stack()) {
                out.println(indent + "  " + Fmt.frame(Fmt.clean(frame)));
            }
        } else if (View.stackKind(rule) != null && f.role() != null) {
            View own = f.role() == Role.CLIENT ? c.clientView() : c.serverView();
            out.println(indent + (own == null ? "stack: the " + f.role().label() + "'s JVM was not captured"
                    : "stack: none in the capture"));
        }
    }

    // ---- summary ----------------------------------------------------------------------------------------------------

    private static void summary(Report report, PrintWriter out) {
        out.println("summary");
        List<String> outcomes = new ArrayList<>();
        for (Map.Entry<Outcome, Long> e : report.outcomes().entrySet()) {
            if (e.getValue() > 0) {
                outcomes.add(e.getValue() + " " + e.getKey().label());
            }
        }
        field(out, "connections", report.connections().size() + (outcomes.isEmpty() ? "" : ": " + String.join(", ", outcomes)));
        List<String> sev = new ArrayList<>();
        for (Map.Entry<Severity, Long> e : report.severities().entrySet()) {
            if (e.getValue() > 0) {
                sev.add(e.getKey() == Severity.INFO ? e.getValue() + " info" : plural(e.getValue(), e.getKey().label()));
            }
        }
        field(out, "findings", report.findings().size() + (sev.isEmpty() ? "" : ": " + String.join(", ", sev)));
        int slugWidth = report.rules().keySet().stream().mapToInt(r -> r.slug().length()).max().orElse(0);
        for (Map.Entry<Rule, Long> e : report.rules().entrySet()) {
            Rule r = e.getKey();
            out.println(I1 + pad("", 11) + " " + r.id() + " " + pad(r.slug(), slugWidth) + "  " + pad(r.severity().label(), 8)
                    + " " + e.getValue());
        }
        long damaged = report.damagedInputs();
        long lost = report.inputs().stream().mapToLong(i -> i.replay().lostRecords()).sum();
        long tap = report.inputs().stream().mapToLong(i -> i.replay().tapErrors()).sum();
        List<String> cap = new ArrayList<>();
        cap.add(damaged == 0 ? plural(report.inputs().size(), "capture") + (report.inputs().size() == 1 ? " intact" : ", all intact")
                : damaged + " of " + plural(report.inputs().size(), "capture") + " damaged (the intact parts were analysed)");
        if (lost > 0) {
            cap.add(plural(lost, "record") + " dropped by the agent");
        }
        if (tap > 0) {
            cap.add(plural(tap, "tap error"));
        }
        field(out, "input", String.join(", ", cap));
        if (!report.unmatchedIds().isEmpty()) {
            field(out, "no match", "--connection " + String.join(", ", report.unmatchedIds()));
        }
        String failOn = report.failOn() == null ? "never" : report.failOn().label();
        field(out, "exit " + report.exitCode(), report.failOn() == null ? "--fail-on never"
                : plural(report.failing(), "finding") + " at or above " + failOn + " (--fail-on " + failOn + ")");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static void field(PrintWriter out, String label, String value) {
        String indent = I1 + pad("", 11) + " ";
        String first = I1 + String.format(Locale.ROOT, LABEL, label) + " ";
        wrapped(out, first, indent, value);
    }

    private static void wrap(PrintWriter out, String indent, String prefix, String text) {
        wrapped(out, indent + prefix, indent + " ".repeat(prefix.length()), text);
    }

    /** Words of {@code text} filled to {@link #WIDTH} columns, the first line after {@code first}. */
    private static void wrapped(PrintWriter out, String first, String indent, String text) {
        StringBuilder line = new StringBuilder(first);
        int start = first.length();
        for (String word : text.split(" ")) {
            if (line.length() > start && line.length() + 1 + word.length() > WIDTH) {
                out.println(line);
                line = new StringBuilder(indent);
                start = indent.length();
            }
            if (line.length() > start) {
                line.append(' ');
            }
            line.append(word);
        }
        out.println(line);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String plural(long n, String word) {
        return Timeline.plural(n, word);
    }

}
