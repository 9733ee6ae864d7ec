package io.wstap.analyzer.report;

import io.wstap.engine.Finding;
import io.wstap.engine.Role;
import io.wstap.engine.Rule;
import io.wstap.engine.Severity;

import java.util.ArrayList;
import java.util.List;

/**
 * A finding as reported: the engine's {@link Finding}, the connection it belongs to, the view that raised it (and the
 * other view that raised it too, for a connection captured at both ends), and the stack of the side at fault where a
 * capture of that side holds one.
 */
public final class ReportedFinding {
    private final Finding finding;
    private final View view;
    private final List<View> seenBy = new ArrayList<>(2);
    private ReportedConnection connection;
    private List<String> stack = List.of();

    ReportedFinding(Finding finding, View view) {
        this.finding = finding;
        this.view = view;
        this.seenBy.add(view);
    }

    public Finding finding() {
        return finding;
    }

    public Rule rule() {
        return finding.rule();
    }

    public Severity severity() {
        return finding.severity();
    }

    /** The view whose engine raised it (its times are in that capture's clock). */
    public View view() {
        return view;
    }

    /** Every view that raised it (two when both ends were captured and both saw it). */
    public List<View> seenBy() {
        return seenBy;
    }

    void alsoSeenBy(View v) {
        seenBy.add(v);
    }

    public ReportedConnection connection() {
        return connection;
    }

    void connection(ReportedConnection c) {
        this.connection = c;
    }

    /** The role of the side at fault, null when it is the connection's (or roles are unknown). */
    public Role role() {
        return finding.role();
    }

    /** "client" / "server", "local" / "remote" (roles unknown), or null for a connection-level finding. */
    public String side() {
        return finding.endpoint() == null ? null : view.who(finding.endpoint());
    }

    /** The stack of the side at fault (top first), empty when none was captured. */
    public List<String> stack() {
        return stack;
    }

    /** What the stack is of: "close()" or "Close frame". */
    public String stackKind() {
        String k = View.stackKind(rule());
        return k != null ? k : "Close frame";
    }

    void stack(List<String> s) {
        this.stack = s;
    }

    /** Relative time of the first occurrence, in ms from the reporting view's first event. */
    public double atMs() {
        return (finding.timeNanos() - view.base()) / 1e6;
    }
}
