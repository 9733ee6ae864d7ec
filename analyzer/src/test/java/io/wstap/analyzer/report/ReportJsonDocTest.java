package io.wstap.analyzer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wstap.analyzer.testing.Blocks;
import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/report-json.md and the JSON the CLI writes agree, field for field: every documented field is written (in every
 * object where it belongs, null or not), at least one of the sample reports shows each, and nothing undocumented is
 * written.
 */
class ReportJsonDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\|");

    @TempDir
    Path dir;

    static Path doc() {
        String docs = System.getProperty("wstap.docs");
        Path p = docs != null ? Path.of(docs, "report-json.md") : Path.of("..", "docs", "report-json.md");
        return Files.exists(p) ? p : Path.of("..", "docs", "report-json.md");
    }

    /** The field paths of the doc's tables ("connections[].closeFrames[].code"). */
    static Set<String> documentedFields() throws IOException {
        Set<String> fields = new LinkedHashSet<>();
        for (String line : Files.readAllLines(doc(), StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(line);
            if (m.find() && m.group(1).matches("[A-Za-z0-9_.\\[\\]*-]+")) {
                fields.add(m.group(1));
            }
        }
        return fields;
    }

    @Test
    void theDocListsTheContractFieldsOfTheBrief() throws IOException {
        Set<String> f = documentedFields();
        for (String required : List.of("connections", "connections[].id", "connections[].client", "connections[].server",
                "connections[].transport", "connections[].protocol", "connections[].outcome", "connections[].initiator",
                "connections[].closeFrames", "connections[].closeFrames[].from", "connections[].closeFrames[].code",
                "connections[].closeFrames[].reason", "connections[].closeFrames[].timeNanos",
                "connections[].tcpClosedBy", "connections[].clientSaw", "connections[].clientSaw.code",
                "connections[].clientSaw.reason", "connections[].clientSaw.wasClean", "connections[].serverSaw",
                "connections[].frames", "connections[].frames.client", "connections[].frames.server", "findings",
                "findings[].rule", "findings[].slug", "findings[].severity", "findings[].connection",
                "findings[].message", "findings[].ref", "findings[].stack")) {
            assertTrue(f.contains(required), "docs/report-json.md lacks " + required);
        }
    }

    @Test
    void everyDocumentedFieldIsWrittenAndNothingElse() throws IOException {
        Set<String> documented = documentedFields();
        List<JsonNode> reports = new ArrayList<>();
        reports.add(json(Seeds.seeds(dir)));
        List<Path> pair = Seeds.pair(dir);
        reports.add(json(pair.get(0), pair.get(1)));
        Path damaged = Files.copy(dir.resolve("seeds.wstap"), dir.resolve("damaged.wstap"));
        Blocks.flipBit(damaged, Blocks.of(damaged).get(3).payload() + 5);
        reports.add(json(damaged));

        Set<String> seen = new TreeSet<>();
        Set<String> problems = new TreeSet<>();
        for (JsonNode r : reports) {
            walk(r, "", documented, seen, problems);
        }
        assertEquals(Set.of(), problems, "JSON objects whose fields differ from docs/report-json.md");
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(seen);
        assertEquals(Set.of(), missing, "documented fields no sample report shows");
    }

    private JsonNode json(Object... files) throws IOException {
        List<Object> args = new ArrayList<>(List.of("analyze", "--format", "json", "--fail-on", "never"));
        args.addAll(List.of(files));
        Cli.Run run = Cli.run(args.toArray());
        assertEquals(0, run.exit(), run.toString());
        return new ObjectMapper().readTree(run.out());
    }

    /** Checks each object's keys against the documented children of its path; records the paths seen. */
    private static void walk(JsonNode node, String path, Set<String> documented, Set<String> seen, Set<String> problems) {
        if (node.isArray()) {
            for (JsonNode e : node) {
                walk(e, path + "[]", documented, seen, problems);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        String prefix = path.isEmpty() ? "" : path + ".";
        Set<String> expected = new TreeSet<>();
        for (String d : documented) {
            if (d.startsWith(prefix) && d.length() > prefix.length()) {
                String rest = d.substring(prefix.length());
                if (!rest.contains(".") && !rest.contains("[")) {
                    expected.add(rest);
                }
            }
        }
        Set<String> actual = new TreeSet<>();
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            actual.add(names.next());
        }
        if (expected.contains("*")) {
            for (String k : actual) {
                seen.add(prefix + "*");
                assertTrue(node.get(k).isNumber(), prefix + k);
            }
            return;
        }
        if (!expected.equals(actual)) {
            Set<String> extra = new TreeSet<>(actual);
            extra.removeAll(expected);
            Set<String> absent = new TreeSet<>(expected);
            absent.removeAll(actual);
            problems.add((path.isEmpty() ? "(top level)" : path) + ": undocumented " + extra + ", not written " + absent);
        }
        for (String k : actual) {
            seen.add(prefix + k);
            walk(node.get(k), prefix + k, documented, seen, problems);
        }
    }

    @Test
    void theDocNamesEveryOutcome() throws IOException {
        Set<String> f = documentedFields();
        for (io.wstap.engine.Outcome o : io.wstap.engine.Outcome.values()) {
            assertTrue(f.contains("summary.outcomes." + o.label()), o.label());
        }
        assertFalse(f.isEmpty());
    }
}
