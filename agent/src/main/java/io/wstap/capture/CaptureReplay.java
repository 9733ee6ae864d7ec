package io.wstap.capture;

import io.wstap.engine.Connection;
import io.wstap.engine.ConnectionObserver;
import io.wstap.engine.EngineOptions;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Replays a capture into the engine (the analyzer's way of reading a .wstap file, and the tests'): one {@link Connection} per connection id, fed through the event path exactly as
 * the live engine fed itself. A connection whose declaration was lost is treated as joined mid-stream at its first
 * frame (roles from masking). Call {@link #finish()} after the read: without an end-of-capture record (a capture cut
 * short) the connections end at the last time seen.
 */
public final class CaptureReplay implements CaptureSink {
    private final LongFunction<EngineOptions> options;
    /** What the capture says of a connection besides its events. */
    public record Endpoints(String local, String remote, Transport transport) {
    }

    final Map<Long, Connection> connections = new LinkedHashMap<>();
    private final Map<Long, Endpoints> endpoints = new HashMap<>();
    /** Stack ids of each connection's first local Close frame and of its local close(), when captured. */
    private final Map<Long, Integer> closeFrameStacks = new HashMap<>();
    private final Map<Long, Integer> closeCallStacks = new HashMap<>();
    private final Set<Long> awaitingJoin = new HashSet<>();
    final List<Long> undeclared = new ArrayList<>();
    final Map<Integer, List<String>> stacks = new HashMap<>();
    private long lastTime = Long.MIN_VALUE;
    private long lostRecords;
    private long tapErrors;
    private boolean ended;
    private boolean endRecordSeen;

    public CaptureReplay(LongFunction<EngineOptions> options) {
        this.options = options;
    }

    public CaptureReplay() {
        this(id -> EngineOptions.DEFAULTS);
    }

    /** Reads {@code file} (and the files rotated after it, if any) and replays it; the report says what was lost. */
    public static ReadReport replay(java.nio.file.Path file, CaptureReplay into) throws CaptureException, java.io.IOException {
        try (CaptureReader reader = CaptureReader.open(file)) {
            ReadReport report = reader.readAll(into);
            into.finish();
            return report;
        }
    }

    private Connection conn(long id, long t) {
        lastTime = Math.max(lastTime, t);
        return connections.computeIfAbsent(id, k -> new Connection(k, options.apply(k), ConnectionObserver.NONE));
    }

    @Override
    public void connection(long id, long t, String local, String remote, Transport transport) {
        lastTime = Math.max(lastTime, t);
        connections.put(id, new Connection(id, options.apply(id), ConnectionObserver.NONE));
        endpoints.put(id, new Endpoints(local, remote, transport));
        awaitingJoin.remove(id);
    }

    @Override
    public void joinedMidStream(long id, long t, Role localRole, Protocol protocol) {
        awaitingJoin.remove(id);
        conn(id, t).joinMidStream(localRole, protocol);
    }

    @Override
    public void handshake(long id, long t, Endpoint sender, HttpHead head) {
        if (awaitingJoin.contains(id) && !head.request()) {
            lastTime = Math.max(lastTime, t);
            return; // its request was lost: the connection joins at its first frame instead
        }
        awaitingJoin.remove(id);
        conn(id, t).onHandshake(sender, t, head);
    }

    @Override
    public void frame(long id, long t, Endpoint sender, Frame frame, int stackId) {
        Connection c = conn(id, t);
        if (awaitingJoin.remove(id)) {
            c.joinMidStream(null, frame.hixie() ? Protocol.HIXIE76 : Protocol.RFC6455);
        }
        if (stackId >= 0 && sender == Endpoint.LOCAL && frame.opcode() == io.wstap.wire.Opcode.CLOSE) {
            closeFrameStacks.putIfAbsent(id, stackId);
        }
        c.onFrame(sender, t, frame);
    }

    @Override
    public void invalidText(long id, long t, Endpoint sender, long offset) {
        conn(id, t).onInvalidText(sender, t, offset);
    }

    @Override
    public void tcpClosed(long id, long t, Endpoint endpoint, TcpEnd how, int stackId) {
        if (stackId >= 0 && endpoint == Endpoint.LOCAL) {
            closeCallStacks.putIfAbsent(id, stackId);
        }
        conn(id, t).onTcpClosed(endpoint, how, t);
    }

    @Override
    public void stack(int stackId, List<String> frames) {
        stacks.put(stackId, frames);
    }

    @Override
    public void lost(long t, long records) {
        lostRecords += records;
        lastTime = Math.max(lastTime, t);
    }

    @Override
    public void tapErrors(long t, long connectionId, long count) {
        tapErrors = Math.max(tapErrors, count); // the agent reports its running total
        lastTime = Math.max(lastTime, t);
    }

    @Override
    public void endOfCapture(long t) {
        endRecordSeen = true;
        end(t);
    }

    private void end(long t) {
        ended = true;
        for (Connection c : connections.values()) {
            c.onEndOfCapture(t);
        }
    }

    /**
     * True when the capture ended with its end record (the agent closed it); false when it was cut short (the JVM was
     * killed, or the file copied while written): then {@link #finish()} ends it at the last time seen.
     */
    public boolean endRecordSeen() {
        return endRecordSeen;
    }

    @Override
    public void undeclaredConnection(long id, long t) {
        undeclared.add(id);
        conn(id, t);
        awaitingJoin.add(id);
    }

    /** Ends the capture at the last time seen when the file had no end-of-capture record. */
    public CaptureReplay finish() {
        if (!ended && lastTime != Long.MIN_VALUE) {
            end(lastTime);
        }
        return this;
    }

    /** Addresses and transport of {@code id}, or null when its declaration was lost. */
    public Endpoints endpoints(long id) {
        return endpoints.get(id);
    }

    /** The frames of stack {@code stackId}, or an empty list. */
    public List<String> stack(int stackId) {
        return stacks.getOrDefault(stackId, List.of());
    }

    /** The stack that wrote {@code id}'s first local Close frame, or an empty list. */
    public List<String> closeFrameStack(long id) {
        Integer s = closeFrameStacks.get(id);
        return s == null ? List.of() : stack(s);
    }

    /** The stack of {@code id}'s local close(), or an empty list. */
    public List<String> closeCallStack(long id) {
        Integer s = closeCallStacks.get(id);
        return s == null ? List.of() : stack(s);
    }

    /** Records the agent's ring dropped under overload (the capture says how many). */
    public long lostRecords() {
        return lostRecords;
    }

    /** Internal errors the agent's tap counted (each stopped the tap for one connection). */
    public long tapErrors() {
        return tapErrors;
    }

    /** Ids of connections whose declaration was lost (damaged block). */
    public List<Long> undeclared() {
        return undeclared;
    }

    /** Every connection's reconstruction, by id, in the order first seen. */
    public Map<Long, Reconstruction> reconstructions() {
        Map<Long, Reconstruction> r = new LinkedHashMap<>();
        connections.forEach((id, c) -> r.put(id, c.reconstruction()));
        r.putAll(given);
        return r;
    }

    private final Map<Long, Reconstruction> given = new LinkedHashMap<>();

    /**
     * For a source that holds the live engine's reconstruction itself rather than the events to rebuild it (a JFR
     * recording): adds connection {@code id} as given, with its addresses and the stacks of its first local Close frame
     * and its local close() (empty when none).
     */
    public void put(Reconstruction r, Endpoints e, List<String> closeFrameStack, List<String> closeCallStack) {
        long id = r.connectionId();
        given.put(id, r);
        endpoints.put(id, e);
        if (!closeFrameStack.isEmpty()) {
            int s = -2 - stacks.size(); // negative: never clashes with a capture's own stack ids
            stacks.put(s, List.copyOf(closeFrameStack));
            closeFrameStacks.put(id, s);
        }
        if (!closeCallStack.isEmpty()) {
            int s = -2 - stacks.size();
            stacks.put(s, List.copyOf(closeCallStack));
            closeCallStacks.put(id, s);
        }
    }
}
