package io.wstap.engine;

import org.junit.jupiter.api.Test;

import static io.wstap.engine.CloseCode.Kind.INVALID;
import static io.wstap.engine.CloseCode.Kind.OBSERVED_ONLY;
import static io.wstap.engine.CloseCode.Kind.PRIVATE;
import static io.wstap.engine.CloseCode.Kind.PROTOCOL;
import static io.wstap.engine.CloseCode.Kind.REGISTERED;
import static io.wstap.engine.CloseCode.Kind.IANA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloseCodeTest {
    @Test
    void boundariesOfEveryRange() {
        assertEquals(INVALID, CloseCode.kind(0));
        assertEquals(INVALID, CloseCode.kind(999));
        assertEquals(PROTOCOL, CloseCode.kind(1000));
        assertEquals(PROTOCOL, CloseCode.kind(1003));
        assertEquals(INVALID, CloseCode.kind(1004));
        assertEquals(OBSERVED_ONLY, CloseCode.kind(1005));
        assertEquals(OBSERVED_ONLY, CloseCode.kind(1006));
        assertEquals(PROTOCOL, CloseCode.kind(1007));
        assertEquals(PROTOCOL, CloseCode.kind(1011));
        assertEquals(IANA, CloseCode.kind(1012));
        assertEquals(IANA, CloseCode.kind(1014));
        assertEquals(OBSERVED_ONLY, CloseCode.kind(1015));
        assertEquals(INVALID, CloseCode.kind(1016));
        assertEquals(INVALID, CloseCode.kind(2999));
        assertEquals(REGISTERED, CloseCode.kind(3000));
        assertEquals(REGISTERED, CloseCode.kind(3999));
        assertEquals(PRIVATE, CloseCode.kind(4000));
        assertEquals(PRIVATE, CloseCode.kind(4999));
        assertEquals(INVALID, CloseCode.kind(5000));
        assertEquals(INVALID, CloseCode.kind(65535));
        assertEquals(INVALID, CloseCode.kind(-1));
    }

    @Test
    void sendableIsDerivedFromTheTable() {
        int sendable = 0;
        for (int code = 0; code <= 65535; code++) {
            if (CloseCode.isSendable(code)) {
                sendable++;
            }
        }
        // 1000-1003 (4) + 1007-1014 (8) + 3000-4999 (2000)
        assertEquals(2012, sendable);
        assertTrue(CloseCode.isSendable(1000));
        assertFalse(CloseCode.isSendable(1005));
        assertEquals("try again later", CloseCode.describe(1013));
        assertEquals("private use (4000-4999)", CloseCode.describe(4321));
    }
}
