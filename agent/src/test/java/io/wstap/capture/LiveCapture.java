package io.wstap.capture;

import io.wstap.capture.ScenarioAccess.Scenario;
import io.wstap.capture.ScenarioAccess.Step;
import io.wstap.engine.Connection;
import io.wstap.engine.ConnectionObserver;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Plays scenarios through real {@link Connection}s (the byte path, as the agent does) and forwards every event their
 * observer sees into a {@link CaptureSink}, as the agent's recorder does: the connection event first, Close frames and
 * TCP closes of the local side with a stack.
 */
final class LiveCapture {
    static final List<String> CLOSE_STACK = List.of("com.example.chat.ChatEndpoint.onClose(ChatEndpoint.java:88)",
            "org.eclipse.jetty.websocket.core.WebSocketCoreSession.close(WebSocketCoreSession.java:251)");
    static final List<String> TCP_STACK = List.of("java.net.Socket.close(Socket.java:1500)",
            "com.example.chat.ChatEndpoint.drop(ChatEndpoint.java:120)", "com.example.chat.Räumer.run(Räumer.java:7)");
    static final int CLOSE_STACK_ID = 3;
    static final int TCP_STACK_ID = 4;

    /** Something to call between events (e.g. the writer's flush). */
    interface Flusher {
        void flush() throws IOException;
    }

    /** The agent's recorder in miniature: observer events to sink events. */
    static final class Forward implements ConnectionObserver {
        final CaptureSink sink;
        long now;
        private boolean closeStackDeclared;
        private boolean tcpStackDeclared;

        Forward(CaptureSink sink) {
            this.sink = sink;
        }

        @Override
        public void onJoinedMidStream(Connection c, Role localRole, Protocol protocol) {
            sink.joinedMidStream(c.id(), now, localRole, protocol);
        }

        @Override
        public void onHandshake(Connection c, Endpoint sender, long t, HttpHead head) {
            sink.handshake(c.id(), t, sender, head);
        }

        @Override
        public void onFrame(Connection c, Endpoint sender, long t, Frame f) {
            int stack = -1;
            if (sender == Endpoint.LOCAL && f.opcode() == Opcode.CLOSE) {
                if (!closeStackDeclared) {
                    sink.stack(CLOSE_STACK_ID, CLOSE_STACK);
                    closeStackDeclared = true;
                }
                stack = CLOSE_STACK_ID;
            }
            sink.frame(c.id(), t, sender, f, stack);
        }

        @Override
        public void onInvalidText(Connection c, Endpoint sender, long t, long offset) {
            sink.invalidText(c.id(), t, sender, offset);
        }

        @Override
        public void onTcpClosed(Connection c, Endpoint endpoint, TcpEnd how, long t) {
            int stack = -1;
            if (endpoint == Endpoint.LOCAL) {
                if (!tcpStackDeclared) {
                    sink.stack(TCP_STACK_ID, TCP_STACK);
                    tcpStackDeclared = true;
                }
                stack = TCP_STACK_ID;
            }
            sink.tcpClosed(c.id(), t, endpoint, how, stack);
        }
    }

    private record Event(long time, int scenario, int step) {
    }

    private LiveCapture() {
    }

    /** One scenario alone as connection 7 (the id the engine tests use), ended by its own end-of-capture step. */
    static Reconstruction runOne(Scenario s, CaptureSink sink) {
        return run(List.of(s), 7, 0, sink, true, 0, null).get(7L);
    }

    /**
     * Plays {@code scenarios} interleaved by time, scenario {@code i} as connection {@code firstId + i} shifted by
     * {@code i * spacingNanos}.
     *
     * @param ownEnds    each scenario's end step ends the capture for it (one scenario per file); otherwise the capture
     *                   ends once for all, 1 ms after the last step, as the agent's does
     * @param flushEvery call {@code flusher} after every so many steps (0 = never)
     * @return the live reconstructions by connection id
     */
    static Map<Long, Reconstruction> run(List<Scenario> scenarios, long firstId, long spacingNanos, CaptureSink sink,
                                         boolean ownEnds, int flushEvery, Flusher flusher) {
        Forward forward = new Forward(sink);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < scenarios.size(); i++) {
            events.add(new Event(i * spacingNanos, i, -1));
            List<Step> steps = scenarios.get(i).steps();
            for (int k = 0; k < steps.size(); k++) {
                events.add(new Event(steps.get(k).timeNanos() + i * spacingNanos, i, k));
            }
        }
        events.sort(Comparator.comparingLong(Event::time).thenComparingInt(Event::scenario).thenComparingInt(Event::step));
        Connection[] connections = new Connection[scenarios.size()];
        long last = 0;
        int n = 0;
        for (Event e : events) {
            Scenario s = scenarios.get(e.scenario);
            long id = firstId + e.scenario;
            long t = e.time;
            last = Math.max(last, t);
            if (e.step < 0) {
                sink.connection(id, t, "10.0." + (e.scenario / 200) + "." + (e.scenario % 200 + 2) + ":" + (40000 + e.scenario),
                        "192.168.7.1:" + (e.scenario % 2 == 0 ? 443 : 8080), e.scenario % 3 == 0 ? Transport.TLS : Transport.PLAIN);
                Connection c = new Connection(id, s.options(), forward);
                connections[e.scenario] = c;
                if (s.joined()) {
                    forward.now = t;
                    c.joinMidStream(s.joinedAs(), s.joinedProtocol());
                }
                continue;
            }
            Connection c = connections[e.scenario];
            Step step = s.steps().get(e.step);
            if (step.end()) {
                if (ownEnds) {
                    sink.endOfCapture(t);
                    c.onEndOfCapture(t);
                }
            } else if (step.tcp() != null) {
                c.onTcpClosed(s.endpointOf(step.from()), step.tcp(), t);
            } else {
                c.onBytes(s.endpointOf(step.from()), t, step.bytes(), 0, step.bytes().length);
            }
            if (flushEvery > 0 && ++n % flushEvery == 0) {
                try {
                    flusher.flush();
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        }
        if (!ownEnds) {
            long end = last + TimeUnit.MILLISECONDS.toNanos(1);
            sink.endOfCapture(end);
            for (Connection c : connections) {
                c.onEndOfCapture(end);
            }
        }
        Map<Long, Reconstruction> live = new LinkedHashMap<>();
        for (int i = 0; i < connections.length; i++) {
            live.put(firstId + i, connections[i].reconstruction());
        }
        return live;
    }
}
