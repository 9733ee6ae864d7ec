package io.wstap.analyzer.watch;

import io.wstap.analyzer.source.JfrSource;
import jdk.jfr.consumer.RecordedEvent;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The live figures, fed by the target's events (on the stream's thread) and read once a second as a {@link Snapshot}.
 *
 * <p>Rates come from the agent's periodic io.wstap.Stats event (cumulative counters): the difference of the last two,
 * over the time between them. The per-frame event is never asked for (off by default, one event per frame). Close
 * frames, outcomes and findings are counted from their own events since watching began.
 */
public final class Dashboard {
    /** Findings kept for display, newest first. */
    static final int FINDINGS_SHOWN = 5;
    /** Seconds of history for the chart of closes by outcome. */
    static final int TIMELINE_SECONDS = 120;
    /** Stack frames kept per finding. */
    static final int STACK_SHOWN = 4;

    /** The counters of one io.wstap.Stats event (copied: a stream may reuse its RecordedEvent objects). */
    private record Stats(long epochMillis, long framesIn, long framesOut, long bytesIn, long bytesOut, long open,
                         long opened, long dropped) {
        static Stats of(RecordedEvent e) {
            return new Stats(e.getStartTime().toEpochMilli(), get(e, "framesIn"), get(e, "framesOut"),
                    get(e, "bytesIn"), get(e, "bytesOut"), get(e, "openConnections"), get(e, "connectionsOpened"),
                    get(e, "droppedRecords"));
        }
    }

    private final String target;
    private Stats lastStats;
    private Stats previousStats;
    private final SortedMap<Integer, long[]> closesByCode = new TreeMap<>();
    private final SortedMap<String, Long> outcomes = new TreeMap<>();
    private final Deque<Snapshot.FindingLine> findings = new ArrayDeque<>();
    private final TreeMap<Long, SortedMap<String, Long>> timeline = new TreeMap<>();
    private String ended;

    public Dashboard(String target) {
        this.target = target;
    }

    public synchronized void onEvent(RecordedEvent e) {
        switch (e.getEventType().getName()) {
            case "io.wstap.Stats" -> {
                previousStats = lastStats;
                lastStats = Stats.of(e);
            }
            case "io.wstap.Close" -> {
                long[] c = closesByCode.computeIfAbsent(e.getInt("code"), k -> new long[2]);
                c["out".equals(e.getString("direction")) ? 0 : 1]++;
            }
            case "io.wstap.ConnectionClosed" -> {
                String outcome = e.getString("outcome") == null || e.getString("outcome").isEmpty() ? "?"
                        : e.getString("outcome");
                outcomes.merge(outcome, 1L, Long::sum);
                long second = e.getStartTime().getEpochSecond();
                timeline.computeIfAbsent(second, k -> new TreeMap<>()).merge(outcome, 1L, Long::sum);
                while (timeline.size() > TIMELINE_SECONDS) {
                    timeline.pollFirstEntry();
                }
            }
            case "io.wstap.Finding" -> {
                List<String> stack = JfrSource.stack(e.getStackTrace());
                findings.addFirst(new Snapshot.FindingLine(e.getStartTime(), e.getLong("connectionId"),
                        str(e, "rule"), str(e, "slug"), str(e, "severity"), str(e, "side"), str(e, "message"),
                        List.copyOf(stack.subList(0, Math.min(STACK_SHOWN, stack.size())))));
                while (findings.size() > FINDINGS_SHOWN) {
                    findings.removeLast();
                }
            }
            default -> {
                // handshakes and later agents' events: not on the dashboard
            }
        }
    }

    /** The stream ended (the target exited, or the connection broke): shown, and the watch stops. */
    public synchronized void ended(String why) {
        if (ended == null) {
            ended = why;
        }
    }

    public synchronized Snapshot snapshot(Instant now) {
        SortedMap<Integer, long[]> codes = new TreeMap<>();
        closesByCode.forEach((k, v) -> codes.put(k, v.clone()));
        List<Snapshot.Second> seconds = new ArrayList<>();
        // the chart's x axis: every second of the window up to now, empty ones too
        long last = now.getEpochSecond();
        long first = timeline.isEmpty() ? last : Math.max(timeline.firstKey(), last - TIMELINE_SECONDS + 1);
        first = Math.max(first, last - TIMELINE_SECONDS + 1);
        for (long s = first; s <= last; s++) {
            SortedMap<String, Long> o = timeline.get(s);
            seconds.add(new Snapshot.Second(s, o == null ? Collections.emptySortedMap() : new TreeMap<>(o)));
        }
        Stats st = lastStats;
        Stats before = previousStats;
        double inRate = -1, outRate = -1, bInRate = -1, bOutRate = -1;
        if (st != null && before != null && st.epochMillis() > before.epochMillis()) {
            double dt = (st.epochMillis() - before.epochMillis()) / 1000.0;
            inRate = Math.max(0, st.framesIn() - before.framesIn()) / dt;
            outRate = Math.max(0, st.framesOut() - before.framesOut()) / dt;
            bInRate = Math.max(0, st.bytesIn() - before.bytesIn()) / dt;
            bOutRate = Math.max(0, st.bytesOut() - before.bytesOut()) / dt;
        }
        boolean has = st != null;
        return new Snapshot(target, now, has, has ? st.open() : 0, has ? st.opened() : 0, has ? st.framesIn() : 0,
                has ? st.framesOut() : 0, inRate, outRate, bInRate, bOutRate, has ? st.dropped() : 0,
                Collections.unmodifiableSortedMap(codes), Collections.unmodifiableSortedMap(new TreeMap<>(outcomes)),
                List.copyOf(findings), List.copyOf(seconds), ended);
    }

    private static long get(RecordedEvent e, String field) {
        return e == null || !e.hasField(field) ? 0 : e.getLong(field);
    }

    private static String str(RecordedEvent e, String field) {
        String s = e.hasField(field) ? e.getString(field) : null;
        return s == null ? "" : s;
    }
}
