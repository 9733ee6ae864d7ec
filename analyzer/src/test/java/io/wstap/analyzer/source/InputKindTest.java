package io.wstap.analyzer.source;

import org.junit.jupiter.api.Test;

import static io.wstap.analyzer.testing.Wire.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Input kinds by their first bytes (docs/capture-format.md lists the magics). */
class InputKindTest {
    private static InputKind of(String hex) {
        byte[] b = hex(hex);
        return InputKind.of(b, b.length);
    }

    @Test
    void magics() {
        assertEquals(InputKind.WSTAP, of("89 77 73 74 61 70 0d 0a 00 01"));
        assertEquals(InputKind.PCAP, of("a1 b2 c3 d4"));
        assertEquals(InputKind.PCAP, of("d4 c3 b2 a1"));
        assertEquals(InputKind.PCAP, of("a1 b2 3c 4d"));
        assertEquals(InputKind.PCAP, of("4d 3c b2 a1"));
        assertEquals(InputKind.PCAPNG, of("0a 0d 0d 0a"));
        assertEquals(InputKind.JFR, of("46 4c 52 00"));
    }

    @Test
    void nearMisses() {
        assertNull(of("89 77 73 74 61 70 0d"), "7 bytes of the magic");
        assertNull(of("89 77 73 74 61 70 0a 0a"), "LF for CR: a text-mode transfer");
        assertNull(of("09 77 73 74 61 70 0d 0a"), "high bit stripped: a 7-bit transfer");
        assertNull(of("a1 b2 c3"));
        assertNull(of("46 4c 52 01"));
        assertNull(of(""));
    }

    @Test
    void everyKindIsReadByThisVersion() {
        for (InputKind k : InputKind.values()) {
            assertTrue(k.supported(), k.name());
        }
    }
}
