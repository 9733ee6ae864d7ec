package io.wstap.analyzer.watch;

import java.time.Instant;
import java.util.List;
import java.util.SortedMap;

/**
 * What the dashboard shows at one refresh; immutable, rendered by {@link TerminalView} and sent to the web page as
 * JSON ({@link #json()}).
 *
 * @param target       the target's description
 * @param at           when it was taken
 * @param stats        an io.wstap.Stats event has arrived (else the counters below are 0 and rates unknown)
 * @param open         WebSocket connection ends open in the target (the agent's count)
 * @param opened       ends opened since the agent started
 * @param framesIn     frames received, since the agent started
 * @param framesOut    frames sent
 * @param framesInPerSecond  between the last two Stats events, -1 when unknown
 * @param framesOutPerSecond as above
 * @param bytesInPerSecond   payload bytes, as above
 * @param bytesOutPerSecond  as above
 * @param dropped      records the agent's ring dropped
 * @param closesByCode Close frames seen since watching began: code (-1: no code) to {sent, received}
 * @param outcomes     connections whose TCP closed since watching began, by outcome
 * @param findings     the latest findings, newest first
 * @param timeline     closes by outcome per second, oldest first (the web page's chart)
 * @param ended        why the stream ended, or null while it runs
 */
public record Snapshot(String target, Instant at, boolean stats, long open, long opened, long framesIn, long framesOut,
                       double framesInPerSecond, double framesOutPerSecond, double bytesInPerSecond,
                       double bytesOutPerSecond, long dropped, SortedMap<Integer, long[]> closesByCode,
                       SortedMap<String, Long> outcomes, List<FindingLine> findings, List<Second> timeline,
                       String ended) {

    /** One finding as it arrived: when, on which connection, the rule, and the stack that raised it. */
    public record FindingLine(Instant at, long connectionId, String rule, String slug, String severity, String side,
                              String message, List<String> stack) {
    }

    /** Connections closed during one second, by outcome. */
    public record Second(long epochSecond, SortedMap<String, Long> outcomes) {
    }

    /** The snapshot as one JSON object (the web page's data; field names as the record's). */
    public String json() {
        StringBuilder sb = new StringBuilder(1024);
        io.wstap.analyzer.report.JsonWriter j = new io.wstap.analyzer.report.JsonWriter(sb);
        j.beginObject();
        j.field("target", target);
        j.field("at", at.toString());
        j.field("stats", stats);
        j.field("open", open);
        j.field("opened", opened);
        j.field("framesIn", framesIn);
        j.field("framesOut", framesOut);
        rate(j, "framesInPerSecond", framesInPerSecond);
        rate(j, "framesOutPerSecond", framesOutPerSecond);
        rate(j, "bytesInPerSecond", bytesInPerSecond);
        rate(j, "bytesOutPerSecond", bytesOutPerSecond);
        j.field("dropped", dropped);
        j.name("closesByCode").beginArray();
        for (var e : closesByCode.entrySet()) {
            j.beginObject().field("code", e.getKey()).field("sent", e.getValue()[0]).field("received", e.getValue()[1])
                    .endObject();
        }
        j.endArray();
        j.name("outcomes").beginObject();
        outcomes.forEach(j::field);
        j.endObject();
        j.name("findings").beginArray();
        for (FindingLine f : findings) {
            j.beginObject().field("at", f.at().toString()).field("connection", f.connectionId()).field("rule", f.rule())
                    .field("slug", f.slug()).field("severity", f.severity()).field("side", f.side())
                    .field("message", f.message());
            j.name("stack").beginArray();
            f.stack().forEach(j::value);
            j.endArray().endObject();
        }
        j.endArray();
        j.name("timeline").beginArray();
        for (Second s : timeline) {
            j.beginObject().field("t", s.epochSecond());
            j.name("outcomes").beginObject();
            s.outcomes().forEach(j::field);
            j.endObject().endObject();
        }
        j.endArray();
        if (ended == null) {
            j.name("ended").nullValue();
        } else {
            j.field("ended", ended);
        }
        j.endObject();
        return sb.toString();
    }

    /** A rate with one decimal, null while unknown. */
    private static void rate(io.wstap.analyzer.report.JsonWriter j, String name, double r) {
        j.name(name);
        if (r < 0) {
            j.nullValue();
        } else {
            j.number(String.format(java.util.Locale.ROOT, "%.1f", r));
        }
    }
}
