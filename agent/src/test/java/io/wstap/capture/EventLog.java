package io.wstap.capture;

import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.util.ArrayList;
import java.util.List;

/** Every event as one line with every field: two logs are equal when the events are. */
public final class EventLog implements CaptureSink {
    public final List<String> lines = new ArrayList<>();
    final List<Long> undeclared = new ArrayList<>();

    public static String frame(Frame f) {
        StringBuilder s = new StringBuilder(96);
        s.append(f.fin()).append(' ').append(f.rsv()).append(' ').append(f.opcode()).append(' ').append(f.masked())
                .append(' ').append(Integer.toHexString(f.maskKey())).append(' ').append(f.payloadLength()).append(' ')
                .append(f.headerSize()).append(' ').append(f.offset()).append(' ').append(f.nonMinimalLength())
                .append(' ').append(f.lengthOverflow()).append(' ').append(f.hixie()).append(" close=");
        for (int i = 0; i < f.closePayloadLength(); i++) {
            s.append(String.format("%02x", f.closePayloadByte(i)));
        }
        return s.toString();
    }

    @Override
    public void connection(long id, long t, String local, String remote, Transport transport) {
        lines.add("connection " + id + " " + t + " " + local + " " + remote + " " + transport);
    }

    @Override
    public void joinedMidStream(long id, long t, Role localRole, Protocol protocol) {
        lines.add("joined " + id + " " + t + " " + localRole + " " + protocol);
    }

    @Override
    public void handshake(long id, long t, Endpoint sender, HttpHead head) {
        lines.add("handshake " + id + " " + t + " " + sender + " " + head);
    }

    @Override
    public void frame(long id, long t, Endpoint sender, Frame f, int stackId) {
        lines.add("frame " + id + " " + t + " " + sender + " " + frame(f) + " stack=" + stackId);
    }

    @Override
    public void invalidText(long id, long t, Endpoint sender, long offset) {
        lines.add("invalidText " + id + " " + t + " " + sender + " " + offset);
    }

    @Override
    public void tcpClosed(long id, long t, Endpoint endpoint, TcpEnd how, int stackId) {
        lines.add("tcpClosed " + id + " " + t + " " + endpoint + " " + how + " stack=" + stackId);
    }

    @Override
    public void stack(int stackId, List<String> frames) {
        lines.add("stack " + stackId + " " + frames);
    }

    @Override
    public void lost(long t, long records) {
        lines.add("lost " + t + " " + records);
    }

    @Override
    public void tapErrors(long t, long connectionId, long count) {
        lines.add("tapErrors " + t + " " + connectionId + " " + count);
    }

    @Override
    public void endOfCapture(long t) {
        lines.add("end " + t);
    }

    @Override
    public void undeclaredConnection(long id, long t) {
        undeclared.add(id);
    }
}
