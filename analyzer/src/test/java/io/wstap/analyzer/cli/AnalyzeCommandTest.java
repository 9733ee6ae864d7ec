package io.wstap.analyzer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Seeds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every option of {@code wstap analyze} and every exit code, run in-process on real captures. */
class AnalyzeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path seeds;

    @BeforeEach
    void capture() throws IOException {
        seeds = Seeds.seeds(dir);
    }

    private static JsonNode json(Cli.Run run) throws IOException {
        return JSON.readTree(run.out());
    }

    private static List<String> rules(JsonNode report) {
        List<String> l = new ArrayList<>();
        report.get("findings").forEach(f -> l.add(f.get("rule").asText()));
        return l;
    }

    @Test
    void errorsFailTheRunByDefault() {
        Cli.Run run = Cli.run("analyze", seeds);
        assertEquals(ExitCodes.FINDINGS, run.exit(), run.toString());
        assertEquals("", run.err());
        assertTrue(run.out().contains("exit 1      4 findings at or above error (--fail-on error)"), run.out());
    }

    @Test
    void failOnNeverAlwaysExits0() throws IOException {
        Cli.Run run = Cli.run("analyze", "--fail-on", "never", "--format", "json", seeds);
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
        JsonNode s = json(run).get("summary");
        assertEquals("never", s.get("failOn").asText());
        assertEquals(0, s.get("failing").asInt());
        assertEquals(0, s.get("exitCode").asInt());
        assertEquals(7, s.get("findings").asInt());
    }

    @Test
    void failOnWarningCountsWarnings() {
        assertEquals(ExitCodes.OK, Cli.run("analyze", "--rule", "WS205", seeds).exit());
        assertEquals(ExitCodes.FINDINGS, Cli.run("analyze", "--rule", "WS205", "--fail-on", "warning", seeds).exit());
        assertEquals(ExitCodes.OK, Cli.run("analyze", "--connection", "1", "--fail-on", "warning", seeds).exit());
    }

    @Test
    void failOnInfoCountsEverything() {
        assertEquals(ExitCodes.FINDINGS, Cli.run("analyze", "--rule", "WS404", "--fail-on", "info", seeds).exit());
        assertEquals(ExitCodes.OK, Cli.run("analyze", "--connection", "2", "--fail-on", "info", seeds).exit());
    }

    @Test
    void minSeverityLeavesOutLowerFindingsAndTheExitCodeFollows() throws IOException {
        Cli.Run run = Cli.run("analyze", "--format", "json", "--min-severity", "error", "--fail-on", "warning", seeds);
        assertEquals(ExitCodes.FINDINGS, run.exit());
        json(run).get("findings").forEach(f -> assertEquals("error", f.get("severity").asText()));
        assertEquals(List.of("WS301", "WS101", "WS301", "WS309"), rules(json(run)));
        assertEquals(ExitCodes.OK, Cli.run("analyze", "--min-severity", "error", "--rule", "WS205", "--fail-on",
                "warning", seeds).exit(), "WS205 is a warning: filtered out, it cannot fail the run");
        Cli.Run text = Cli.run("analyze", "--min-severity", "warning", "--connection", "4", seeds);
        assertTrue(text.out().contains("WS205 application-used-1002"), text.out());
    }

    @Test
    void ruleSelectsByIdOrSlugInAnyCase() throws IOException {
        Cli.Run byId = Cli.run("analyze", "--format", "json", "--rule", "WS301", seeds);
        Cli.Run bySlug = Cli.run("analyze", "--format", "json", "--rule", "missing-close-frame", seeds);
        Cli.Run lower = Cli.run("analyze", "--format", "json", "--rule", "ws301", seeds);
        assertEquals(List.of("WS301", "WS301"), rules(json(byId)));
        assertEquals(byId.out(), bySlug.out());
        assertEquals(byId.out(), lower.out());
        Cli.Run two = Cli.run("analyze", "--format", "json", "--rule", "WS110", "--rule", "legacy-hixie-76", seeds);
        assertEquals(List.of("WS110", "WS404"), rules(json(two)));
        assertEquals(ExitCodes.OK, two.exit(), "warnings only, --fail-on error");
    }

    @Test
    void anUnknownRuleIsAUsageError() {
        Cli.Run run = Cli.run("analyze", "--rule", "WS999", seeds);
        assertEquals(ExitCodes.USAGE, run.exit());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("wstap: unknown rule 'WS999' for --rule: expected an id (WS101 ... WS404) or a "
                + "slug (e.g. missing-close-frame); docs/rules.md lists them"), run.err());
        assertTrue(run.err().contains("Try 'wstap analyze --help' for more information."), run.err());
    }

    @Test
    void connectionSelectsConnections() throws IOException {
        Cli.Run run = Cli.run("analyze", "--format", "json", "--connection", "3", "--connection", "9", seeds);
        JsonNode r = json(run);
        assertEquals(2, r.get("connections").size());
        assertEquals("3", r.get("connections").get(0).get("id").asText());
        assertEquals("9", r.get("connections").get(1).get("id").asText());
        assertEquals(List.of("WS301", "WS301", "WS309"), rules(r));
        assertEquals(2, r.get("summary").get("connections").asInt());
        Cli.Run text = Cli.run("analyze", "--connection", "2", seeds);
        assertEquals(ExitCodes.OK, text.exit());
        assertTrue(text.out().contains("connection 2 · "), text.out());
        assertFalse(text.out().contains("connection 3 · "), text.out());
    }

    @Test
    void anUnknownConnectionIsReportedButNotAnError() throws IOException {
        Cli.Run run = Cli.run("analyze", "--format", "json", "--connection", "99", seeds);
        assertEquals(ExitCodes.OK, run.exit());
        assertEquals("wstap: --connection 99: no such connection in the input\n", run.err().replace("\r\n", "\n"));
        JsonNode r = json(run);
        assertEquals(0, r.get("connections").size());
        assertEquals("99", r.get("summary").get("unmatchedConnectionIds").get(0).asText());
    }

    @Test
    void connectionIdsOfTwoViewsMatchEitherView() throws IOException {
        List<Path> pair = Seeds.pair(dir);
        for (String id : List.of("1:2+2:6", "1:2", "2:6")) {
            JsonNode r = json(Cli.run("analyze", "--format", "json", "--connection", id, pair.get(0), pair.get(1)));
            assertEquals(1, r.get("connections").size(), id);
            assertEquals("1:2+2:6", r.get("connections").get(0).get("id").asText(), id);
        }
        JsonNode bare = json(Cli.run("analyze", "--format", "json", "--connection", "1", pair.get(0), pair.get(1)));
        assertEquals("1:1+2:5", bare.get("connections").get(0).get("id").asText(), "a bare id matches in every input");
    }

    @Test
    void formatJsonIsValidJsonWithTheUtf8Reason() throws IOException {
        Cli.Run run = Cli.run("analyze", "--format", "JSON", "--connection", "2", seeds);
        JsonNode c = json(run).get("connections").get(0);
        assertEquals(Seeds.CHINESE, c.get("closeFrames").get(0).get("reason").asText());
        assertEquals(Seeds.CHINESE, c.get("clientSaw").get("reason").asText());
        assertTrue(run.out().contains(Seeds.CHINESE), "written as UTF-8 text, not escaped");
    }

    @Test
    void formatTextIsTheDefault() {
        assertEquals(Cli.run("analyze", seeds).out(), Cli.run("analyze", "--format", "text", seeds).out());
    }

    @Test
    void formatHtmlWritesOnePage() {
        Cli.Run run = Cli.run("analyze", "--format", "HTML", seeds);
        assertEquals(ExitCodes.FINDINGS, run.exit(), run.toString());
        assertTrue(run.out().startsWith("<!DOCTYPE html>"), run.out());
        assertTrue(run.out().endsWith("</html>\n"), run.out());
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        Cli.Run run = Cli.run("analyze", "--format", "xml", seeds);
        assertEquals(ExitCodes.USAGE, run.exit());
        assertTrue(run.err().startsWith("wstap: invalid value for --format: 'xml' (expected text, json or html)"), run.err());
    }

    @Test
    void badLevelsAreUsageErrors() {
        Cli.Run min = Cli.run("analyze", "--min-severity", "never", seeds);
        assertEquals(ExitCodes.USAGE, min.exit());
        assertTrue(min.err().startsWith("wstap: invalid value for --min-severity: 'never' (expected info, warning or "
                + "error)"), min.err());
        Cli.Run fail = Cli.run("analyze", "--fail-on", "fatal", seeds);
        assertEquals(ExitCodes.USAGE, fail.exit());
        assertTrue(fail.err().startsWith("wstap: invalid value for --fail-on: 'fatal' (expected error, warning, info or "
                + "never)"), fail.err());
    }

    @Test
    void outputGoesToTheFileInUtf8() throws IOException {
        Path report = dir.resolve("report.json");
        Cli.Run run = Cli.run("analyze", "--format", "json", "-o", report, seeds);
        assertEquals(ExitCodes.FINDINGS, run.exit());
        assertEquals("", run.out());
        assertEquals("", run.err());
        assertEquals(Cli.run("analyze", "--format", "json", seeds).out(), Files.readString(report, StandardCharsets.UTF_8));
        Path text = dir.resolve("report.txt");
        assertEquals(ExitCodes.FINDINGS, Cli.run("analyze", "--output", text, seeds).exit());
        assertTrue(Files.readString(text, StandardCharsets.UTF_8).contains(Seeds.CHINESE));
    }

    @Test
    void anUnwritableOutputIsOneLineAndExit2() {
        Path bad = dir.resolve("no-such-dir").resolve("report.txt");
        Cli.Run run = Cli.run("analyze", "-o", bad, seeds);
        assertEquals(ExitCodes.BAD_INPUT, run.exit());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith(bad + ": cannot write the report: NoSuchFileException"), run.err());
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithASuggestion() {
        Cli.Run run = Cli.run("analyze", "--fail-onn", "never", seeds);
        assertEquals(ExitCodes.USAGE, run.exit());
        assertTrue(run.err().startsWith("wstap: Unknown option: '--fail-onn'"), run.err());
        assertTrue(run.err().contains("--fail-on"), run.err());
    }

    @Test
    void noFileIsAUsageError() {
        Cli.Run run = Cli.run("analyze");
        assertEquals(ExitCodes.USAGE, run.exit());
        assertEquals("wstap: Missing required parameter: 'FILE'\nTry 'wstap analyze --help' for more information.\n",
                run.err().replace("\r\n", "\n"));
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Cli.Run run = Cli.run("analyse", seeds);
        assertEquals(ExitCodes.USAGE, run.exit());
        assertTrue(run.err().contains("analyze"), "suggests the right command: " + run.err());
    }

    @Test
    void severalInputsArePrefixedAndTheSameFileIsReadOnce() throws IOException {
        List<Path> pair = Seeds.pair(dir);
        JsonNode r = json(Cli.run("analyze", "--format", "json", seeds, pair.get(0), seeds));
        assertEquals(2, r.get("inputs").size(), "seeds.wstap named twice is read once");
        assertEquals("1:1", r.get("connections").get(0).get("id").asText());
        assertEquals("2:1", r.get("connections").get(10).get("id").asText());
    }
}
