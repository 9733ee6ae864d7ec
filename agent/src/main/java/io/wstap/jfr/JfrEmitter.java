package io.wstap.jfr;

import io.wstap.engine.CloseEvent;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Finding;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

import java.util.function.Consumer;

/**
 * The one place the tap meets JFR. Events are committed on the application thread (JFR then takes the true time and
 * the application's stack). Nothing happens unless the agent's {@code jfr} option is on and JFR has been initialised
 * (a recording exists); the per-frame event is checked against its cached {@link EventType} before anything is
 * allocated, so with no recording, or with it disabled, a frame costs two field reads.
 */
public final class JfrEmitter {
    private static volatile boolean enabled;
    private static volatile EventType frameType;

    private JfrEmitter() {
    }

    /** Called once by the installer: the {@code jfr} option, and only if the jdk.jfr module is present. */
    public static void enable(boolean on) {
        enabled = on;
    }

    private static boolean live() {
        return enabled && FlightRecorder.isInitialized();
    }

    /** Per frame: only when a recording enabled io.wstap.Frame. */
    public static void frame(long connectionId, boolean outbound, Frame f) {
        if (!live()) {
            return;
        }
        EventType type = frameType;
        if (type == null) {
            frameType = type = EventType.getEventType(FrameEvent.class);
        }
        if (!type.isEnabled()) {
            return;
        }
        FrameEvent e = new FrameEvent();
        e.connectionId = connectionId;
        e.direction = outbound ? "out" : "in";
        e.opcode = f.opcode();
        e.fin = f.fin();
        e.masked = f.masked();
        e.payloadLength = f.payloadLength();
        e.commit();
    }

    /** A Close frame; {@code frameIndex} is its index among its sender's frames (what a Finding about it carries). */
    public static void close(long connectionId, boolean outbound, Role sender, Frame f, long frameIndex, String local,
                             String remote) {
        if (!live()) {
            return;
        }
        CloseFrameEvent e = new CloseFrameEvent();
        if (e.shouldCommit()) {
            e.connectionId = connectionId;
            e.direction = outbound ? "out" : "in";
            e.role = sender == null ? "" : sender.label();
            e.code = f.closeCode();
            e.reason = f.closeReason();
            e.local = local;
            e.remote = remote;
            e.frameIndex = frameIndex;
            e.commit();
        }
    }

    /**
     * Registers the periodic {@link StatsEvent}, filled by {@code counters}, once JFR is initialised (at once if it
     * already is). Not before: registering an event type loads JFR's metadata, which a JVM without a recording should
     * not pay for.
     */
    public static void registerStats(Consumer<StatsEvent> counters) {
        FlightRecorder.addListener(new FlightRecorderListener() {
            private boolean registered;

            @Override
            public synchronized void recorderInitialized(FlightRecorder recorder) {
                if (!registered) {
                    registered = true;
                    FlightRecorder.addPeriodicEvent(StatsEvent.class, () -> {
                        StatsEvent e = new StatsEvent();
                        counters.accept(e);
                        e.commit();
                    });
                }
            }
        });
    }

    public static void handshake(long connectionId, boolean localIsClient, HttpHead request, HttpHead response,
                                 String local, String remote) {
        if (!live()) {
            return;
        }
        HandshakeEvent e = new HandshakeEvent();
        if (e.shouldCommit()) {
            e.connectionId = connectionId;
            e.role = localIsClient ? "client" : "server";
            e.path = request == null ? "" : request.target();
            e.status = response.status();
            e.subprotocol = response.protocol();
            e.extensions = response.extensions();
            e.reason = response.reason();
            if (request != null) {
                e.method = request.method();
                e.host = request.host();
                e.origin = request.origin();
                e.version = request.version();
                e.key = request.key();
                e.offeredProtocols = request.protocol();
                e.offeredExtensions = request.extensions();
            }
            e.local = local;
            e.remote = remote;
            e.commit();
        }
    }

    public static void finding(Finding f) {
        if (!live()) {
            return;
        }
        FindingEvent e = new FindingEvent();
        if (e.shouldCommit()) {
            e.connectionId = f.connectionId();
            e.rule = f.rule().id();
            e.slug = f.rule().slug();
            e.severity = f.severity().label();
            e.ref = f.rule().ref();
            e.message = f.message();
            e.side = f.role() == null ? "" : f.role().label();
            e.endpoint = f.endpoint() == null ? "" : f.endpoint() == io.wstap.engine.Endpoint.LOCAL ? "local" : "remote";
            e.frameIndex = f.frameIndex();
            e.code = f.code();
            e.offset = f.offset();
            e.commit();
        }
    }

    /** When TCP first closes: the reconstruction as the live engine has it, and the connection's transport. */
    public static void connectionClosed(Reconstruction r, String local, String remote,
                                        io.wstap.capture.Transport transport) {
        if (!live()) {
            return;
        }
        ConnectionClosedEvent e = new ConnectionClosedEvent();
        if (e.shouldCommit()) {
            e.connectionId = r.connectionId();
            e.outcome = r.outcome() == null ? "" : r.outcome().label();
            e.initiator = r.initiatorRole() == null ? "" : r.initiatorRole().label();
            e.tcpClosedBy = r.tcpClosedByRole() == null ? "" : r.tcpClosedByRole().label();
            e.tcpEnd = r.tcpEnd() == null ? "" : r.tcpEnd().label();
            e.tcpHalfClose = r.tcpEnd() == io.wstap.engine.TcpEnd.HALF_CLOSE;
            CloseEvent client = r.clientSaw();
            CloseEvent server = r.serverSaw();
            e.clientSawCode = client == null ? 0 : client.code();
            e.clientSawReason = client == null ? "" : client.reason();
            e.serverSawCode = server == null ? 0 : server.code();
            e.serverSawReason = server == null ? "" : server.reason();
            e.clientSawClean = client != null && client.wasClean();
            e.serverSawClean = server != null && server.wasClean();
            Role localRole = r.roleOf(io.wstap.engine.Endpoint.LOCAL);
            e.localRole = localRole == null ? "" : localRole.label();
            e.protocol = r.protocol() == null ? "" : r.protocol().label();
            e.joinedMidStream = r.joinedMidStream();
            e.localFrames = r.localFrames();
            e.remoteFrames = r.remoteFrames();
            e.sinceTcpClose = r.tcpCloseTimeNanos() < 0 ? 0 : Math.max(0, System.nanoTime() - r.tcpCloseTimeNanos());
            e.transport = transport == null ? "" : transport == io.wstap.capture.Transport.TLS ? "tls" : "plain";
            if (r.closeFrames().size() == 2) {
                CloseRecord first = r.closeFrames().get(0);
                e.closingHandshake = r.closeFrames().get(1).timeNanos() - first.timeNanos();
            }
            e.local = local;
            e.remote = remote;
            e.commit();
        }
    }
}
