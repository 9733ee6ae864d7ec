package io.wstap.analyzer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wstap.analyzer.testing.CaptureBuilder;
import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Script;
import io.wstap.capture.Transport;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static io.wstap.analyzer.testing.Wire.close;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text from the capture (a Close reason, a stack frame) reaches the JSON exactly and the terminal harmlessly: the text
 * report escapes control characters so a hostile peer's reason cannot move the cursor or recolour the screen.
 */
class CapturedTextTest {
    static final String HOSTILE = "bye\u001b[31m\r\n\"red\"\t\\ \u0007 \u2028 孩子";

    @TempDir
    Path dir;

    private Path capture() throws IOException {
        Path f = dir.resolve("hostile.wstap");
        try (CaptureBuilder b = new CaptureBuilder(f)) {
            b.stacks(List.of("evil.Frame\u001b[2J.run(Evil.java:1)"), List.of());
            b.connection(1, Role.SERVER, "10.0.0.1:80", "10.0.0.2:5000", Transport.PLAIN, CaptureBuilder.MONO, Script.open()
                    .server(close(1002, HOSTILE, null)).client(close(4000, HOSTILE, 0x01020304))
                    .tcp(Role.SERVER, TcpEnd.FIN));
        }
        return f;
    }

    @Test
    void jsonCarriesTheReasonExactly() throws IOException {
        Cli.Run run = Cli.run("analyze", "--format", "json", capture());
        JsonNode c = new ObjectMapper().readTree(run.out()).get("connections").get(0);
        assertEquals(HOSTILE, c.get("closeFrames").get(0).get("reason").asText());
        assertEquals(HOSTILE, c.get("clientSaw").get("reason").asText());
        assertFalse(run.out().contains("\u001b"), "escaped as \\u001b in JSON");
    }

    @Test
    void textEscapesControlCharacters() throws IOException {
        Cli.Run run = Cli.run("analyze", "--fail-on", "never", capture());
        assertEquals(0, run.exit(), run.toString());
        String out = run.out();
        for (char c : new char[] {'\u001b', '\r', '\t', '\u0007', '\u2028'}) {
            assertFalse(out.indexOf(c) >= 0, "raw U+" + Integer.toHexString(c) + " in the text report");
        }
        assertTrue(out.contains("server → Close 1002 (protocol error) \"bye\\u001b[31m\\r\\n\\\"red\\\"\\t\\\\ "
                + "\\u0007 \\u2028 孩子\""), out);
        assertTrue(out.contains("client → Close 4000 (private use 4000-4999) \"bye\\u001b"), out);
        assertTrue(out.contains("at evil.Frame\\u001b[2J.run(Evil.java:1)"), out);
    }
}
