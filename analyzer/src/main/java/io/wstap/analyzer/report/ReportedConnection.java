package io.wstap.analyzer.report;

import io.wstap.engine.CloseEvent;
import io.wstap.engine.Finding;
import io.wstap.engine.Outcome;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One WebSocket connection in a report: one view (the connection seen from one captured JVM), or two when both of its
 * ends were captured (see {@link Merger} for how they are paired and combined). The top-level facts (outcome, who
 * closed TCP, Close frames and their times) are the primary view's, except what each application saw, which comes from
 * that application's own view, and frame counts, which come from the sender's own view.
 */
public final class ReportedConnection {
    final List<View> views = new ArrayList<>(2);
    View primary;
    View clientView;
    View serverView;
    Outcome outcome;
    Role initiator;
    Role tcpClosedBy;
    TcpEnd tcpEnd;
    long tcpCloseTimeNanos = -1;
    CloseEvent clientSaw;
    CloseEvent serverSaw;
    long clientFrames = -1;
    long serverFrames = -1;
    String merge;
    final List<ReportedFinding> findings = new ArrayList<>();
    /** Findings of a non-primary view left out because the primary view decides them (who closed TCP). */
    final Map<View, List<Finding>> superseded = new LinkedHashMap<>();
    private String id;

    /** "7", "2:7", or "1:7+2:3" for a connection seen from two captures. */
    public String id() {
        if (id == null) {
            StringBuilder s = new StringBuilder();
            for (View v : views) {
                s.append(s.length() == 0 ? "" : "+").append(v.id());
            }
            id = s.toString();
        }
        return id;
    }

    /** The views, ordered by input and connection id. */
    public List<View> views() {
        return views;
    }

    /** The view whose times and outcome the top-level fields give. */
    public View primary() {
        return primary;
    }

    /** The view from the client's own JVM, null when the client was not captured. */
    public View clientView() {
        return clientView;
    }

    /** The view from the server's own JVM, null when the server was not captured. */
    public View serverView() {
        return serverView;
    }

    public boolean merged() {
        return views.size() > 1;
    }

    public Outcome outcome() {
        return outcome;
    }

    public Role initiator() {
        return initiator;
    }

    public Role tcpClosedBy() {
        return tcpClosedBy;
    }

    public TcpEnd tcpEnd() {
        return tcpEnd;
    }

    /** When TCP was first closed, in the primary view's clock; -1 while open. */
    public long tcpCloseTimeNanos() {
        return tcpCloseTimeNanos;
    }

    public CloseEvent clientSaw() {
        return clientSaw;
    }

    public CloseEvent serverSaw() {
        return serverSaw;
    }

    /** Frames the client sent, -1 when roles are unknown. */
    public long clientFrames() {
        return clientFrames;
    }

    /** Frames the server sent, -1 when roles are unknown. */
    public long serverFrames() {
        return serverFrames;
    }

    /** For a connection seen from two captures, how the views were combined (one sentence); null otherwise. */
    public String merge() {
        return merge;
    }

    /** Every finding of the connection (before selection), errors first. */
    public List<ReportedFinding> findings() {
        return findings;
    }

    /** Findings of {@code v} that the combined report leaves out because the primary view decides them. */
    public List<Finding> superseded(View v) {
        return superseded.getOrDefault(v, List.of());
    }

    /** The client's "ip:port", null when unknown. */
    public String client() {
        return known(clientView, serverView, Role.CLIENT);
    }

    /** The server's "ip:port", null when unknown. */
    public String server() {
        return known(serverView, clientView, Role.SERVER);
    }

    /** The side's own view's name for it, else the other view's (a client's SSLEngine does not know its own). */
    private String known(View own, View other, Role role) {
        String a = own != null ? own.address(role) : primary.address(role);
        if ((a == null || a.indexOf('?') >= 0) && other != null && other.address(role) != null) {
            return other.address(role);
        }
        return a;
    }
}
