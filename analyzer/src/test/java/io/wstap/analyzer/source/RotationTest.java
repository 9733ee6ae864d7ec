package io.wstap.analyzer.source;

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
import java.nio.file.Files;
import java.nio.file.Path;

import static io.wstap.analyzer.testing.Wire.close;
import static io.wstap.analyzer.testing.Wire.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rotated capture (x.wstap, x-1.wstap, ...) reads as one capture, whichever way its files are named. */
class RotationTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    /** The same 12 connections, rotated into several files or not. */
    private Path write(String name, long maxBytes) throws IOException {
        Path f = dir.resolve(name);
        try (CaptureBuilder b = new CaptureBuilder(f, CaptureBuilder.header("test-host", 1, CaptureBuilder.WALL,
                CaptureBuilder.MONO), maxBytes)) {
            for (int i = 1; i <= 12; i++) {
                Script s = Script.open().client(text("hello " + i, 0x01020304 + i));
                s = i % 3 == 0 ? s.tcp(Role.SERVER, TcpEnd.FIN)
                        : s.client(close(1000, "bye", 0x11111111 * i)).server(close(1000, "bye", null))
                        .tcp(Role.SERVER, TcpEnd.FIN);
                b.connection(i, Role.SERVER, "10.0.0.1:443", "10.0.0.2:" + (30000 + i), Transport.TLS,
                        CaptureBuilder.MONO + i * 10 * MS, s);
            }
        }
        return f;
    }

    private static JsonNode json(Object... args) throws IOException {
        Object[] a = new Object[args.length + 3];
        a[0] = "analyze";
        a[1] = "--format";
        a[2] = "json";
        System.arraycopy(args, 0, a, 3, args.length);
        return new ObjectMapper().readTree(Cli.run(a).out());
    }

    @Test
    void theFirstFileReadsTheWholeSeriesLikeOneFile() throws IOException {
        Path whole = write("whole.wstap", 0);
        Path first = write("app.wstap", 700);
        assertTrue(Files.exists(dir.resolve("app-2.wstap")), "rotated at least twice");
        JsonNode one = json(whole);
        JsonNode series = json(first);
        assertTrue(series.get("inputs").get(0).get("files").size() > 2);
        assertEquals(one.get("connections").size(), series.get("connections").size());
        assertEquals(one.get("connections"), series.get("connections"));
        assertEquals(one.get("findings"), series.get("findings"));
        assertTrue(series.get("inputs").get(0).get("intact").asBoolean());
    }

    @Test
    void namingTheRotatedFilesTooReadsThemOnce() throws IOException {
        Path first = write("app.wstap", 700);
        JsonNode all = json(dir.resolve("app-2.wstap"), first, dir.resolve("app-1.wstap"));
        assertEquals(1, all.get("inputs").size());
        assertEquals(json(first).get("connections"), all.get("connections"));
        assertEquals("1", all.get("connections").get(0).get("id").asText(), "one input: ids not prefixed");
    }

    @Test
    void aRotatedFileNamedAloneReadsAlone() throws IOException {
        write("app.wstap", 700);
        JsonNode part = json(dir.resolve("app-1.wstap"));
        assertEquals(1, part.get("inputs").get(0).get("files").size());
        assertTrue(part.get("connections").size() > 0 && part.get("connections").size() < 12,
                part.get("connections").size() + " connections");
    }
}
