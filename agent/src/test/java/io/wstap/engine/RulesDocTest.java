package io.wstap.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/rules.md and the {@link Rule} catalogue say the same thing, row for row. */
class RulesDocTest {
    static Path rulesDoc() {
        String docs = System.getProperty("wstap.docs");
        Path p = docs != null ? Path.of(docs, "rules.md") : Path.of("..", "docs", "rules.md");
        return Files.exists(p) ? p : Path.of("..", "docs", "rules.md");
    }

    /** The catalogue as the doc's table rows. */
    static List<String> catalogueRows() {
        List<String> rows = new ArrayList<>();
        for (Rule r : Rule.values()) {
            rows.add("| " + String.join(" | ", r.id(), "`" + r.slug() + "`", r.severity().label(), r.ref(),
                    r.description(), r.hint()) + " |");
        }
        return rows;
    }

    @Test
    void docsRulesTableMatchesTheCatalogue() throws IOException {
        Path doc = rulesDoc();
        assertTrue(Files.exists(doc), "missing " + doc.toAbsolutePath());
        List<String> docRows = Files.readAllLines(doc, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("| WS")).toList();
        assertEquals(String.join("\n", catalogueRows()), String.join("\n", docRows),
                "docs/rules.md rows differ from io.wstap.engine.Rule; the catalogue's rows are the expected text");
    }

    @Test
    void idsAndSlugsAreUniqueAndWellFormed() {
        assertEquals(Rule.values().length, java.util.Arrays.stream(Rule.values()).map(Rule::id).distinct().count());
        assertEquals(Rule.values().length, java.util.Arrays.stream(Rule.values()).map(Rule::slug).distinct().count());
        for (Rule r : Rule.values()) {
            assertTrue(r.id().matches("WS[1-4]\\d\\d"), r.id());
            assertTrue(r.slug().matches("[a-z0-9]+(-[a-z0-9]+)*"), r.slug());
            assertEquals(r, Rule.find(r.id()));
            assertEquals(r, Rule.find(r.slug()));
        }
    }
}
