package io.wstap.capture;

import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.util.List;

/** Hands every event to two sinks. */
public record Tee(CaptureSink a, CaptureSink b) implements CaptureSink {
    @Override
    public void connection(long id, long t, String local, String remote, Transport transport) {
        a.connection(id, t, local, remote, transport);
        b.connection(id, t, local, remote, transport);
    }

    @Override
    public void joinedMidStream(long id, long t, Role localRole, Protocol protocol) {
        a.joinedMidStream(id, t, localRole, protocol);
        b.joinedMidStream(id, t, localRole, protocol);
    }

    @Override
    public void handshake(long id, long t, Endpoint sender, HttpHead head) {
        a.handshake(id, t, sender, head);
        b.handshake(id, t, sender, head);
    }

    @Override
    public void frame(long id, long t, Endpoint sender, Frame frame, int stackId) {
        a.frame(id, t, sender, frame, stackId);
        b.frame(id, t, sender, frame, stackId);
    }

    @Override
    public void invalidText(long id, long t, Endpoint sender, long offset) {
        a.invalidText(id, t, sender, offset);
        b.invalidText(id, t, sender, offset);
    }

    @Override
    public void tcpClosed(long id, long t, Endpoint endpoint, TcpEnd how, int stackId) {
        a.tcpClosed(id, t, endpoint, how, stackId);
        b.tcpClosed(id, t, endpoint, how, stackId);
    }

    @Override
    public void stack(int stackId, List<String> frames) {
        a.stack(stackId, frames);
        b.stack(stackId, frames);
    }

    @Override
    public void lost(long t, long records) {
        a.lost(t, records);
        b.lost(t, records);
    }

    @Override
    public void tapErrors(long t, long connectionId, long count) {
        a.tapErrors(t, connectionId, count);
        b.tapErrors(t, connectionId, count);
    }

    @Override
    public void endOfCapture(long t) {
        a.endOfCapture(t);
        b.endOfCapture(t);
    }

    @Override
    public void undeclaredConnection(long id, long t) {
        a.undeclaredConnection(id, t);
        b.undeclaredConnection(id, t);
    }
}
