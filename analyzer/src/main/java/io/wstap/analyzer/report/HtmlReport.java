package io.wstap.analyzer.report;

import static io.wstap.analyzer.report.Fmt.count;
import static io.wstap.analyzer.report.Fmt.name;
import static io.wstap.analyzer.report.Fmt.orUnknown;

import io.wstap.analyzer.source.CaptureInput;
import io.wstap.analyzer.source.ConnectionLog;
import io.wstap.capture.CaptureHeader;
import io.wstap.capture.Damage;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Finding;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.Rule;
import io.wstap.engine.Severity;
import io.wstap.engine.TcpEnd;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no external asset) with a summary, the
 * inputs, and per connection a sequence diagram per view (a client lane and a server lane, time going down, every
 * moment of its {@link ConnectionLog} as an arrow: the opening handshake, runs of data frames as one arrow each way,
 * Pings and Pongs, Close frames, TCP closes) with its findings marked on the arrow they belong to, then its outcome,
 * what each application saw, and its findings with the fix and stack.
 *
 * <p>The output is well-formed XML (polyglot XHTML5): every captured string is escaped, and characters XML cannot
 * hold are replaced, so that a Close reason such as {@code <script>} stays text.
 */
public final class HtmlReport implements ReportWriter {
    /** Width of a diagram. */
    static final int W = 980;
    private static final int LEFT = 270;
    private static final int RIGHT = 690;
    private static final int BADGES = 712;
    private static final int HEADER = 78;
    private static final int ROW = 38;
    private static final int BADGE_H = 19;
    /** Characters of an arrow's label; the whole label is in its tooltip. */
    private static final int LABEL_CHARS = 62;

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2330;\
            background:#f5f6f8;margin:0;padding:24px 32px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 6px}h3{font-size:14px;margin:14px 0 4px;\
            color:#3a4256}
            .sub{color:#5b6478;margin:0 0 16px}
            section{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:16px 20px;margin:0 0 18px;\
            max-width:1040px}
            table{border-collapse:collapse}td,th{text-align:left;padding:2px 14px 2px 0;vertical-align:top}
            th{color:#5b6478;font-weight:600}
            .kv td:first-child{color:#5b6478;white-space:nowrap;width:110px}
            .kv .rules td:first-child{width:auto}
            .chip{display:inline-block;border-radius:10px;padding:0 9px;margin:0 6px 4px 0;font-size:13px;\
            background:#eef0f4;border:1px solid #d5d9e2}
            .o-clean{background:#e5f4ea;border-color:#9fd3b0}.o-clean-client-tcp-first,.o-half-closed{background:#fff3e0;\
            border-color:#f5c98b}.o-abrupt,.o-reset{background:#fde8e8;border-color:#f1a7a7}\
            .o-rejected{background:#ede7f6;border-color:#c3b3e3}.o-open{background:#e3f0fb;border-color:#a8cdef}
            .sev{display:inline-block;border-radius:4px;padding:0 6px;color:#fff;font-size:12px;font-weight:600}
            .sev-error{background:#c62828}.sev-warning{background:#e67e00}.sev-info{background:#1e6fc0}
            .finding{border-left:4px solid #ccc;padding:6px 10px;margin:8px 0;background:#fafbfc}
            .finding.error{border-color:#c62828}.finding.warning{border-color:#e67e00}.finding.info{border-color:#1e6fc0}
            .finding p{margin:3px 0}.muted{color:#5b6478}
            code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
            pre{background:#f1f3f6;padding:6px 8px;margin:4px 0;overflow-x:auto;white-space:pre-wrap}
            details summary{cursor:pointer;color:#3a4256}
            svg.seq{display:block;margin:6px 0 8px;max-width:100%;height:auto}
            a{color:#1e5fb0;text-decoration:none}
            """;

    @Override
    public void write(Report report, PrintWriter out) {
        Html h = new Html(out);
        h.raw("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .raw("<title>wstap report</title>\n<style>\n").raw(CSS).raw("</style>\n</head>\n<body>\n");
        long both = report.connections().stream().filter(ReportedConnection::merged).count();
        h.raw("<h1>wstap report</h1>\n<p class=\"sub\">")
                .text(Timeline.plural(report.inputs().size(), "capture") + " · "
                        + Timeline.plural(report.connections().size(), "connection")
                        + (both > 0 ? " (" + both + " captured at both ends)" : ""))
                .raw("</p>\n");
        summary(report, h);
        inputs(report, h);
        for (ReportedConnection c : report.connections()) {
            connection(report, c, h);
        }
        h.raw("</body>\n</html>\n");
        out.flush();
    }

    // ---- summary and inputs -----------------------------------------------------------------------------------------

    private static void summary(Report report, Html h) {
        h.raw("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"kv\">\n<tr><td>connections</td><td>")
                .text(Long.toString(report.connections().size())).raw(" ");
        for (Map.Entry<Outcome, Long> e : report.outcomes().entrySet()) {
            if (e.getValue() > 0) {
                h.raw("<span class=\"chip o-").text(e.getKey().label()).raw("\">").text(e.getValue() + " " + e.getKey().label())
                        .raw("</span>");
            }
        }
        h.raw("</td></tr>\n<tr><td>findings</td><td>").text(Long.toString(report.findings().size())).raw(" ");
        for (Map.Entry<Severity, Long> e : report.severities().entrySet()) {
            if (e.getValue() > 0) {
                h.raw("<span class=\"sev sev-").text(e.getKey().label()).raw("\">").text(e.getValue() + " " + e.getKey().label())
                        .raw("</span> ");
            }
        }
        h.raw("</td></tr>\n");
        if (!report.rules().isEmpty()) {
            h.raw("<tr><td>by rule</td><td><table class=\"rules\">\n");
            for (Map.Entry<Rule, Long> e : report.rules().entrySet()) {
                Rule r = e.getKey();
                ReportedFinding first = report.findings().stream().filter(f -> f.rule() == r).findFirst().orElse(null);
                h.raw("<tr><td><span class=\"sev sev-").text(r.severity().label()).raw("\" title=\"").attr(r.hint())
                        .raw("\">").text(r.id()).raw("</span></td><td>");
                if (first != null) {
                    h.raw("<a href=\"#").attr(anchor(first.connection())).raw("\">").text(r.slug()).raw("</a>");
                } else {
                    h.text(r.slug());
                }
                h.raw("</td><td>").text(r.severity().label()).raw("</td><td>").text(Long.toString(e.getValue()))
                        .raw("</td></tr>\n");
            }
            h.raw("</table></td></tr>\n");
        }
        long damaged = report.damagedInputs();
        long lost = report.inputs().stream().mapToLong(i -> i.replay().lostRecords()).sum();
        List<String> cap = new ArrayList<>();
        cap.add(damaged == 0 ? Timeline.plural(report.inputs().size(), "capture") + " intact"
                : damaged + " of " + Timeline.plural(report.inputs().size(), "capture") + " damaged (the intact parts were analysed)");
        if (lost > 0) {
            cap.add(Timeline.plural(lost, "record") + " dropped by the agent");
        }
        h.raw("<tr><td>input</td><td>").text(String.join(", ", cap)).raw("</td></tr>\n");
        if (!report.unmatchedIds().isEmpty()) {
            h.raw("<tr><td>no match</td><td>").text("--connection " + String.join(", ", report.unmatchedIds()))
                    .raw("</td></tr>\n");
        }
        String failOn = report.failOn() == null ? "never" : report.failOn().label();
        h.raw("<tr><td>exit ").text(Integer.toString(report.exitCode())).raw("</td><td>")
                .text(report.failOn() == null ? "--fail-on never" : Timeline.plural(report.failing(), "finding")
                        + " at or above " + failOn + " (--fail-on " + failOn + ")")
                .raw("</td></tr>\n</table>\n");
        if (!report.connections().isEmpty()) {
            h.raw("<p class=\"muted\">");
            for (ReportedConnection c : report.connections()) {
                h.raw("<a class=\"chip o-").text(c.outcome() == null ? "open" : c.outcome().label()).raw("\" href=\"#")
                        .attr(anchor(c)).raw("\">").text(c.id()).raw(" ")
                        .text(c.outcome() == null ? "?" : c.outcome().label());
                long n = report.findingsOf(c).size();
                if (n > 0) {
                    h.text(" · " + n);
                }
                h.raw("</a>");
            }
            h.raw("</p>\n");
        }
        h.raw("</section>\n");
    }

    private static void inputs(Report report, Html h) {
        h.raw("<section id=\"inputs\">\n<h2>Captures</h2>\n");
        for (CaptureInput in : report.inputs()) {
            CaptureHeader hd = in.header();
            h.raw("<h3>capture ").text(Integer.toString(in.index())).raw(": <code>").text(in.file().toString())
                    .raw("</code></h3>\n<table class=\"kv\">\n");
            String jvm = jvm(in);
            if (!jvm.isEmpty()) {
                h.raw("<tr><td>JVM</td><td>").text(jvm).raw(hd.jvm() == null ? "" : " · ").text(Fmt.clean(hd.jvm()))
                        .raw("</td></tr>\n");
            }
            if (hd.options() != null) {
                h.raw("<tr><td>agent options</td><td><code>").text(Fmt.clean(hd.options())).raw("</code></td></tr>\n");
            }
            String started = in.hasWallClock() ? Fmt.date(hd.wallClockEpochNanos()) : "(unknown: header damaged)";
            h.raw("<tr><td>started</td><td>").text(started + " · " + Timeline.plural(in.files().size(), "file") + ", "
                    + Timeline.plural(in.read().blocks(), "block") + ", " + Timeline.plural(in.read().events(), "event")
                    + (in.read().clean() ? " · intact" : " · DAMAGED")).raw("</td></tr>\n");
            if (!in.read().clean()) {
                h.raw("<tr><td>lost</td><td>");
                for (Damage d : in.read().damage()) {
                    DamageView v = DamageView.of(in, d);
                    h.text("bytes " + v.offset() + ".." + (v.offset() + v.length()) + " of " + v.file() + ": " + v.what())
                            .raw("<br/>");
                }
                if (in.read().truncated()) {
                    h.text("the file ends inside a block (a torn tail)");
                }
                h.raw("</td></tr>\n");
            }
            if (in.replay().lostRecords() > 0) {
                h.raw("<tr><td>overload</td><td>").text(Timeline.plural(in.replay().lostRecords(), "record")
                        + " dropped by the agent: the capture has gaps").raw("</td></tr>\n");
            }
            long other = Report.otherConnections(in);
            if (other > 0) {
                h.raw("<tr><td>other</td><td>").text(Timeline.plural(other, "other connection")
                        + " never became WebSocket (not shown)").raw("</td></tr>\n");
            }
            h.raw("</table>\n");
        }
        h.raw("</section>\n");
    }

    /** "capture 1 · test-host · pid 4242". */
    private static String jvm(CaptureInput in) {
        List<String> who = new ArrayList<>();
        if (in.header().host() != null) {
            who.add(Fmt.clean(in.header().host()));
        }
        if (in.header().pid() >= 0) {
            who.add("pid " + in.header().pid());
        }
        return String.join(" · ", who);
    }

    // ---- connections ------------------------------------------------------------------------------------------------

    static String anchor(ReportedConnection c) {
        return "c-" + c.id().replace(':', '-').replace('+', '_');
    }

    private static void connection(Report report, ReportedConnection c, Html h) {
        View p = c.primary();
        Reconstruction r = p.reconstruction();
        String outcome = c.outcome() == null ? "open" : c.outcome().label();
        h.raw("<section class=\"conn\" id=\"").attr(anchor(c)).raw("\">\n<h2>connection ").text(c.id()).raw(" <span class=\"chip o-")
                .text(outcome).raw("\">").text(outcome).raw("</span></h2>\n<p class=\"sub\">");
        List<String> head = new ArrayList<>();
        head.add("client " + orUnknown(c.client()) + " → server " + orUnknown(c.server()));
        if (p.transport() != null) {
            head.add(p.transport().name().toLowerCase(Locale.ROOT));
        }
        if (r.protocol() != null) {
            head.add(r.protocol().label());
        }
        head.add(c.merged() ? "captured at both ends" : p.capturedAt() != null ? "captured at the " + p.capturedAt().label()
                : "captured at one end (roles unknown)");
        if (r.joinedMidStream()) {
            head.add("joined mid-stream");
        }
        String opened = Fmt.date(p.epochNanos(p.base()));
        if (opened != null) {
            head.add("opened " + opened);
        }
        h.text(String.join(" · ", head)).raw("</p>\n");
        List<ReportedFinding> fs = report.findingsOf(c);
        for (View v : ordered(c)) {
            if (c.merged()) {
                h.raw("<h3>").text(v.capturedAt() == null ? "view " + v.id() : v.capturedAt().label() + "'s view " + v.id())
                        .text(" (" + name(v.input().file()) + (v == p ? ", primary" : "") + ")").raw("</h3>\n");
            }
            List<ReportedFinding> mine = new ArrayList<>();
            for (ReportedFinding f : fs) {
                if (f.view() == v) {
                    mine.add(f);
                }
            }
            new Diagram(c, v, mine).write(h);
            if (c.merged()) {
                h.raw("<p class=\"muted\">").text("outcome in this view: " + v.reconstruction().outcome().label());
                List<Finding> sup = c.superseded(v);
                if (!sup.isEmpty()) {
                    StringBuilder s = new StringBuilder("; superseded here: ");
                    for (int i = 0; i < sup.size(); i++) {
                        s.append(i == 0 ? "" : ", ").append(sup.get(i).rule().id()).append(' ').append(sup.get(i).rule().slug());
                    }
                    h.text(s + " (the primary view decides who closed TCP)");
                }
                h.raw("</p>\n");
            }
        }
        h.raw("<table class=\"kv\">\n<tr><td>outcome</td><td><span class=\"chip o-").text(outcome).raw("\">").text(outcome)
                .raw("</span> ").text(c.outcome() == null ? "" : Timeline.explain(c)).raw("</td></tr>\n");
        if (c.merged()) {
            h.raw("<tr><td>views</td><td>").text(c.merge()).raw("</td></tr>\n");
        }
        h.raw("<tr><td>client saw</td><td>").text("CloseEvent " + Timeline.saw(c, c.clientSaw(), Role.CLIENT)).raw("</td></tr>\n")
                .raw("<tr><td>server saw</td><td>").text("CloseEvent " + Timeline.saw(c, c.serverSaw(), Role.SERVER))
                .raw("</td></tr>\n<tr><td>frames</td><td>")
                .text("client " + count(c.clientFrames()) + " · server " + count(c.serverFrames())).raw("</td></tr>\n</table>\n");
        int hidden = c.findings().size() - fs.size();
        if (fs.isEmpty()) {
            h.raw("<p class=\"muted\">").text("findings: none" + (hidden > 0 ? " selected (" + hidden
                    + " left out by the filters)" : "")).raw("</p>\n");
        } else {
            h.raw("<h3>").text("findings" + (hidden > 0 ? " (" + hidden + " more left out by the filters)" : "")).raw("</h3>\n");
            for (ReportedFinding f : fs) {
                finding(c, f, h);
            }
        }
        h.raw("</section>\n");
    }

    private static List<View> ordered(ReportedConnection c) {
        List<View> l = new ArrayList<>(c.views());
        l.remove(c.primary());
        l.add(0, c.primary());
        return l;
    }

    static String findingAnchor(ReportedConnection c, ReportedFinding f) {
        return anchor(c) + "-" + c.findings().indexOf(f);
    }

    private static void finding(ReportedConnection c, ReportedFinding f, Html h) {
        Rule rule = f.rule();
        Finding fi = f.finding();
        String sev = f.severity().label();
        h.raw("<div class=\"finding ").text(sev).raw("\" id=\"").attr(findingAnchor(c, f)).raw("\">\n<p><span class=\"sev sev-")
                .text(sev).raw("\">").text(sev).raw("</span> <b>").text(rule.id() + " " + rule.slug()).raw("</b> <span class=\"muted\">");
        List<String> head = new ArrayList<>(Timeline.findingContext(c, f));
        if (f.seenBy().size() > 1) {
            head.add("seen by both views");
        }
        h.text("· " + String.join(" · ", head)).raw("</span></p>\n<p>").text(fi.message()).raw("</p>\n<p><b>fix:</b> ")
                .text(rule.hint()).raw("</p>\n");
        if (!f.stack().isEmpty()) {
            h.raw("<details open=\"open\"><summary>").text("stack of the " + f.side() + "'s " + f.stackKind())
                    .raw("</summary><pre>");
            for (String frame : f.stack()) {
                h.text(Fmt.frame(frame)).raw("\n");
            }
            h.raw("</pre></details>\n");
        } else if (View.stackKind(rule) != null && f.role() != null) {
            View own = f.role() == Role.CLIENT ? c.clientView() : c.serverView();
            h.raw("<p class=\"muted\">").text(own == null ? "stack: the " + f.role().label() + "'s JVM was not captured"
                    : "stack: none in the capture").raw("</p>\n");
        }
        h.raw("</div>\n");
    }

    // ---- the sequence diagram ---------------------------------------------------------------------------------------

    /** One row of a diagram: an arrow between the lanes (from != null) or a note across them. */
    private static final class Row {
        final long time;
        final long endTime;
        final ConnectionLog.Kind kind;
        final Endpoint from;
        final String label;
        final String title;
        final List<String> stack;
        final String cls;
        final List<ReportedFinding> findings = new ArrayList<>();

        Row(long time, long endTime, ConnectionLog.Kind kind, Endpoint from, String label, String title, List<String> stack,
            String cls) {
            this.time = time;
            this.endTime = endTime;
            this.kind = kind;
            this.from = from;
            this.label = label;
            this.title = title;
            this.stack = stack;
            this.cls = cls;
        }

        int height() {
            return Math.max(ROW, 10 + findings.size() * (BADGE_H + 3));
        }
    }

    private static final class Diagram {
        private final ReportedConnection c;
        private final View v;
        private final List<Row> rows = new ArrayList<>();
        private final List<ReportedFinding> unplaced = new ArrayList<>();

        Diagram(ReportedConnection c, View v, List<ReportedFinding> findings) {
            this.c = c;
            this.v = v;
            build();
            for (ReportedFinding f : findings) {
                Row r = place(f);
                if (r != null) {
                    r.findings.add(f);
                } else {
                    unplaced.add(f);
                }
            }
            if (!unplaced.isEmpty()) {
                long t = unplaced.get(0).finding().timeNanos();
                Row r = new Row(t, t, null, null, "finding of the connection", null, List.of(), "note");
                r.findings.addAll(unplaced);
                rows.add(r);
            }
        }

        private void build() {
            for (ConnectionLog.Event e : v.log().events()) {
                switch (e.kind()) {
                    case DATA -> {
                        ConnectionLog.Run run = e.run();
                        List<Endpoint> order = new ArrayList<>(List.of(Endpoint.LOCAL, Endpoint.REMOTE));
                        order.removeIf(x -> run.firstTime(x) == Long.MIN_VALUE);
                        order.sort((a, b) -> Long.compare(run.firstTime(a), run.firstTime(b)));
                        for (Endpoint x : order) {
                            String label = Timeline.frames(run, x);
                            long n = run.frames(x) + run.pings(x) + run.pongs(x);
                            String span = n > 1 ? " from " + Fmt.rel(run.firstTime(x), v.base()) + " to "
                                    + Fmt.rel(run.lastTime(x), v.base()) : "";
                            rows.add(new Row(run.firstTime(x), run.lastTime(x), e.kind(), x, label,
                                    v.who(x) + " → " + label + span, List.of(), n > 1 ? "run" : "data"));
                        }
                    }
                    case PING, PONG -> rows.add(new Row(e.timeNanos(), e.timeNanos(), e.kind(), e.endpoint(),
                            Timeline.control(e), null, List.of(), "ctl"));
                    case HANDSHAKE -> {
                        int st = e.head().status();
                        rows.add(new Row(e.timeNanos(), e.timeNanos(), e.kind(), e.endpoint(), Timeline.describe(e), null,
                                List.of(), e.head().request() || st == 101 || (st >= 100 && st < 200) ? "hs" : "bad"));
                    }
                    case CLOSE -> rows.add(new Row(e.timeNanos(), e.timeNanos(), e.kind(), e.endpoint(), Timeline.describe(e),
                            null, stack(e), "close"));
                    case TCP -> rows.add(new Row(e.timeNanos(), e.timeNanos(), e.kind(), e.endpoint(),
                            v.who(e.endpoint()) + " " + Timeline.describe(e), null,
                            stack(e), e.how().orderly() ? "fin" : "rst"));
                    case JOINED, TAP_GAVE_UP -> rows.add(new Row(e.timeNanos(), e.timeNanos(), e.kind(), null,
                            Timeline.describe(e), null, List.of(), "note"));
                }
            }
            if (v.reconstruction().outcome() == Outcome.OPEN) {
                long end = v.input().endTime() != Long.MIN_VALUE ? v.input().endTime() : v.log().lastTime();
                rows.add(new Row(end, end, null, null, "capture ended, connection still open", null, List.of(), "note"));
            }
            if (rows.isEmpty()) {
                rows.add(new Row(v.base(), v.base(), null, null, "no frame or TCP close in the capture", null, List.of(),
                        "note"));
            }
        }

        private List<String> stack(ConnectionLog.Event e) {
            return e.stackId() >= 0 ? v.input().replay().stack(e.stackId()) : List.of();
        }

        /** The row a finding belongs to: the moment of its kind, by its side, at its time; null when none fits. */
        private Row place(ReportedFinding f) {
            Finding fi = f.finding();
            Rule rule = f.rule();
            ConnectionLog.Kind want = View.CLOSE_CALL_RULES.contains(rule) ? ConnectionLog.Kind.TCP
                    : View.CLOSE_FRAME_RULES.contains(rule) ? ConnectionLog.Kind.CLOSE
                    : rule.id().startsWith("WS1") || rule.id().startsWith("WS4") ? null : ConnectionLog.Kind.HANDSHAKE;
            Row best = null;
            long bestScore = Long.MIN_VALUE;
            for (Row r : rows) {
                if (r.kind == null) {
                    continue;
                }
                long t = fi.timeNanos();
                long dist = t < r.time ? r.time - t : t > r.endTime ? t - r.endTime : 0;
                long score = (dist == 0 ? 4 : 0) + (r.kind == want ? 3 : 0)
                        + (fi.endpoint() != null && fi.endpoint() == r.from ? 2 : 0);
                score = score * 1_000_000_000_000L - Math.min(dist, 999_999_999_999L);
                if (score > bestScore) {
                    bestScore = score;
                    best = r;
                }
            }
            return best;
        }

        /** The lane of an endpoint: the client's on the left (or the capturing JVM's while roles are unknown). */
        private int x(Endpoint e) {
            Role role = v.reconstruction().roleOf(e);
            boolean left = role != null ? role == Role.CLIENT : e == Endpoint.LOCAL;
            return left ? LEFT : RIGHT;
        }

        private Endpoint endpointAt(boolean left) {
            return x(Endpoint.LOCAL) == LEFT == left ? Endpoint.LOCAL : Endpoint.REMOTE;
        }

        void write(Html h) {
            int height = HEADER + 16;
            for (Row r : rows) {
                height += r.height();
            }
            height += 8;
            h.raw("<svg class=\"seq\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + W + "\" height=\"" + height
                    + "\" viewBox=\"0 0 " + W + " " + height + "\" role=\"img\" font-family=\"system-ui,-apple-system,"
                    + "Segoe UI,Roboto,Helvetica,Arial,sans-serif\" font-size=\"12\">\n");
            h.raw("<title>").text("sequence diagram of connection " + v.id()).raw("</title>\n");
            h.raw("<style>.fin line,.rst line{stroke-dasharray:6 4}.lbl{fill:#1d2330}.t{fill:#5b6478;font-size:11px}</style>\n");
            lane(h, true);
            lane(h, false);
            int top = HEADER + 8;
            h.raw("<line x1=\"" + LEFT + "\" y1=\"" + (HEADER - 6) + "\" x2=\"" + LEFT + "\" y2=\"" + (height - 6)
                    + "\" stroke=\"#9aa3b5\" stroke-width=\"1.5\"/>\n<line x1=\"" + RIGHT + "\" y1=\"" + (HEADER - 6)
                    + "\" x2=\"" + RIGHT + "\" y2=\"" + (height - 6) + "\" stroke=\"#9aa3b5\" stroke-width=\"1.5\"/>\n");
            int y = top;
            for (Row r : rows) {
                int rh = r.height();
                row(h, r, y + Math.min(rh, ROW) / 2 + 6);
                y += rh;
            }
            h.raw("</svg>\n");
            List<Row> stacks = new ArrayList<>();
            for (Row r : rows) {
                if (!r.stack.isEmpty()) {
                    stacks.add(r);
                }
            }
            for (Row r : stacks) {
                h.raw("<details><summary>").text("stack of the " + v.who(r.from) + "'s "
                        + (r.kind == ConnectionLog.Kind.TCP ? "close()" : "Close frame") + " at " + Fmt.rel(r.time, v.base()))
                        .raw("</summary><pre>");
                for (String frame : r.stack) {
                    h.text(Fmt.frame(frame)).raw("\n");
                }
                h.raw("</pre></details>\n");
            }
        }

        private void lane(Html h, boolean left) {
            Endpoint e = endpointAt(left);
            int cx = left ? LEFT : RIGHT;
            Role role = v.reconstruction().roleOf(e);
            String name = role != null ? role.label() : e == Endpoint.LOCAL ? "local" : "remote";
            String addr = e == Endpoint.LOCAL ? v.local() : v.remote();
            String jvm;
            if (e == Endpoint.LOCAL) {
                String who = jvm(v.input());
                jvm = "captured here: capture " + v.input().index() + (who.isEmpty() ? "" : " · " + who);
            } else {
                View other = role == Role.CLIENT ? c.clientView() : role == Role.SERVER ? c.serverView() : null;
                if (other != null && other != v) {
                    String who = jvm(other.input());
                    jvm = "also captured: capture " + other.input().index() + (who.isEmpty() ? "" : " · " + who);
                } else {
                    jvm = "not captured (seen from the peer)";
                }
            }
            boolean here = e == Endpoint.LOCAL;
            h.raw("<g><rect x=\"" + (cx - 150) + "\" y=\"6\" width=\"300\" height=\"" + (HEADER - 14)
                    + "\" rx=\"6\" fill=\"" + (here ? "#e8f0fe" : "#f3f4f7") + "\" stroke=\"" + (here ? "#7aa2e3" : "#c5cad5")
                    + "\"/>\n<text x=\"" + cx + "\" y=\"25\" text-anchor=\"middle\" font-weight=\"700\" font-size=\"13\">")
                    .text(name).raw("</text>\n<text x=\"" + cx + "\" y=\"42\" text-anchor=\"middle\">")
                    .text(addr == null ? "?" : Fmt.clean(addr)).raw("</text>\n<text x=\"" + cx
                            + "\" y=\"58\" text-anchor=\"middle\" class=\"t\">").text(shorten(jvm, 48)).raw("</text>\n")
                    .raw("<title>").text(name + " " + (addr == null ? "?" : addr) + "\n" + jvm).raw("</title></g>\n");
        }

        private void row(Html h, Row r, int y) {
            String rel = Fmt.rel(r.time, v.base());
            String wall = Fmt.time(v.epochNanos(r.time));
            h.raw("<text x=\"8\" y=\"" + (y - 3) + "\" class=\"t\">").text(rel).raw("</text>\n");
            if (wall != null) {
                h.raw("<text x=\"8\" y=\"" + (y + 10) + "\" class=\"t\">").text(wall).raw("</text>\n");
            }
            Severity worst = null;
            for (ReportedFinding f : r.findings) {
                if (worst == null || f.severity().compareTo(worst) > 0) {
                    worst = f.severity();
                }
            }
            String title = (r.title != null ? r.title : (r.from != null ? v.who(r.from) + " → " : "") + r.label)
                    + " at " + rel + (wall == null ? "" : " (" + wall + ")") + stackText(r.stack);
            if (r.from == null) {
                h.raw("<g class=\"note\"><line x1=\"" + (LEFT - 40) + "\" y1=\"" + y + "\" x2=\"" + (RIGHT + 40) + "\" y2=\"" + y
                        + "\" stroke=\"#b0b7c6\" stroke-dasharray=\"2 3\"/><rect x=\"" + ((LEFT + RIGHT) / 2 - 200) + "\" y=\""
                        + (y - 10) + "\" width=\"400\" height=\"18\" rx=\"9\" fill=\"#fff\" stroke=\"#b0b7c6\"/>"
                        + "<text x=\"" + (LEFT + RIGHT) / 2 + "\" y=\"" + (y + 3) + "\" text-anchor=\"middle\" class=\"lbl\""
                        + " font-style=\"italic\">").text(shorten(r.label, LABEL_CHARS)).raw("</text><title>").text(title)
                        .raw("</title></g>\n");
            } else if (r.kind == ConnectionLog.Kind.TCP) {
                int from = x(r.from);
                int to = from == LEFT ? RIGHT : LEFT;
                int dir = to > from ? 1 : -1;
                String color = worst != null ? color(worst) : arrowColor(r.cls);
                h.raw("<g class=\"" + r.cls + "\"><line x1=\"" + from + "\" y1=\"" + y + "\" x2=\"" + (to - dir * 9) + "\" y2=\""
                        + y + "\" stroke=\"" + color + "\" stroke-width=\"1.6\"/>" + head(to, y, dir, color)
                        + "<rect x=\"" + (from - 7) + "\" y=\"" + (y - 7) + "\" width=\"14\" height=\"14\" fill=\"" + color
                        + "\"/><text x=\"" + (LEFT + RIGHT) / 2 + "\" y=\"" + (y - 6) + "\" text-anchor=\"middle\" class=\"lbl\">")
                        .text(shorten(r.label, LABEL_CHARS)).raw("</text><title>").text(title).raw("</title></g>\n");
            } else {
                int from = x(r.from);
                int to = from == LEFT ? RIGHT : LEFT;
                int dir = to > from ? 1 : -1;
                String color = worst != null ? color(worst) : arrowColor(r.cls);
                h.raw("<g class=\"" + r.cls + (worst != null ? " f" : "") + "\"><line x1=\"" + from + "\" y1=\"" + y + "\" x2=\""
                        + (to - dir * 9) + "\" y2=\"" + y + "\" stroke=\"" + color + "\" stroke-width=\""
                        + (r.cls.equals("run") ? "4" : "1.6") + "\"/>"
                        + head(to, y, dir, color) + "<circle cx=\"" + from + "\" cy=\"" + y + "\" r=\"3\" fill=\"" + color
                        + "\"/><text x=\"" + (LEFT + RIGHT) / 2 + "\" y=\"" + (y - 6) + "\" text-anchor=\"middle\" class=\"lbl\""
                        + (r.cls.equals("close") ? " font-weight=\"600\"" : "") + ">")
                        .text(shorten(r.label, LABEL_CHARS)).raw("</text><title>").text(title).raw("</title></g>\n");
            }
            int by = y - Math.min(r.height(), ROW) / 2 - 1;
            for (ReportedFinding f : r.findings) {
                String text = f.rule().id() + " " + f.rule().slug();
                int w = Math.min(W - BADGES - 4, 16 + (int) Math.round(text.length() * 7.3));
                h.raw("<a href=\"#").attr(findingAnchor(c, f)).raw("\"><g><rect x=\"" + BADGES + "\" y=\"" + by + "\" width=\""
                        + w + "\" height=\"" + BADGE_H + "\" rx=\"4\" fill=\"" + color(f.severity()) + "\"/><text x=\""
                        + (BADGES + 7) + "\" y=\"" + (by + 13) + "\" fill=\"#fff\" font-weight=\"600\">")
                        .text(shorten(text, 40)).raw("</text><title>")
                        .text(f.rule().id() + " " + f.rule().slug() + " (" + f.severity().label() + ", " + Fmt.ref(f.rule().ref())
                                + ")\n" + f.finding().message() + "\nfix: " + f.rule().hint())
                        .raw("</title></g></a>\n");
                by += BADGE_H + 3;
            }
        }

        private static String stackText(List<String> stack) {
            if (stack.isEmpty()) {
                return "";
            }
            StringBuilder s = new StringBuilder("\nstack:");
            for (String f : stack) {
                s.append("\n  at ").append(f);
            }
            return s.toString();
        }

        private static String head(int x, int y, int dir, String color) {
            return "<polygon points=\"" + x + "," + y + " " + (x - dir * 10) + "," + (y - 5) + " " + (x - dir * 10) + "," + (y + 5)
                    + "\" fill=\"" + color + "\"/>";
        }
    }

    /** The colour of an arrow without findings, by its class (see docs/report-html.md). */
    static String arrowColor(String cls) {
        return switch (cls) {
            case "hs" -> "#2e7d32";
            case "bad", "rst" -> "#c62828";
            case "close" -> "#6a3fb5";
            case "ctl" -> "#0277bd";
            case "fin" -> "#5b6478";
            default -> "#3a4256";
        };
    }

    static String color(Severity s) {
        return switch (s) {
            case ERROR -> "#c62828";
            case WARNING -> "#e67e00";
            case INFO -> "#1e6fc0";
        };
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /** At most {@code n} characters (code points), with "…" when cut. */
    static String shorten(String s, int n) {
        if (s.codePointCount(0, s.length()) <= n) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, n - 1)) + "…";
    }


    /**
     * Markup out: {@link #raw} for the writer's own tags, {@link #text} and {@link #attr} for everything else, which
     * is made safe (terminal-safe like the text report, then XML-escaped, with characters XML 1.0 cannot hold
     * replaced by U+FFFD).
     */
    static final class Html {
        private final PrintWriter out;

        Html(PrintWriter out) {
            this.out = out;
        }

        Html raw(String s) {
            out.write(s);
            return this;
        }

        Html text(String s) {
            out.write(escape(s));
            return this;
        }

        Html attr(String s) {
            out.write(escape(s));
            return this;
        }
    }

    /** {@code s} as XML text or attribute value: &amp; &lt; &gt; &quot; &#39; escaped, control characters shown. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        String t = keepNewlines(s);
        StringBuilder b = new StringBuilder(t.length() + 16);
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(ch) && i + 1 < t.length() && Character.isLowSurrogate(t.charAt(i + 1))) {
                        b.append(ch).append(t.charAt(++i));
                    } else if (Character.isSurrogate(ch) || ch == 0xFFFE || ch == 0xFFFF
                            || (ch < 0x20 && ch != '\n')) {
                        b.append('\uFFFD');
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }

    /** {@link Fmt#clean} of each line, keeping the line breaks the writer put there (tooltips, stacks). */
    private static String keepNewlines(String s) {
        if (s.indexOf('\n') < 0) {
            return Fmt.clean(s);
        }
        String[] lines = s.split("\n", -1);
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < lines.length; i++) {
            b.append(i == 0 ? "" : "\n").append(Fmt.clean(lines[i]));
        }
        return b.toString();
    }
}
