package io.wstap.samples;

import io.wstap.capture.CaptureReader;
import io.wstap.capture.CaptureReplay;
import io.wstap.capture.ReadReport;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Reconstruction;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A capture read twice: every event per connection ({@link FrameLog}) and the engine's reconstructions (the
 * agent's {@link CaptureReplay}, as the analyzer will read it).
 */
final class Capture {
    /** One connection as one socket of the JVM saw it: its events and its reconstruction. */
    record View(FrameLog.Conn events, Reconstruction r) {
        long id() {
            return events.id;
        }

        /** The endpoint (as this socket sees it) of the client and of the server. */
        Endpoint client() {
            return r.clientEndpoint();
        }

        Endpoint server() {
            return r.clientEndpoint() == Endpoint.LOCAL ? Endpoint.REMOTE : Endpoint.LOCAL;
        }

        /** "client's socket" or "server's socket". */
        String name() {
            return (client() == Endpoint.LOCAL ? "the client's socket" : "the server's socket") + " (connection " + id() + ")";
        }
    }

    final Path file;
    final ReadReport report;
    final FrameLog log;
    final CaptureReplay replay;
    final Map<Long, Reconstruction> reconstructions;

    private Capture(Path file, ReadReport report, FrameLog log, CaptureReplay replay) {
        this.file = file;
        this.report = report;
        this.log = log;
        this.replay = replay;
        this.reconstructions = replay.reconstructions();
    }

    static Capture read(Path file) throws Exception {
        FrameLog log = new FrameLog();
        ReadReport report;
        try (CaptureReader reader = CaptureReader.open(file)) {
            report = reader.readAll(log);
        }
        CaptureReplay replay = new CaptureReplay();
        CaptureReplay.replay(file, replay);
        return new Capture(file, report, log, replay);
    }

    /** The capture is whole and complete: no damage, nothing lost or undeclared, no tap error, an END record. */
    void assertIntact() {
        assertTrue(report.clean(), report + "\n" + dump());
        assertTrue(log.ended, "the capture has no END record: the agent did not stop cleanly\n" + dump());
        assertEquals(0, log.lost, "records dropped by the agent's ring\n" + dump());
        assertEquals(0, log.tapErrors, "errors inside the tap\n" + dump());
        assertEquals(List.of(), log.undeclared, "connections never declared\n" + dump());
        assertEquals(log.connections.keySet(), reconstructions.keySet(), dump());
    }

    /** Views whose client is {@code client} (LOCAL: the client's sockets; REMOTE: the server's), in id order. */
    List<View> views(Endpoint client) {
        List<View> views = new ArrayList<>();
        for (FrameLog.Conn c : log.connections.values()) {
            Reconstruction r = reconstructions.get(c.id);
            assertTrue(r.clientEndpoint() != null, "roles unknown on connection " + c.id + "\n" + dump());
            if (r.clientEndpoint() == client) {
                views.add(new View(c, r));
            }
        }
        return views;
    }

    /** Every connection, events and reconstruction: the message of a failed assertion. */
    String dump() {
        return "capture " + file + ":\n" + log.connections.values().stream()
                .map(c -> c + "  => " + describe(reconstructions.get(c.id)))
                .collect(Collectors.joining("\n"));
    }

    static String describe(Reconstruction r) {
        if (r == null) {
            return "no reconstruction";
        }
        return "outcome " + r.outcome().label() + ", initiator " + r.initiatorRole() + ", TCP first closed by "
                + r.tcpClosedByRole() + " (" + r.tcpEnd() + "), client saw " + r.clientSaw() + ", server saw "
                + r.serverSaw() + ", findings " + r.findings();
    }
}
