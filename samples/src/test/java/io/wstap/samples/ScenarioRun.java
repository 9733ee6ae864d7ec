package io.wstap.samples;

import io.wstap.capture.CaptureReplay;
import io.wstap.capture.ReadReport;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link Scenarios} main run under the real agent in a forked JVM, its capture replayed through the engine: each
 * scenario's two sockets are found by the server port it printed.
 */
final class ScenarioRun {
    final CaptureReplay replay = new CaptureReplay();
    final Map<String, Integer> ports = new HashMap<>();
    final Map<String, String> results = new HashMap<>();

    private ScenarioRun() {
    }

    static ScenarioRun run(Path capture, Class<?> main, int expectedScenarios) throws Exception {
        ForkedApp.Result run = ForkedApp.run("file=" + capture, main, 120);
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        ScenarioRun r = new ScenarioRun();
        Matcher m = Pattern.compile("scenario (\\S+): (.*) \\(server port (\\d+)\\)").matcher(run.stdout());
        while (m.find()) {
            r.results.put(m.group(1), m.group(2));
            r.ports.put(m.group(1), Integer.parseInt(m.group(3)));
        }
        assertEquals(expectedScenarios, r.ports.size(), run.stdout());
        ReadReport report = CaptureReplay.replay(capture, r.replay);
        assertTrue(report.clean(), report.toString());
        return r;
    }

    /** The view of the socket whose local (server) or remote (client) port is the scenario's server port. */
    Reconstruction view(String scenario, Role side) {
        String port = ":" + ports.get(scenario);
        List<Reconstruction> found = replay.reconstructions().values().stream().filter(r -> {
            CaptureReplay.Endpoints e = replay.endpoints(r.connectionId());
            return side == Role.SERVER ? e.local().endsWith(port) : e.remote().endsWith(port);
        }).toList();
        assertEquals(1, found.size(), scenario + " " + side + ": " + found);
        return found.get(0);
    }

    static List<String> rules(Reconstruction r) {
        return r.findings().stream().map(f -> f.rule().id()).sorted().toList();
    }
}
