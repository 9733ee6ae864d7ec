package io.wstap.analyzer.report;

import io.wstap.analyzer.source.CaptureInput;
import io.wstap.analyzer.source.ConnectionLog;
import io.wstap.capture.CaptureReplay;
import io.wstap.capture.Transport;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Finding;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.Rule;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One connection as one capture saw it: the engine's {@link Reconstruction} from the capturing JVM's side (LOCAL is
 * that JVM), its addresses, timeline and stacks. Two views of one TCP connection (its client's capture and its
 * server's) make one {@link ReportedConnection}.
 */
public final class View {
    /** Rules about a Close frame a side sent: the stack of that Close frame tells who sent it. */
    static final Set<Rule> CLOSE_FRAME_RULES = EnumSet.of(Rule.CLOSE_PAYLOAD_ONE_BYTE, Rule.RESERVED_CLOSE_CODE_SENT,
            Rule.INVALID_CLOSE_CODE, Rule.INVALID_CLOSE_REASON, Rule.APPLICATION_USED_1002, Rule.WRONG_SIDE_CLOSE_CODE,
            Rule.DATA_AFTER_CLOSE, Rule.SLOW_CLOSE_HANDSHAKE, Rule.CLOSE_CODE_NOT_ECHOED);
    /** Rules about a side ending TCP: the stack of its close() tells who dropped the connection. */
    static final Set<Rule> CLOSE_CALL_RULES = EnumSet.of(Rule.MISSING_CLOSE_FRAME, Rule.CLOSE_NOT_ANSWERED,
            Rule.CLIENT_CLOSED_TCP_FIRST, Rule.CLOSED_DURING_OPENING_HANDSHAKE, Rule.CONNECTION_RESET);

    private final CaptureInput input;
    private final long connectionId;
    private final Reconstruction r;
    private final CaptureReplay.Endpoints endpoints;
    private final ConnectionLog log;
    private String id;

    View(CaptureInput input, long connectionId, Reconstruction r) {
        this.input = input;
        this.connectionId = connectionId;
        this.r = r;
        this.endpoints = input.replay().endpoints(connectionId);
        this.log = input.log(connectionId);
        this.id = Long.toString(connectionId);
    }

    /** The id reports use: the capture's connection id, prefixed with the input's index when there are several. */
    public String id() {
        return id;
    }

    void prefixWithInput() {
        id = input.index() + ":" + connectionId;
    }

    public CaptureInput input() {
        return input;
    }

    /** The capture's connection id. */
    public long connectionId() {
        return connectionId;
    }

    public Reconstruction reconstruction() {
        return r;
    }

    public ConnectionLog log() {
        return log;
    }

    /** The role of the capturing JVM's end of the connection, null while roles are unknown. */
    public Role capturedAt() {
        return r.roleOf(Endpoint.LOCAL);
    }

    /** "ip:port" of the capturing JVM's end, null when the declaration was lost. */
    public String local() {
        return endpoints == null ? null : endpoints.local();
    }

    /** "ip:port" of the peer, null when the declaration was lost. */
    public String remote() {
        return endpoints == null ? null : endpoints.remote();
    }

    /** Plain or TLS, null when the declaration was lost. */
    public Transport transport() {
        return endpoints == null ? null : endpoints.transport();
    }

    /** The address of the side with {@code role}, null when unknown. */
    public String address(Role role) {
        Endpoint e = endpointOf(role);
        return e == null ? null : e == Endpoint.LOCAL ? local() : remote();
    }

    /** The endpoint of the side with {@code role} in this view, null while roles are unknown. */
    public Endpoint endpointOf(Role role) {
        if (role == null || r.clientEndpoint() == null) {
            return null;
        }
        return role == Role.CLIENT ? r.clientEndpoint() : r.clientEndpoint().other();
    }

    /** "client" / "server", or "local" / "remote" while roles are unknown. */
    public String who(Endpoint e) {
        Role role = r.roleOf(e);
        return role != null ? role.label() : e.name().toLowerCase(Locale.ROOT);
    }

    /** The base of this view's relative times: its first event in the capture. */
    public long base() {
        if (log.firstTime() != Long.MIN_VALUE) {
            return log.firstTime();
        }
        return r.requestTimeNanos() >= 0 ? r.requestTimeNanos() : 0;
    }

    /** Wall-clock epoch nanos of capture time {@code t}, or Long.MIN_VALUE when the capture's anchor is unknown. */
    public long epochNanos(long t) {
        return input.hasWallClock() ? input.header().epochNanos(t) : Long.MIN_VALUE;
    }

    /** The view's start for ordering two views of one address pair: wall clock when known, else capture time. */
    long startKey() {
        long e = epochNanos(base());
        return e != Long.MIN_VALUE ? e : base();
    }

    /** The view's last event, like {@link #startKey()}. */
    long endKey() {
        long last = log.lastTime() != Long.MIN_VALUE ? log.lastTime() : base();
        long e = epochNanos(last);
        return e != Long.MIN_VALUE ? e : last;
    }

    /** What a stack would show for {@code rule} about the side {@code side}: "close()" or "Close frame", or null. */
    static String stackKind(Rule rule) {
        return CLOSE_CALL_RULES.contains(rule) ? "close()" : CLOSE_FRAME_RULES.contains(rule) ? "Close frame" : null;
    }

    /**
     * The stack this capture holds for a finding about the side {@code side} (empty when that side is not this JVM or
     * the agent kept none): its close() for WS301/302/304/308/309, its Close frame for WS2xx, WS303, WS306, WS307 and
     * for a framing finding on that very Close frame.
     *
     * @param own the finding when this view raised it (its frame index and time point at the frame), else null
     */
    List<String> stack(Rule rule, Role side, Finding own) {
        Endpoint e = own != null ? own.endpoint() : endpointOf(side);
        if (e != Endpoint.LOCAL) {
            return List.of();
        }
        CaptureReplay replay = input.replay();
        if (CLOSE_CALL_RULES.contains(rule)) {
            return replay.closeCallStack(connectionId);
        }
        if (own != null && own.frameIndex() >= 0) {
            for (CloseRecord c : r.closeFrames()) {
                if (c.from() == Endpoint.LOCAL && c.frameIndex() == own.frameIndex()) {
                    return replay.closeFrameStack(connectionId);
                }
            }
            if (CLOSE_FRAME_RULES.contains(rule)) {
                int s = log.localCloseStackAt(own.timeNanos());
                if (s >= 0) {
                    return replay.stack(s);
                }
            }
        }
        return CLOSE_FRAME_RULES.contains(rule) ? replay.closeFrameStack(connectionId) : List.of();
    }

    @Override
    public String toString() {
        return "view " + id + " of " + input.file();
    }
}
