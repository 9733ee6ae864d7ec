package io.wstap.analyzer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wstap.analyzer.testing.Seeds;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The hand-written JSON writer: escaping (checked against an independent parser), layout, misuse. */
class JsonWriterTest {
    private static String one(String s) {
        StringBuilder b = new StringBuilder();
        new JsonWriter(b).beginArray().value(s).endArray();
        return b.toString();
    }

    private static String parsedBack(String s) throws IOException {
        return new ObjectMapper().readTree(one(s)).get(0).textValue();
    }

    @Test
    void everyControlCharacterIsEscapedAndReadsBack() throws IOException {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        all.append('\u007f');
        String json = one(all.toString());
        assertEquals("[\n  \"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d"
                + "\\u001e\\u001f\\u007f\"\n]\n", json);
        assertEquals(all.toString(), parsedBack(all.toString()));
    }

    @Test
    void quotesAndBackslashes() throws IOException {
        assertEquals("[\n  \"say \\\"bye\\\" C:\\\\tmp\"\n]\n", one("say \"bye\" C:\\tmp"));
        assertEquals("say \"bye\" C:\\tmp", parsedBack("say \"bye\" C:\\tmp"));
    }

    @Test
    void nonAsciiIsWrittenAsItIs() throws IOException {
        assertEquals("[\n  \"" + Seeds.CHINESE + "\"\n]\n", one(Seeds.CHINESE));
        assertEquals(Seeds.CHINESE, parsedBack(Seeds.CHINESE));
        String emoji = "closed \uD83D\uDE80 é ß";
        assertEquals("[\n  \"" + emoji + "\"\n]\n", one(emoji));
        assertEquals(emoji, parsedBack(emoji));
    }

    @Test
    void lineSeparatorsAndUnpairedSurrogatesAreEscaped() throws IOException {
        assertEquals("[\n  \"a\\u2028b\\u2029c\"\n]\n", one("a\u2028b\u2029c"));
        assertEquals("[\n  \"\\ud800x\\udc00\\ud83d\uD83D\uDE80\"\n]\n", one("\uD800x\uDC00\uD83D\uD83D\uDE80"));
        assertEquals("a\u2028b", parsedBack("a\u2028b"));
    }

    @Test
    void layoutIsTwoSpaceIndentedWithEmptyContainersInline() throws IOException {
        StringBuilder b = new StringBuilder();
        new JsonWriter(b).beginObject().field("a", 1).name("b").beginArray().endArray().name("c").beginObject()
                .endObject().name("d").beginArray().value(true).nullValue().number("5.000").endArray()
                .field("e", (String) null).fieldOrNull("f", -1).endObject();
        assertEquals("{\n  \"a\": 1,\n  \"b\": [],\n  \"c\": {},\n  \"d\": [\n    true,\n    null,\n    5.000\n  ],\n"
                + "  \"e\": null,\n  \"f\": null\n}\n", b.toString());
        JsonNode n = new ObjectMapper().readTree(b.toString());
        assertEquals(5.0, n.get("d").get(2).doubleValue());
    }

    @Test
    void misuseIsRefused() {
        assertThrows(IllegalStateException.class, () -> new JsonWriter(new StringBuilder()).beginObject().value(1));
        assertThrows(IllegalStateException.class, () -> new JsonWriter(new StringBuilder()).beginArray().name("x"));
        assertThrows(IllegalStateException.class, () -> new JsonWriter(new StringBuilder()).beginArray().endObject());
        assertThrows(IllegalStateException.class, () -> new JsonWriter(new StringBuilder()).value(1).value(2));
        assertThrows(IllegalArgumentException.class, () -> new JsonWriter(new StringBuilder()).number("NaN"));
        assertThrows(IllegalArgumentException.class, () -> new JsonWriter(new StringBuilder()).number("01"));
    }
}
