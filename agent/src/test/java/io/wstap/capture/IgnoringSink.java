package io.wstap.capture;

import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.util.List;

/** Test helper: a sink that drops every record; tests override the records they look at. */
public class IgnoringSink implements CaptureSink {
    @Override
    public void connection(long id, long t, String local, String remote, Transport transport) {
    }

    @Override
    public void joinedMidStream(long id, long t, Role localRole, Protocol protocol) {
    }

    @Override
    public void handshake(long id, long t, Endpoint sender, HttpHead head) {
    }

    @Override
    public void frame(long id, long t, Endpoint sender, Frame frame, int stackId) {
    }

    @Override
    public void invalidText(long id, long t, Endpoint sender, long offset) {
    }

    @Override
    public void tcpClosed(long id, long t, Endpoint endpoint, TcpEnd how, int stackId) {
    }

    @Override
    public void stack(int stackId, List<String> frames) {
    }

    @Override
    public void lost(long t, long records) {
    }

    @Override
    public void tapErrors(long t, long connectionId, long count) {
    }
}
