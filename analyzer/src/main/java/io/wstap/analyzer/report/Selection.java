package io.wstap.analyzer.report;

import io.wstap.engine.Rule;
import io.wstap.engine.Severity;

import java.util.List;
import java.util.Set;

/**
 * What the user asked to see: findings at or above a severity, of some rules, on some connections. Filters apply to
 * the report and to the exit code alike.
 *
 * @param minSeverity   findings below it are left out
 * @param rules         only findings of these rules (empty: all)
 * @param connectionIds only these connections (empty: all); an id matches a connection's id ("1:7+2:3"), one of its
 *                      views' ids ("2:3"), or a capture's connection id in any input ("3")
 */
public record Selection(Severity minSeverity, Set<Rule> rules, List<String> connectionIds) {
    public static final Selection ALL = new Selection(Severity.INFO, Set.of(), List.of());

    public Selection {
        rules = Set.copyOf(rules);
        connectionIds = List.copyOf(connectionIds);
    }

    boolean selects(ReportedFinding f) {
        return f.severity().compareTo(minSeverity) >= 0 && (rules.isEmpty() || rules.contains(f.rule()));
    }

    boolean selects(ReportedConnection c) {
        if (connectionIds.isEmpty()) {
            return true;
        }
        for (String id : connectionIds) {
            if (matches(c, id)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(ReportedConnection c, String id) {
        if (c.id().equals(id)) {
            return true;
        }
        for (View v : c.views()) {
            if (v.id().equals(id) || Long.toString(v.connectionId()).equals(id)) {
                return true;
            }
        }
        return false;
    }
}
