package io.wstap.analyzer.report;

import io.wstap.analyzer.source.CaptureInput;
import io.wstap.engine.Finding;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.Rule;
import io.wstap.wire.HttpHead;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the inputs' connections into report connections, showing a TCP connection captured at both ends (a client
 * capture and a server capture, or both ends inside one JVM's capture) once, with both views. docs/report-json.md,
 * "One connection, two captures", states the rule; in short:
 *
 * <ol>
 *   <li><b>Pairing.</b> A view whose JVM is the client and one whose JVM is the server pair when the client's local
 *       address is the server's remote one and vice versa ("ip:port", IPv4-mapped IPv6 read as IPv4; unknown addresses
 *       never pair). Views whose lifetimes are more than a minute apart (wall clock) do not pair; several candidates for
 *       one address pair (a port reused) pair by nearest start time. A client view that does not know its own address
 *       (a client's SSLEngine knows only its peer) pairs by the server address and the Sec-WebSocket-Key, a per-connection
 *       nonce both opening handshakes hold.</li>
 *   <li><b>Who closed TCP first.</b> A view that saw the peer's TCP close before its own is evidence (the peer's FIN
 *       or reset arrived first). Without evidence each view saw only its own close first (a socket closed without
 *       reading never sees the peer's FIN): when both ends are in one capture their close times share a clock and the
 *       earlier wins; across captures the server's view decides. A view that saw no TCP close defers to the other.</li>
 *   <li><b>Combined facts.</b> The primary view is the closer's own (it knows the state it closed in: the other
 *       side reads the close only later, perhaps after writing a 101 or a frame in vain), else the one that agrees with
 *       that decision (the server's when both do): it gives the outcome, TCP end and Close frames. Each application's CloseEvent comes from its own view,
 *       each side's frame count from the sender's view. Findings are the union (one per rule and side at fault), except
 *       that the findings that depend on who closed TCP first (WS301, WS302, WS304, WS305, WS308) come from the primary
 *       view only; the other view's are listed as superseded.</li>
 * </ol>
 */
final class Merger {
    /** Findings decided by the order of TCP closes: taken from the primary view only. */
    static final Set<Rule> TCP_ORDER_RULES = EnumSet.of(Rule.MISSING_CLOSE_FRAME, Rule.CLOSE_NOT_ANSWERED,
            Rule.CLIENT_CLOSED_TCP_FIRST, Rule.TCP_LINGERS_AFTER_CLOSE, Rule.CLOSED_DURING_OPENING_HANDSHAKE);

    /** How far apart two machines' wall clocks may be for their views of one connection to pair. */
    static final long CLOCK_SKEW_NANOS = 60_000_000_000L;

    private static final Comparator<ReportedFinding> FINDING_ORDER = Comparator
            .comparing((ReportedFinding f) -> f.severity().ordinal(), Comparator.reverseOrder())
            .thenComparing(f -> f.rule().id())
            .thenComparing(f -> f.side() == null ? "" : f.side());

    private Merger() {
    }

    /** Every WebSocket connection of the inputs, in input order and order first seen; both-end pairs once. */
    static List<ReportedConnection> connections(List<CaptureInput> inputs) {
        List<View> views = new ArrayList<>();
        for (CaptureInput in : inputs) {
            for (Map.Entry<Long, Reconstruction> e : in.replay().reconstructions().entrySet()) {
                if (e.getValue().webSocket()) {
                    View v = new View(in, e.getKey(), e.getValue());
                    if (inputs.size() > 1) {
                        v.prefixWithInput();
                    }
                    views.add(v);
                }
            }
        }
        Map<View, View> partner = pair(views);
        List<ReportedConnection> out = new ArrayList<>();
        Set<View> done = new HashSet<>();
        for (View v : views) {
            if (!done.add(v)) {
                continue;
            }
            View p = partner.get(v);
            if (p == null) {
                out.add(single(v));
            } else {
                done.add(p);
                out.add(merged(v.capturedAt() == Role.CLIENT ? v : p, v.capturedAt() == Role.CLIENT ? p : v));
            }
        }
        return out;
    }

    // ---- pairing ----------------------------------------------------------------------------------------------------

    private static Map<View, View> pair(List<View> views) {
        Map<String, List<View>> clients = new LinkedHashMap<>();
        Map<String, List<View>> servers = new HashMap<>();
        for (View v : views) {
            Role at = v.capturedAt();
            String c = normalise(v.address(Role.CLIENT));
            String s = normalise(v.address(Role.SERVER));
            if (at == null || c == null || s == null) {
                continue;
            }
            (at == Role.CLIENT ? clients : servers).computeIfAbsent(c + " " + s, k -> new ArrayList<>()).add(v);
        }
        Map<View, View> partner = new IdentityHashMap<>();
        for (Map.Entry<String, List<View>> e : clients.entrySet()) {
            List<View> ss = servers.get(e.getKey());
            if (ss == null) {
                continue;
            }
            List<View[]> candidates = new ArrayList<>();
            for (View c : e.getValue()) {
                for (View s : ss) {
                    if (couldOverlap(c, s)) {
                        candidates.add(new View[] {c, s});
                    }
                }
            }
            candidates.sort(Comparator.comparingLong(p -> Math.abs(p[0].startKey() - p[1].startKey())));
            for (View[] p : candidates) {
                if (!partner.containsKey(p[0]) && !partner.containsKey(p[1])) {
                    partner.put(p[0], p[1]);
                    partner.put(p[1], p[0]);
                }
            }
        }
        pairByHandshakeKey(views, partner);
        return partner;
    }

    /**
     * A view that does not know one of its addresses (a client's SSLEngine knows only its peer) pairs with the view of
     * the other end that names the same server and carries the same Sec-WebSocket-Key: a random nonce per connection,
     * which both ends' opening handshakes hold.
     */
    private static void pairByHandshakeKey(List<View> views, Map<View, View> partner) {
        Map<String, View> servers = new HashMap<>();
        Set<String> repeated = new HashSet<>(); // a key seen twice pairs nothing: no guessing
        for (View v : views) {
            String key = handshakeKey(v);
            if (v.capturedAt() == Role.SERVER && key != null && !partner.containsKey(v)
                    && servers.putIfAbsent(key, v) != null) {
                repeated.add(key);
            }
        }
        servers.keySet().removeAll(repeated);
        for (View c : views) {
            String key = handshakeKey(c);
            if (c.capturedAt() != Role.CLIENT || key == null || partner.containsKey(c)
                    || normalise(c.address(Role.CLIENT)) != null) {
                continue;
            }
            View s = servers.get(key);
            String server = normalise(c.address(Role.SERVER));
            if (s != null && !partner.containsKey(s) && server != null && server.equals(normalise(s.address(Role.SERVER)))
                    && couldOverlap(c, s)) {
                partner.put(c, s);
                partner.put(s, c);
            }
        }
    }

    private static String handshakeKey(View v) {
        HttpHead request = v.reconstruction().request();
        return request == null ? null : request.key();
    }

    /**
     * False when both captures have a wall clock and the views' lifetimes are more than {@link #CLOCK_SKEW_NANOS} apart:
     * the same addresses, but another day's connection (a port reused, or captures of different runs read together).
     */
    static boolean couldOverlap(View a, View b) {
        if (!a.input().hasWallClock() || !b.input().hasWallClock()) {
            return true;
        }
        return a.startKey() <= b.endKey() + CLOCK_SKEW_NANOS && b.startKey() <= a.endKey() + CLOCK_SKEW_NANOS;
    }

    /** "ip:port" as both ends would write it; null when unknown ("?" anywhere). */
    static String normalise(String address) {
        if (address == null || address.indexOf('?') >= 0) {
            return null;
        }
        String a = address.toLowerCase(Locale.ROOT);
        if (a.startsWith("[::ffff:") && a.indexOf(']') > 8 && a.substring(8, a.indexOf(']')).indexOf(':') < 0) {
            a = a.substring(8, a.indexOf(']')) + a.substring(a.indexOf(']') + 1);
        }
        return a;
    }

    // ---- one view ---------------------------------------------------------------------------------------------------

    private static ReportedConnection single(View v) {
        Reconstruction r = v.reconstruction();
        ReportedConnection c = new ReportedConnection();
        c.views.add(v);
        c.primary = v;
        c.clientView = v.capturedAt() == Role.CLIENT ? v : null;
        c.serverView = v.capturedAt() == Role.SERVER ? v : null;
        c.outcome = r.outcome();
        c.initiator = r.initiatorRole();
        c.tcpClosedBy = r.tcpClosedByRole();
        c.tcpEnd = r.tcpEnd();
        c.tcpCloseTimeNanos = r.tcpCloseTimeNanos();
        c.clientSaw = r.clientSaw();
        c.serverSaw = r.serverSaw();
        c.clientFrames = r.framesFrom(Role.CLIENT);
        c.serverFrames = r.framesFrom(Role.SERVER);
        for (Finding f : r.findings()) {
            ReportedFinding rf = new ReportedFinding(f, v);
            rf.stack(v.stack(f.rule(), f.role(), f));
            c.findings.add(rf);
        }
        return finish(c);
    }

    // ---- two views --------------------------------------------------------------------------------------------------

    private static ReportedConnection merged(View client, View server) {
        Reconstruction rc = client.reconstruction();
        Reconstruction rs = server.reconstruction();
        ReportedConnection c = new ReportedConnection();
        c.views.add(client);
        c.views.add(server);
        c.views.sort(Comparator.comparingInt((View v) -> v.input().index()).thenComparingLong(View::connectionId));
        c.clientView = client;
        c.serverView = server;

        Role cFirst = rc.tcpClosedByRole();
        Role sFirst = rs.tcpClosedByRole();
        boolean serverFirstSeen = cFirst == Role.SERVER; // the client read the server's close before closing itself
        boolean clientFirstSeen = sFirst == Role.CLIENT;
        Role closer;
        String why;
        if (serverFirstSeen && !clientFirstSeen) {
            closer = Role.SERVER;
            why = "the client's view saw the server's TCP close before its own";
        } else if (clientFirstSeen && !serverFirstSeen) {
            closer = Role.CLIENT;
            why = "the server's view saw the client's TCP close before its own";
        } else if (clientFirstSeen) {
            closer = sFirst;
            why = "each view saw the other's TCP close first (the closes crossed): the server's view decides";
        } else if (cFirst == null && sFirst == null) {
            closer = null;
            why = "TCP was still open in both views";
        } else if (cFirst == null) {
            closer = sFirst;
            why = "only the server's view saw TCP close";
        } else if (sFirst == null) {
            closer = cFirst;
            why = "only the client's view saw TCP close";
        } else if (client.input() == server.input()) {
            closer = rc.tcpCloseTimeNanos() < rs.tcpCloseTimeNanos() ? Role.CLIENT : Role.SERVER;
            why = "both ends are in one capture (one clock) and the " + closer.label() + "'s close() came first";
        } else {
            closer = Role.SERVER;
            why = "each view saw only its own TCP close first (a side that closes without reading never sees the "
                    + "peer's FIN): the server's view decides";
        }
        // The closer's own view knows the state it closed in (the other learns of the close only when it reads it,
        // perhaps after writing more): it decides when it saw its own close first; else the server's that agrees.
        View closersOwn = closer == Role.CLIENT ? client : server;
        View primary = closer != null && closersOwn.reconstruction().tcpClosedByRole() == closer ? closersOwn
                : closer == null || rs.tcpClosedByRole() == closer ? server
                : rc.tcpClosedByRole() == closer ? client : server;
        Reconstruction rp = primary.reconstruction();
        c.primary = primary;
        c.outcome = rp.outcome();
        c.tcpClosedBy = closer;
        c.tcpEnd = rp.tcpEnd();
        c.tcpCloseTimeNanos = rp.tcpCloseTimeNanos();
        Role cInit = rc.initiatorRole();
        Role sInit = rs.initiatorRole();
        boolean serverInitSeen = cInit == Role.SERVER; // the client received the server's Close before sending its own
        boolean clientInitSeen = sInit == Role.CLIENT;
        c.initiator = serverInitSeen == clientInitSeen ? rp.initiatorRole() : serverInitSeen ? Role.SERVER : Role.CLIENT;
        c.clientSaw = rc.clientSaw() != null ? rc.clientSaw() : rp.clientSaw();
        c.serverSaw = rs.serverSaw() != null ? rs.serverSaw() : rp.serverSaw();
        c.clientFrames = rc.framesFrom(Role.CLIENT);
        c.serverFrames = rs.framesFrom(Role.SERVER);
        c.merge = "both ends captured: the client's view " + client.id() + " and the server's view " + server.id()
                + "; who closed TCP first: " + why + "; outcome from the " + (primary == server ? "server" : "client")
                + "'s view";

        Map<String, ReportedFinding> byKey = new LinkedHashMap<>();
        Map<ReportedFinding, Finding> fromSide = new IdentityHashMap<>();
        View other = primary == server ? client : server;
        for (View v : List.of(primary, other)) {
            for (Finding f : v.reconstruction().findings()) {
                String key = f.rule().id() + "/" + (f.role() == null ? "-" : f.role().label());
                ReportedFinding existing = byKey.get(key);
                if (existing != null) {
                    existing.alsoSeenBy(v);
                } else if (v != primary && TCP_ORDER_RULES.contains(f.rule())) {
                    c.superseded.computeIfAbsent(v, k -> new ArrayList<>()).add(f);
                    continue;
                } else {
                    existing = new ReportedFinding(f, v);
                    byKey.put(key, existing);
                }
                if (f.role() != null && v.capturedAt() == f.role()) {
                    fromSide.put(existing, f); // the at-fault side's own finding: its frame index and time find the stack
                }
            }
        }
        for (ReportedFinding rf : byKey.values()) {
            Role side = rf.role();
            View sideView = side == Role.CLIENT ? client : side == Role.SERVER ? server : null;
            if (sideView != null) {
                rf.stack(sideView.stack(rf.rule(), side, fromSide.get(rf)));
            }
            c.findings.add(rf);
        }
        return finish(c);
    }

    private static ReportedConnection finish(ReportedConnection c) {
        c.findings.sort(FINDING_ORDER);
        for (ReportedFinding f : c.findings) {
            f.connection(c);
        }
        return c;
    }
}
