package io.wstap.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wstap record} against a real JVM under the agent over loopback JMX: the file it writes is a JFR recording
 * that {@code wstap analyze} reads with the run's connections, and record's own report is that same report.
 */
class RecordIT {
    @TempDir
    Path dir;

    @Test
    void recordsARoundThatAnalyzeReads() throws Exception {
        Path jfr = dir.resolve("out.jfr");
        Path json = dir.resolve("report.json");
        try (LiveTarget target = LiveTarget.start(dir, "quiet=true,file=" + dir.resolve("r.wstap"), true)) {
            LiveTarget.Wstap w = new LiveTarget.Wstap("record", "--duration", "6s", "-o", jfr.toString(),
                    "--format", "json", "--report", json.toString(), "--fail-on", "never",
                    "127.0.0.1:" + target.jmxPort);
            w.awaitErr("wstap: recording 127.0.0.1:" + target.jmxPort + " (pid " + target.pid + ")");
            target.tell("round", "round done");
            assertEquals(0, w.join(), w.err());
        }
        assertTrue(Files.size(jfr) > 0);
        JsonNode recorded = new ObjectMapper().readTree(json.toFile());
        assertEquals(outcomes(recorded), Map.of("abrupt", 1, "clean", 6), json.toString());
        assertEquals("jfr", recorded.get("inputs").get(0).get("kind").asText());

        // The same file through 'wstap analyze': the same report.
        LiveTarget.Wstap analyze = new LiveTarget.Wstap("analyze", "--format", "json", "--fail-on", "never",
                jfr.toString());
        assertEquals(0, analyze.join(), analyze.err());
        assertEquals(recorded.get("connections"), new ObjectMapper().readTree(analyze.out()).get("connections"));
        JsonNode codes = recorded.get("connections");
        Map<String, Integer> byCode = new TreeMap<>();
        for (JsonNode c : codes) {
            for (JsonNode cf : c.get("closeFrames")) {
                byCode.merge(cf.get("from").asText() + " " + cf.get("code").asText(), 1, Integer::sum);
            }
        }
        // the client's Close and the server's echo of it, per clean connection
        assertEquals(Map.of("client 1000", 3, "server 1000", 3, "client 1001", 2, "server 1001", 2,
                "client 4000", 1, "server 4000", 1), byCode);
        boolean ws301 = false;
        for (JsonNode f : recorded.get("findings")) {
            if (f.get("rule").asText().equals("WS301")) {
                ws301 = f.get("stack").get(0).asText().startsWith("io.wstap.samples.raw.RawServer.serve(RawServer.java:");
            }
        }
        assertTrue(ws301, recorded.get("findings").toString());
    }

    @Test
    void aBadTargetIsOneLine() throws Exception {
        LiveTarget.Wstap w = new LiveTarget.Wstap("record", "--duration", "1s", "-o", dir.resolve("x.jfr").toString(),
                "127.0.0.1:1");
        assertEquals(2, w.join());
        String err = w.err().strip();
        assertTrue(err.startsWith("wstap: cannot connect to 127.0.0.1:1 over JMX: "), err);
        assertTrue(!err.contains("\n") && !err.contains("\tat "), err);
    }

    private static Map<String, Integer> outcomes(JsonNode report) {
        Map<String, Integer> m = new TreeMap<>();
        for (JsonNode c : report.get("connections")) {
            m.merge(c.get("outcome").asText(), 1, Integer::sum);
        }
        return m;
    }
}
