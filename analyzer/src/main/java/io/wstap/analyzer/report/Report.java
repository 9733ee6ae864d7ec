package io.wstap.analyzer.report;

import io.wstap.analyzer.source.CaptureInput;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Rule;
import io.wstap.engine.Severity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a report shows, whatever its format: the inputs, the selected connections and findings, the counts of the
 * summary, and the exit code the CLI returns for CI ({@link #exitCode()}).
 */
public final class Report {
    /** Exit code: no finding at or above --fail-on (after the filters). */
    public static final int CLEAN = 0;
    /** Exit code: at least one finding at or above --fail-on. */
    public static final int FINDINGS = 1;

    private final List<CaptureInput> inputs;
    private final List<ReportedConnection> connections = new ArrayList<>();
    private final List<ReportedFinding> findings = new ArrayList<>();
    private final Map<ReportedConnection, List<ReportedFinding>> byConnection = new java.util.IdentityHashMap<>();
    private final Selection selection;
    private final Severity failOn;
    private final List<String> unmatchedIds = new ArrayList<>();

    private Report(List<CaptureInput> inputs, Selection selection, Severity failOn) {
        this.inputs = List.copyOf(inputs);
        this.selection = selection;
        this.failOn = failOn;
    }

    /**
     * Builds the report of {@code inputs}.
     *
     * @param failOn the least severity that fails the run (exit 1), null for never
     */
    public static Report of(List<CaptureInput> inputs, Selection selection, Severity failOn) {
        Report r = new Report(inputs, selection, failOn);
        List<ReportedConnection> all = Merger.connections(inputs);
        for (ReportedConnection c : all) {
            if (!selection.selects(c)) {
                continue;
            }
            r.connections.add(c);
            List<ReportedFinding> mine = new ArrayList<>();
            for (ReportedFinding f : c.findings()) {
                if (selection.selects(f)) {
                    mine.add(f);
                    r.findings.add(f);
                }
            }
            r.byConnection.put(c, mine);
        }
        for (String id : selection.connectionIds()) {
            if (all.stream().noneMatch(c -> Selection.matches(c, id))) {
                r.unmatchedIds.add(id);
            }
        }
        return r;
    }

    public List<CaptureInput> inputs() {
        return inputs;
    }

    /** The selected connections, in input order and order first seen. */
    public List<ReportedConnection> connections() {
        return connections;
    }

    /** The selected findings, by connection, errors first. */
    public List<ReportedFinding> findings() {
        return findings;
    }

    /** The selected findings of {@code c}. */
    public List<ReportedFinding> findingsOf(ReportedConnection c) {
        return byConnection.getOrDefault(c, List.of());
    }

    public Selection selection() {
        return selection;
    }

    /** The least severity that fails the run, null for never. */
    public Severity failOn() {
        return failOn;
    }

    /** --connection ids that matched no connection. */
    public List<String> unmatchedIds() {
        return Collections.unmodifiableList(unmatchedIds);
    }

    /** Selected findings at or above --fail-on. */
    public long failing() {
        return failOn == null ? 0 : findings.stream().filter(f -> f.severity().compareTo(failOn) >= 0).count();
    }

    /** {@link #FINDINGS} when a selected finding is at or above --fail-on, else {@link #CLEAN}. */
    public int exitCode() {
        return failing() > 0 ? FINDINGS : CLEAN;
    }

    /** Selected connections by outcome, every outcome present. */
    public Map<Outcome, Long> outcomes() {
        Map<Outcome, Long> m = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            m.put(o, 0L);
        }
        for (ReportedConnection c : connections) {
            if (c.outcome() != null) {
                m.merge(c.outcome(), 1L, Long::sum);
            }
        }
        return m;
    }

    /** Selected findings by severity, most severe first, every severity present. */
    public Map<Severity, Long> severities() {
        Map<Severity, Long> m = new java.util.LinkedHashMap<>();
        for (Severity s : new Severity[] {Severity.ERROR, Severity.WARNING, Severity.INFO}) {
            m.put(s, 0L);
        }
        for (ReportedFinding f : findings) {
            m.merge(f.severity(), 1L, Long::sum);
        }
        return m;
    }

    /** Selected findings by rule, in catalogue order, only rules that occur. */
    public Map<Rule, Long> rules() {
        Map<Rule, Long> m = new EnumMap<>(Rule.class);
        for (ReportedFinding f : findings) {
            m.merge(f.rule(), 1L, Long::sum);
        }
        return m;
    }

    /** Connections of {@code in} that never became WebSocket (not reported). */
    public static long otherConnections(CaptureInput in) {
        long n = 0;
        for (Reconstruction r : in.replay().reconstructions().values()) {
            if (!r.webSocket()) {
                n++;
            }
        }
        return n;
    }

    /** Inputs with damage or a torn tail. */
    public long damagedInputs() {
        return inputs.stream().filter(i -> !i.read().clean()).count();
    }
}
