package io.wstap.analyzer.report;

import io.wstap.analyzer.source.CaptureInput;
import io.wstap.analyzer.source.ConnectionLog;
import io.wstap.capture.CaptureHeader;
import io.wstap.capture.Damage;
import io.wstap.engine.TcpEnd;
import io.wstap.engine.CloseCode;
import io.wstap.engine.CloseEvent;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Finding;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.Rule;
import io.wstap.engine.Severity;
import io.wstap.wire.HttpHead;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The machine report. Its schema is docs/report-json.md: field names are a contract (a test checks that every
 * documented field is written, and nothing undocumented). Every field is always present; unknown values are null.
 */
public final class JsonReport implements ReportWriter {
    /** Bumped when a field is renamed, removed or changes meaning; adding fields does not bump it. */
    public static final int SCHEMA = 1;

    @Override
    public void write(Report report, PrintWriter out) {
        JsonWriter j = new JsonWriter(out);
        j.beginObject();
        j.field("schema", SCHEMA);
        j.name("inputs").beginArray();
        for (CaptureInput in : report.inputs()) {
            input(j, in);
        }
        j.endArray();
        j.name("connections").beginArray();
        for (ReportedConnection c : report.connections()) {
            connection(j, c);
        }
        j.endArray();
        j.name("findings").beginArray();
        for (ReportedFinding f : report.findings()) {
            finding(j, f);
        }
        j.endArray();
        summary(j, report);
        j.endObject();
        out.flush();
    }

    private static void input(JsonWriter j, CaptureInput in) {
        CaptureHeader h = in.header();
        j.beginObject();
        j.field("index", in.index());
        j.field("file", in.file().toString());
        j.field("kind", in.kind().name().toLowerCase(Locale.ROOT));
        j.name("files").beginArray();
        for (Path p : in.files()) {
            j.value(p.toString());
        }
        j.endArray();
        j.field("host", h.host());
        j.fieldOrNull("pid", h.pid());
        j.field("jvm", h.jvm());
        j.field("agentOptions", h.options());
        boolean wall = in.hasWallClock();
        j.field("startedAt", wall ? Fmt.iso(h.wallClockEpochNanos()) : null);
        nullable(j, "wallClockEpochNanos", wall, h.wallClockEpochNanos());
        nullable(j, "monotonicNanosAtAnchor", wall, h.monotonicNanosAtAnchor());
        j.field("blocks", in.read().blocks());
        j.field("events", in.read().events());
        j.field("intact", in.read().clean());
        j.field("truncated", in.read().truncated());
        j.field("validBytes", in.read().validBytes());
        j.name("damage").beginArray();
        for (Damage d : in.read().damage()) {
            DamageView v = DamageView.of(in, d);
            j.beginObject().field("file", v.file()).field("offset", v.offset()).field("length", v.length())
                    .field("what", v.what()).endObject();
        }
        j.endArray();
        j.field("lostRecords", in.replay().lostRecords());
        j.field("tapErrors", in.replay().tapErrors());
        j.name("undeclaredConnections").beginArray();
        for (long id : in.replay().undeclared()) {
            j.value(id);
        }
        j.endArray();
        j.field("otherConnections", Report.otherConnections(in));
        j.endObject();
    }

    private static void connection(JsonWriter j, ReportedConnection c) {
        View p = c.primary();
        Reconstruction r = p.reconstruction();
        j.beginObject();
        j.field("id", c.id());
        j.field("client", c.client());
        j.field("server", c.server());
        j.field("transport", p.transport() == null ? null : p.transport().name().toLowerCase(Locale.ROOT));
        j.field("protocol", r.protocol() == null ? null : r.protocol().label());
        j.field("joinedMidStream", c.views().stream().anyMatch(v -> v.reconstruction().joinedMidStream()));
        j.field("capturedAt", c.merged() ? "both" : p.capturedAt() == null ? null : p.capturedAt().label());
        request(j, p, r);
        response(j, p, r);
        j.field("outcome", c.outcome() == null ? null : c.outcome().label());
        j.field("initiator", role(c.initiator()));
        closeFrames(j, p, r);
        j.field("tcpClosedBy", role(c.tcpClosedBy()));
        j.field("tcpEnd", c.tcpEnd() == null ? null : c.tcpEnd().label());
        j.field("tcpHalfClose", c.tcpEnd() == TcpEnd.HALF_CLOSE);
        j.fieldOrNull("tcpCloseTimeNanos", c.tcpCloseTimeNanos());
        saw(j, "clientSaw", c.clientSaw());
        saw(j, "serverSaw", c.serverSaw());
        j.name("frames").beginObject().fieldOrNull("client", c.clientFrames()).fieldOrNull("server", c.serverFrames())
                .endObject();
        j.field("startTimeNanos", p.base());
        j.field("startedAt", Fmt.iso(p.epochNanos(p.base())));
        j.field("merge", c.merge());
        j.name("views").beginArray();
        for (View v : c.views()) {
            view(j, c, v);
        }
        j.endArray();
        j.endObject();
    }

    private static void request(JsonWriter j, View v, Reconstruction r) {
        HttpHead h = r.request();
        j.name("request");
        if (h == null) {
            j.nullValue();
            return;
        }
        j.beginObject();
        j.field("method", h.method()).field("target", h.target()).field("host", h.host()).field("origin", h.origin())
                .field("version", h.version()).field("protocol", h.protocol()).field("extensions", h.extensions());
        time(j, v, r.requestTimeNanos());
        j.endObject();
    }

    private static void response(JsonWriter j, View v, Reconstruction r) {
        HttpHead h = r.response();
        j.name("response");
        if (h == null) {
            j.nullValue();
            return;
        }
        j.beginObject();
        j.field("status", h.status()).field("reason", h.reason()).field("protocol", h.protocol())
                .field("extensions", h.extensions());
        time(j, v, r.responseTimeNanos());
        j.endObject();
    }

    private static void closeFrames(JsonWriter j, View v, Reconstruction r) {
        j.name("closeFrames").beginArray();
        for (CloseRecord c : r.closeFrames()) {
            j.beginObject();
            j.field("from", v.who(c.from()));
            j.fieldOrNull("code", c.code());
            j.field("codeName", c.code() < 0 ? null : CloseCode.describe(c.code()));
            j.field("reason", c.reason());
            time(j, v, c.timeNanos());
            j.endObject();
        }
        j.endArray();
    }

    private static void time(JsonWriter j, View v, long t) {
        j.fieldOrNull("timeNanos", t);
        j.name("atMs");
        if (t < 0) {
            j.nullValue();
        } else {
            j.number(Fmt.ms(Fmt.ms(t, v.base())));
        }
    }

    private static void saw(JsonWriter j, String name, CloseEvent e) {
        j.name(name);
        if (e == null) {
            j.nullValue();
            return;
        }
        j.beginObject().field("code", e.code()).field("codeName", CloseCode.describe(e.code())).field("reason", e.reason())
                .field("wasClean", e.wasClean()).endObject();
    }

    private static void view(JsonWriter j, ReportedConnection c, View v) {
        Reconstruction r = v.reconstruction();
        j.beginObject();
        j.field("id", v.id());
        j.field("input", v.input().index());
        j.field("connectionId", v.connectionId());
        j.field("primary", v == c.primary());
        j.field("capturedAt", role(v.capturedAt()));
        j.field("local", v.local());
        j.field("remote", v.remote());
        j.field("outcome", r.outcome() == null ? null : r.outcome().label());
        j.field("initiator", r.initiator() == null ? null : v.who(r.initiator()));
        j.field("tcpClosedBy", r.tcpClosedBy() == null ? null : v.who(r.tcpClosedBy()));
        j.field("tcpEnd", r.tcpEnd() == null ? null : r.tcpEnd().label());
        j.field("tcpHalfClose", r.tcpEnd() == TcpEnd.HALF_CLOSE);
        j.fieldOrNull("tcpCloseTimeNanos", r.tcpCloseTimeNanos());
        saw(j, "clientSaw", r.clientSaw());
        saw(j, "serverSaw", r.serverSaw());
        j.name("frames").beginObject().field("local", r.localFrames()).field("remote", r.remoteFrames()).endObject();
        closeFrames(j, v, r);
        j.name("tcpEnds").beginArray();
        for (ConnectionLog.Event e : v.log().events()) {
            if (e.kind() == ConnectionLog.Kind.TCP) {
                j.beginObject().field("by", v.who(e.endpoint())).field("how", e.how().label())
                        .field("halfClose", e.how() == TcpEnd.HALF_CLOSE);
                time(j, v, e.timeNanos());
                j.endObject();
            }
        }
        j.endArray();
        j.field("startTimeNanos", v.base());
        j.field("startedAt", Fmt.iso(v.epochNanos(v.base())));
        j.name("findings").beginArray();
        for (Finding f : r.findings()) {
            j.value(f.rule().id());
        }
        j.endArray();
        j.name("superseded").beginArray();
        for (Finding f : c.superseded(v)) {
            j.value(f.rule().id());
        }
        j.endArray();
        j.endObject();
    }

    private static void finding(JsonWriter j, ReportedFinding f) {
        Rule rule = f.rule();
        Finding fi = f.finding();
        j.beginObject();
        j.field("rule", rule.id());
        j.field("slug", rule.slug());
        j.field("severity", f.severity().label());
        j.field("connection", f.connection().id());
        j.field("side", f.side());
        j.field("message", fi.message());
        j.field("ref", rule.ref());
        j.field("hint", rule.hint());
        time(j, f.view(), fi.timeNanos());
        j.fieldOrNull("frameIndex", fi.frameIndex());
        j.fieldOrNull("code", fi.code());
        j.fieldOrNull("offset", fi.offset());
        j.field("occurrences", fi.occurrences());
        j.field("view", f.view().id());
        j.name("seenBy").beginArray();
        for (View v : f.seenBy()) {
            j.value(v.id());
        }
        j.endArray();
        j.name("stack").beginArray();
        for (String s : f.stack()) {
            j.value(s);
        }
        j.endArray();
        j.field("stackOf", f.stack().isEmpty() ? null : f.stackKind());
        j.endObject();
    }

    private static void summary(JsonWriter j, Report report) {
        j.name("summary").beginObject();
        j.field("connections", report.connections().size());
        j.name("outcomes").beginObject();
        for (Map.Entry<Outcome, Long> e : report.outcomes().entrySet()) {
            j.field(e.getKey().label(), e.getValue());
        }
        j.endObject();
        j.field("findings", report.findings().size());
        j.name("severities").beginObject();
        for (Map.Entry<Severity, Long> e : report.severities().entrySet()) {
            j.field(e.getKey().label(), e.getValue());
        }
        j.endObject();
        j.name("rules").beginObject();
        for (Map.Entry<Rule, Long> e : report.rules().entrySet()) {
            j.field(e.getKey().id(), e.getValue());
        }
        j.endObject();
        j.field("inputs", report.inputs().size());
        j.field("damagedInputs", report.damagedInputs());
        j.field("lostRecords", report.inputs().stream().mapToLong(i -> i.replay().lostRecords()).sum());
        j.field("tapErrors", report.inputs().stream().mapToLong(i -> i.replay().tapErrors()).sum());
        j.name("unmatchedConnectionIds").beginArray();
        for (String id : report.unmatchedIds()) {
            j.value(id);
        }
        j.endArray();
        j.field("failOn", report.failOn() == null ? "never" : report.failOn().label());
        j.field("failing", report.failing());
        j.field("exitCode", report.exitCode());
        j.endObject();
    }

    private static String role(Role r) {
        return r == null ? null : r.label();
    }

    private static void nullable(JsonWriter j, String name, boolean known, long value) {
        if (known) {
            j.field(name, value);
        } else {
            j.name(name).nullValue();
        }
    }
}
