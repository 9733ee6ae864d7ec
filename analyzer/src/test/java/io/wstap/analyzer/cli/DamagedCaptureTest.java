package io.wstap.analyzer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wstap.analyzer.testing.Blocks;
import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Seeds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A damaged capture is not an input error: its intact part is analysed, the report says what was lost, and the exit
 * code comes from the findings. seeds.wstap holds the header block, one block per connection (1-10), and the END block.
 */
class DamagedCaptureTest {
    @TempDir
    Path dir;
    Path capture;
    List<Blocks.Block> blocks;

    @BeforeEach
    void capture() throws IOException {
        capture = Seeds.seeds(dir);
        blocks = Blocks.of(capture);
        assertEquals(12, blocks.size());
    }

    private static JsonNode json(Cli.Run run) throws IOException {
        return new ObjectMapper().readTree(run.out());
    }

    private static List<String> ids(JsonNode report) {
        List<String> l = new ArrayList<>();
        report.get("connections").forEach(c -> l.add(c.get("id").asText()));
        return l;
    }

    @Test
    void aFlippedPayloadBitLosesOneConnectionAndSaysSo() throws IOException {
        Blocks.Block b3 = blocks.get(3);
        Blocks.flipBit(capture, b3.payload() + 7);
        Cli.Run text = Cli.run("analyze", capture);
        assertEquals(ExitCodes.FINDINGS, text.exit(), "connection 9's WS301 is still there: " + text);
        assertEquals("", text.err());
        GoldenReportsTest.golden("damaged.txt", text.out(dir));
        assertTrue(text.out().contains("· DAMAGED"), text.out());
        assertTrue(text.out().contains("bytes " + b3.offset() + ".." + b3.end() + " of seeds.wstap (" + b3.size()
                + " bytes): block CRC mismatch"), text.out());
        assertFalse(text.out().contains("connection 3 · "), text.out());

        JsonNode r = json(Cli.run("analyze", "--format", "json", capture));
        JsonNode in = r.get("inputs").get(0);
        assertFalse(in.get("intact").asBoolean());
        assertFalse(in.get("truncated").asBoolean());
        assertEquals(1, in.get("damage").size());
        JsonNode d = in.get("damage").get(0);
        assertEquals("seeds.wstap", d.get("file").asText());
        assertEquals(b3.offset(), d.get("offset").asLong());
        assertEquals(b3.size(), d.get("length").asLong());
        assertEquals("block CRC mismatch", d.get("what").asText());
        assertEquals(List.of("1", "2", "4", "5", "6", "7", "8", "9", "10"), ids(r));
        assertEquals(1, r.get("summary").get("damagedInputs").asInt());
    }

    @Test
    void aFlippedBitInABlockHeaderIsSkippedToTheNextBlock() throws IOException {
        Blocks.flipBit(capture, blocks.get(5).offset() + 5); // the length field: the header CRC catches it
        JsonNode r = json(Cli.run("analyze", "--format", "json", capture));
        JsonNode d = r.get("inputs").get(0).get("damage").get(0);
        assertEquals("block header checksum mismatch", d.get("what").asText());
        assertEquals(blocks.get(5).offset(), d.get("offset").asLong());
        assertEquals(List.of("1", "2", "3", "4", "6", "7", "8", "9", "10"), ids(r));
    }

    @Test
    void aTruncatedCaptureIsReadUpToItsLastWholeBlock() throws IOException {
        Blocks.cut(capture, blocks.get(5).offset() + 40);
        Cli.Run text = Cli.run("analyze", capture);
        assertEquals(ExitCodes.FINDINGS, text.exit(), "connection 3's WS301: " + text);
        assertTrue(text.out().contains("the file ends inside a block (a torn tail"), text.out());
        JsonNode r = json(Cli.run("analyze", "--format", "json", capture));
        JsonNode in = r.get("inputs").get(0);
        assertTrue(in.get("truncated").asBoolean());
        assertEquals(blocks.get(5).offset(), in.get("validBytes").asLong());
        assertTrue(in.get("damage").get(0).get("what").asText().startsWith("truncated block (24 of "),
                in.get("damage").toString());
        assertEquals(List.of("1", "2", "3", "4"), ids(r));
    }

    @Test
    void aCaptureCutBeforeItsEndRecordEndsAtTheLastTimeSeen() throws IOException {
        Blocks.cut(capture, blocks.get(11).offset() + 3);
        JsonNode r = json(Cli.run("analyze", "--format", "json", "--connection", "10", capture));
        JsonNode c = r.get("connections").get(0);
        assertEquals("open", c.get("outcome").asText());
        assertTrue(r.get("inputs").get(0).get("truncated").asBoolean());
        assertEquals("truncated block header (3 of 16 bytes)",
                r.get("inputs").get(0).get("damage").get(0).get("what").asText());
    }

    @Test
    void aDamagedHeaderLeavesTheCaptureAnonymousButItsConnectionsRead() throws IOException {
        Blocks.flipBit(capture, blocks.get(0).payload() + 3);
        Cli.Run text = Cli.run("analyze", "--connection", "3", capture);
        assertEquals(ExitCodes.FINDINGS, text.exit(), text.toString());
        assertTrue(text.out().contains("started (unknown: header damaged)"), text.out());
        assertTrue(text.out().contains("opened      (time unknown: the capture's header is damaged)"), text.out());
        assertTrue(text.out().contains("    +32.000 ms  server closed TCP (fin)"), "no wall-clock column: " + text.out());
        JsonNode r = json(Cli.run("analyze", "--format", "json", capture));
        JsonNode in = r.get("inputs").get(0);
        assertTrue(in.get("host").isNull());
        assertTrue(in.get("startedAt").isNull());
        assertTrue(in.get("pid").isNull());
        assertEquals(10, r.get("connections").size());
        assertTrue(r.get("connections").get(0).get("startedAt").isNull());
    }
}
