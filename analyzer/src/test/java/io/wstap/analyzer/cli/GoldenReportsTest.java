package io.wstap.analyzer.cli;

import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The exact text and JSON reports of scripted captures, committed under src/test/resources/golden (times come from the
 * scripts, so they are stable). {@code -Dwstap.golden.update=true} rewrites them after an intended change: review the
 * diff.
 */
class GoldenReportsTest {
    private static final boolean UPDATE = Boolean.getBoolean("wstap.golden.update");

    @TempDir
    Path dir;

    @Test
    void seedsText() throws IOException {
        Cli.Run run = Cli.run("analyze", Seeds.seeds(dir));
        assertEquals(ExitCodes.FINDINGS, run.exit(), run.toString());
        assertEquals("", run.err());
        golden("seeds.txt", run.out(dir));
    }

    @Test
    void seedsJson() throws IOException {
        Cli.Run run = Cli.run("analyze", "--format", "json", Seeds.seeds(dir));
        assertEquals(ExitCodes.FINDINGS, run.exit(), run.toString());
        golden("seeds.json", run.out(dir));
    }

    @Test
    void bothEndsText() throws IOException {
        List<Path> pair = Seeds.pair(dir);
        Cli.Run run = Cli.run("analyze", pair.get(0), pair.get(1));
        assertEquals(ExitCodes.FINDINGS, run.exit(), run.toString());
        golden("both-ends.txt", run.out(dir));
    }

    @Test
    void bothEndsJson() throws IOException {
        List<Path> pair = Seeds.pair(dir);
        Cli.Run run = Cli.run("analyze", "--format", "json", pair.get(0), pair.get(1));
        assertEquals(ExitCodes.FINDINGS, run.exit(), run.toString());
        golden("both-ends.json", run.out(dir));
    }

    static void golden(String name, String actual) throws IOException {
        String text = actual.replace("\r\n", "\n");
        if (UPDATE) {
            Path p = Path.of("src", "test", "resources", "golden", name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, text, StandardCharsets.UTF_8);
            return;
        }
        try (InputStream in = GoldenReportsTest.class.getResourceAsStream("/golden/" + name)) {
            assertNotNull(in, "missing golden file src/test/resources/golden/" + name
                    + " (run with -Dwstap.golden.update=true to write it)");
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), text,
                    "report differs from golden/" + name + " (-Dwstap.golden.update=true rewrites it)");
        }
    }
}
