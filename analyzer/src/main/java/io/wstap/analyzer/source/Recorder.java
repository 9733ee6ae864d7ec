package io.wstap.analyzer.source;

import io.wstap.capture.CaptureSink;
import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Passes every event of a capture on to the replay (the engine) and keeps, per connection, the {@link ConnectionLog} a
 * report needs, plus the capture-wide facts the replay does not give (when the capture ended). Counts events for the
 * progress indicator.
 */
final class Recorder implements CaptureSink {
    private final CaptureSink next;
    private final Progress progress;
    final Map<Long, ConnectionLog> logs = new HashMap<>();
    long events;
    long endTime = Long.MIN_VALUE;

    Recorder(CaptureSink next, Progress progress) {
        this.next = next;
        this.progress = progress;
    }

    private ConnectionLog log(long id, long t) {
        if ((++events & 0xFFFF) == 0) {
            progress.events(events);
        }
        ConnectionLog log = logs.computeIfAbsent(id, k -> new ConnectionLog());
        log.seen(t);
        return log;
    }

    @Override
    public void connection(long id, long t, String local, String remote, Transport transport) {
        log(id, t);
        next.connection(id, t, local, remote, transport);
    }

    @Override
    public void joinedMidStream(long id, long t, Role localRole, Protocol protocol) {
        log(id, t).joined(t);
        next.joinedMidStream(id, t, localRole, protocol);
    }

    @Override
    public void handshake(long id, long t, Endpoint sender, HttpHead head) {
        log(id, t).handshake(t, sender, head);
        next.handshake(id, t, sender, head);
    }

    @Override
    public void frame(long id, long t, Endpoint sender, Frame f, int stackId) {
        ConnectionLog log = log(id, t);
        if (f.opcode() == Opcode.CLOSE) {
            log.close(t, sender, f.closeCode(), f.hixie() ? "" : f.closeReason(), f.payloadLength(), f.hixie(),
                    sender == Endpoint.LOCAL ? stackId : -1);
        } else {
            log.frame(t, sender, f.opcode(), f.payloadLength());
        }
        next.frame(id, t, sender, f, stackId);
    }

    @Override
    public void invalidText(long id, long t, Endpoint sender, long offset) {
        log(id, t);
        next.invalidText(id, t, sender, offset);
    }

    @Override
    public void tcpClosed(long id, long t, Endpoint endpoint, TcpEnd how, int stackId) {
        log(id, t).tcp(t, endpoint, how, endpoint == Endpoint.LOCAL ? stackId : -1);
        next.tcpClosed(id, t, endpoint, how, stackId);
    }

    @Override
    public void stack(int stackId, List<String> frames) {
        next.stack(stackId, frames);
    }

    @Override
    public void lost(long t, long records) {
        next.lost(t, records);
    }

    @Override
    public void tapErrors(long t, long connectionId, long count) {
        if (connectionId != 0) {
            log(connectionId, t).tapGaveUp(t);
        }
        next.tapErrors(t, connectionId, count);
    }

    @Override
    public void endOfCapture(long t) {
        endTime = Math.max(endTime, t);
        next.endOfCapture(t);
    }

    @Override
    public void undeclaredConnection(long id, long t) {
        log(id, t).joined(t);
        next.undeclaredConnection(id, t);
    }
}
