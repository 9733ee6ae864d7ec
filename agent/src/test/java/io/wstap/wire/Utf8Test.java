package io.wstap.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8Test {
    @Test
    void agreesWithTheJdkDecoderOnRandomAndNearlyValidBytes() {
        Random random = new Random(6455);
        for (int n = 0; n < 200_000; n++) {
            byte[] b;
            if (n % 2 == 0) {
                b = new byte[random.nextInt(8)];
                random.nextBytes(b);
            } else {
                StringBuilder s = new StringBuilder();
                for (int k = random.nextInt(4); k >= 0; k--) {
                    s.appendCodePoint(random.nextInt(0x10FFFF) & ~0x800); // mostly non-surrogates
                }
                b = s.toString().getBytes(StandardCharsets.UTF_8);
                if (b.length > 0 && random.nextBoolean()) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            assertEquals(jdkAccepts(b), Utf8.isValid(b, 0, b.length), () -> java.util.HexFormat.of().formatHex(b));
        }
    }

    @Test
    void rejectsOverlongSurrogatesAndBeyondU10FFFF() {
        assertFalse(valid("C0 80"));      // overlong NUL
        assertFalse(valid("E0 80 AF"));   // overlong '/'
        assertFalse(valid("ED A0 80"));   // U+D800
        assertFalse(valid("F4 90 80 80"));// U+110000
        assertFalse(valid("E2 82"));      // truncated €
        assertTrue(valid("E2 82 AC"));    // €
        assertTrue(valid("F4 8F BF BF")); // U+10FFFF
        assertTrue(valid(""));
    }

    private static boolean valid(String hex) {
        byte[] b = Frames.hex(hex);
        return Utf8.isValid(b, 0, b.length);
    }

    private static boolean jdkAccepts(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
