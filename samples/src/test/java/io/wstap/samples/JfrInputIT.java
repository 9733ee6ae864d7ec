package io.wstap.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wstap.analyzer.report.JsonReport;
import io.wstap.analyzer.report.Report;
import io.wstap.analyzer.report.Selection;
import io.wstap.analyzer.source.CaptureInput;
import io.wstap.analyzer.source.CaptureSource;
import io.wstap.analyzer.source.Progress;
import io.wstap.samples.raw.SeedScenarios;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One real run, both sinks on: the seed scenarios under the real agent jar, writing a capture file and a JFR recording
 * (with wstap.jfc from the jar, per-frame events off as by default). The analyzer's reports of the two files must
 * agree on every connection's addresses, roles, transport, outcome, Close frames, who closed TCP, what each application
 * saw, and on the findings (rule, slug, severity, side, message, stack).
 */
class JfrInputIT {
    @TempDir
    static Path dir;
    static JsonNode fromCapture;
    static JsonNode fromJfr;

    @BeforeAll
    static void runOnceWithBothSinks() throws Exception {
        Path capture = dir.resolve("seeds.wstap");
        Path jfr = dir.resolve("seeds.jfr");
        Path jfc = dir.resolve("wstap.jfc");
        try (ZipFile zip = new ZipFile(ForkedApp.agentJar().toFile()); InputStream in = zip.getInputStream(zip.getEntry("wstap.jfc"))) {
            Files.copy(in, jfc);
        }
        ForkedApp.Result run = ForkedApp.run(
                List.of("-XX:StartFlightRecording:settings=default,settings=" + jfc + ",filename=" + jfr),
                "file=" + capture, SeedScenarios.class, 180);
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        fromCapture = report(capture);
        fromJfr = report(jfr);
    }

    private static JsonNode report(Path file) throws Exception {
        List<CaptureInput> inputs = new ArrayList<>();
        for (CaptureSource.Planned p : CaptureSource.plan(List.of(file))) {
            inputs.add(CaptureSource.read(1, p, Progress.NONE));
        }
        StringWriter s = new StringWriter();
        new JsonReport().write(Report.of(inputs, Selection.ALL, null), new PrintWriter(s));
        return new ObjectMapper().readTree(s.toString());
    }

    /** Connections by id, only the compared fields. */
    private static Map<String, Map<String, Object>> connections(JsonNode report) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (JsonNode c : report.get("connections")) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String f : new String[] {"client", "server", "transport", "protocol", "capturedAt", "outcome",
                    "initiator", "tcpClosedBy", "tcpEnd"}) {
                m.put(f, c.get(f).asText());
            }
            List<String> closes = new ArrayList<>();
            for (JsonNode cf : c.get("closeFrames")) {
                closes.add(cf.get("from").asText() + " " + cf.get("code").asText() + " " + cf.get("reason").asText());
            }
            m.put("closeFrames", closes);
            m.put("clientSaw", c.get("clientSaw").toString());
            m.put("serverSaw", c.get("serverSaw").toString());
            out.put(c.get("id").asText(), m);
        }
        return out;
    }

    /** {@link #findings} without WS304 on a connection whose TCP closes raced (see {@link #racedCloses}). */
    private static Map<String, List<String>> findingsBeyondRaces(JsonNode report, java.util.Set<String> raced) {
        Map<String, List<String>> f = findings(report, false);
        for (String id : raced) {
            List<String> l = f.get(id);
            if (l != null) {
                l.removeIf(s -> s.startsWith("WS304 "));
                if (l.isEmpty()) {
                    f.remove(id);
                }
            }
        }
        return f;
    }

    /** Findings by connection: rule, slug, severity, side, message, and the stack's top frames. */
    private static Map<String, List<String>> findings(JsonNode report, boolean withStacks) {
        Map<String, List<String>> out = new TreeMap<>();
        for (JsonNode f : report.get("findings")) {
            String s = f.get("rule").asText() + " " + f.get("slug").asText() + " " + f.get("severity").asText() + " "
                    + f.get("side").asText() + " " + f.get("message").asText();
            if (withStacks && f.get("stack").size() > 0) {
                s += " @ " + f.get("stack").get(0).asText();
            }
            out.computeIfAbsent(f.get("connection").asText(), k -> new ArrayList<>()).add(s);
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    @Test
    void theRecordingHasTheRunsConnections() {
        assertFalse(fromCapture.get("connections").isEmpty());
        assertEquals(fromCapture.get("connections").size(), fromJfr.get("connections").size(),
                "capture: " + connections(fromCapture).keySet() + "\njfr: " + connections(fromJfr).keySet());
        assertEquals("jfr", fromJfr.get("inputs").get(0).get("kind").asText());
    }

    /**
     * Connections whose two ends closed TCP within {@link #RACE_NANOS} of each other (the capture's one clock): which
     * came first is then closer than the JFR timestamps (JFR's own tick clock, converted) can order, so the merged
     * outcome (clean or clean-client-tcp-first, with WS304) may be read either way from a recording.
     */
    private static final long RACE_NANOS = 1_000_000;

    private static java.util.Set<String> racedCloses(JsonNode report) {
        java.util.Set<String> raced = new java.util.TreeSet<>();
        for (JsonNode c : report.get("connections")) {
            JsonNode views = c.get("views");
            if (views.size() == 2 && views.get(0).get("tcpCloseTimeNanos").isNumber()
                    && views.get(1).get("tcpCloseTimeNanos").isNumber() && Math.abs(views.get(0).get("tcpCloseTimeNanos")
                    .asLong() - views.get(1).get("tcpCloseTimeNanos").asLong()) < RACE_NANOS) {
                raced.add(c.get("id").asText());
            }
        }
        return raced;
    }

    @Test
    void sameConnectionsOutcomesClosesAndWhatEachSideSaw() {
        Map<String, Map<String, Object>> c = connections(fromCapture);
        Map<String, Map<String, Object>> j = connections(fromJfr);
        assertEquals(c.keySet(), j.keySet());
        java.util.Set<String> raced = racedCloses(fromCapture);
        for (String id : c.keySet()) {
            if (raced.contains(id)) {
                List<String> eitherWay = List.of("clean", "clean-client-tcp-first");
                boolean outcomeMayDiffer = eitherWay.contains(c.get(id).get("outcome"))
                        && eitherWay.contains(j.get(id).get("outcome"));
                for (Map<String, Object> m : List.of(c.get(id), j.get(id))) {
                    m.remove("tcpClosedBy");
                    if (outcomeMayDiffer) {
                        m.remove("outcome");
                    }
                }
            }
            assertEquals(c.get(id), j.get(id), "connection " + id);
        }
    }

    @Test
    void sameFindingsWithTheSameStacks() {
        java.util.Set<String> raced = racedCloses(fromCapture);
        assertEquals(findingsBeyondRaces(fromCapture, raced), findingsBeyondRaces(fromJfr, raced));
        // the stacks themselves: the JFR one is the capture's (both trimmed the same way, same depth), including the
        // Close frame's stack on a framing finding about that Close (WS110: the Close event's frameIndex)
        List<String> capStacks = new ArrayList<>();
        List<String> jfrStacks = new ArrayList<>();
        for (JsonNode f : fromCapture.get("findings")) {
            if (f.get("rule").asText().equals("WS304") && raced.contains(f.get("connection").asText())) {
                continue;
            }
            capStacks.add(f.get("connection").asText() + f.get("rule").asText() + (f.get("stack").size() > 0 ? f.get("stack").get(0).asText() : "-"));
        }
        for (JsonNode f : fromJfr.get("findings")) {
            if (f.get("rule").asText().equals("WS304") && raced.contains(f.get("connection").asText())) {
                continue;
            }
            jfrStacks.add(f.get("connection").asText() + f.get("rule").asText() + (f.get("stack").size() > 0 ? f.get("stack").get(0).asText() : "-"));
        }
        capStacks.sort(null);
        jfrStacks.sort(null);
        assertEquals(capStacks, jfrStacks);
        assertTrue(capStacks.stream().anyMatch(s -> s.contains("WS205io.wstap.samples.")), capStacks.toString());
        assertTrue(jfrStacks.stream().anyMatch(s -> s.contains("WS110io.wstap.samples.")), jfrStacks.toString());
    }
}
