package io.wstap.analyzer.testing;

import io.wstap.capture.CaptureHeader;
import io.wstap.capture.CaptureSink;
import io.wstap.capture.CaptureWriter;
import io.wstap.capture.Transport;
import io.wstap.engine.Connection;
import io.wstap.engine.ConnectionObserver;
import io.wstap.engine.EngineOptions;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a real capture file the way the agent does: each {@link Script} is played byte by byte through a real engine
 * {@link Connection} (the live path) whose {@link ConnectionObserver} forwards every event into a real
 * {@link CaptureWriter}, local Close frames and local TCP closes with a stack. Connections are written one after the
 * other, each flushed into its own block(s); {@link #close()} ends the capture 1 ms after the last event.
 */
public final class CaptureBuilder implements Closeable {
    /** 2025-11-21T04:40:00.123456789Z. */
    public static final long WALL = 1_763_700_000_123_456_789L;
    public static final long MONO = 5_000_000_000L;
    public static final List<String> CLOSE_FRAME_STACK = List.of(
            "com.example.chat.ChatEndpoint.onMessage(ChatEndpoint.java:42)",
            "org.eclipse.jetty.websocket.core.WebSocketCoreSession.close(WebSocketCoreSession.java:251)");
    public static final List<String> CLOSE_CALL_STACK = List.of(
            "com.example.chat.ChatEndpoint.drop(ChatEndpoint.java:120)",
            "com.example.chat.Räumer.run(Räumer.java:7)");

    private final CaptureWriter writer;
    private final Map<List<String>, Integer> stacks = new HashMap<>();
    private List<String> closeFrameStack = CLOSE_FRAME_STACK;
    private List<String> closeCallStack = CLOSE_CALL_STACK;
    private long last = MONO;

    public CaptureBuilder(Path file) throws IOException {
        this(file, header("test-host", 4242, WALL, MONO), 0);
    }

    public CaptureBuilder(Path file, CaptureHeader header, long maxBytes) throws IOException {
        this.writer = CaptureWriter.create(file, header, maxBytes);
    }

    public static CaptureHeader header(String host, long pid, long wall, long mono) {
        return new CaptureHeader(CaptureWriter.VERSION, host, pid, "Test VM 17.0.15+6", wall, mono,
                "file=" + host + ".wstap");
    }

    /** The stacks recorded for later connections' local Close frames and close() calls (empty: none). */
    public CaptureBuilder stacks(List<String> closeFrame, List<String> closeCall) {
        this.closeFrameStack = closeFrame;
        this.closeCallStack = closeCall;
        return this;
    }

    /**
     * Plays {@code script} as connection {@code id} of this JVM, whose end has role {@code local}, from capture time
     * {@code start} (monotonic nanos).
     */
    public CaptureBuilder connection(long id, Role local, String localAddress, String remoteAddress, Transport transport,
                                     long start, Script script) throws IOException {
        writer.connection(id, start, localAddress, remoteAddress, transport);
        Forward forward = new Forward(writer);
        Connection c = new Connection(id, EngineOptions.DEFAULTS, forward);
        Endpoint client = local == Role.CLIENT ? Endpoint.LOCAL : Endpoint.REMOTE;
        for (Script.Step s : script.steps()) {
            long t = start + s.timeNanos();
            Endpoint from = s.from() == Role.CLIENT ? client : client.other();
            if (s.tcp() != null) {
                c.onTcpClosed(from, s.tcp(), t);
            } else {
                c.onBytes(from, t, s.bytes(), 0, s.bytes().length);
            }
            last = Math.max(last, t);
        }
        writer.flush();
        return this;
    }

    /** Ends the capture 1 ms after its last event, and closes the file. */
    @Override
    public void close() throws IOException {
        writer.endOfCapture(last + 1_000_000);
        writer.close();
    }

    private int stackId(List<String> frames) {
        Integer id = stacks.get(frames);
        if (id == null) {
            id = stacks.size() + 1;
            stacks.put(frames, id);
            writer.stack(id, frames);
        }
        return id;
    }

    /** The agent's recorder in miniature: observer events to capture events. */
    private final class Forward implements ConnectionObserver {
        private final CaptureSink sink;

        Forward(CaptureSink sink) {
            this.sink = sink;
        }

        @Override
        public void onJoinedMidStream(Connection c, Role localRole, Protocol protocol) {
            sink.joinedMidStream(c.id(), last, localRole, protocol);
        }

        @Override
        public void onHandshake(Connection c, Endpoint sender, long t, HttpHead head) {
            sink.handshake(c.id(), t, sender, head);
        }

        @Override
        public void onFrame(Connection c, Endpoint sender, long t, Frame f) {
            int stack = sender == Endpoint.LOCAL && f.opcode() == Opcode.CLOSE && !closeFrameStack.isEmpty()
                    ? stackId(closeFrameStack) : -1;
            sink.frame(c.id(), t, sender, f, stack);
        }

        @Override
        public void onInvalidText(Connection c, Endpoint sender, long t, long offset) {
            sink.invalidText(c.id(), t, sender, offset);
        }

        @Override
        public void onTcpClosed(Connection c, Endpoint endpoint, TcpEnd how, long t) {
            int stack = endpoint == Endpoint.LOCAL && !closeCallStack.isEmpty() ? stackId(closeCallStack) : -1;
            sink.tcpClosed(c.id(), t, endpoint, how, stack);
        }
    }
}
