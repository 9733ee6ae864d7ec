package io.wstap.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.wstap.wire.Frames.close;
import static io.wstap.wire.Frames.concat;
import static io.wstap.wire.Frames.frame;
import static io.wstap.wire.Frames.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameScannerTest {
    static final String CHINESE_REASON = "孩子,地球太危险了,快回火星去吧!";

    /** Keeps what each callback said, as text, so runs can be compared. */
    static final class Recording implements FrameSink {
        final List<String> events = new ArrayList<>();
        final List<Integer> codes = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();

        @Override
        public void onFrame(Frame f) {
            events.add(f.toString() + (f.nonMinimalLength() ? " nonminimal" : "") + (f.lengthOverflow() ? " overflow" : ""));
            if (f.opcode() == Opcode.CLOSE) {
                codes.add(f.closeCode());
                reasons.add(f.closeReason());
            }
        }

        @Override
        public void onInvalidText(long offset) {
            events.add("invalid-text@" + offset);
        }
    }

    static Recording scanWhole(byte[] stream, FrameScanner.Mode mode, boolean checkText) {
        Recording r = new Recording();
        new FrameScanner(r, mode, checkText).scan(stream, 0, stream.length);
        return r;
    }

    static Recording scan(byte[] stream) {
        return scanWhole(stream, FrameScanner.Mode.RFC6455, false);
    }

    @Test
    void serverEmptyCloseIs8800() {
        Recording r = scan(hex("88 00"));
        assertEquals(List.of("close fin len=0 hdr=2 @0 code=-1 reason=\"\""), r.events);
    }

    @Test
    void clientEmptyCloseWithZeroKeyIs888000000000() {
        Recording r = scan(hex("88 80 00 00 00 00"));
        assertEquals(List.of("close fin mask=00000000 len=0 hdr=6 @0 code=-1 reason=\"\""), r.events);
    }

    @Test
    void serverCloseWithChineseReasonDecodesExactly() {
        byte[] reason = Frames.utf8(CHINESE_REASON);
        byte[] stream = concat(hex("88"), new byte[] {(byte) (2 + reason.length)}, hex("03 E8"), reason);
        Recording r = scan(stream);
        assertEquals(List.of(1000), r.codes);
        assertEquals(List.of(CHINESE_REASON), r.reasons);
    }

    @Test
    void clientCloseIsUnmaskedBeforeDecoding() {
        Recording r = scan(close(4000, CHINESE_REASON, 0x37fa213d));
        assertEquals(List.of(4000), r.codes);
        assertEquals(List.of(CHINESE_REASON), r.reasons);
    }

    @Test
    void rfcSampleFrames() {
        // RFC 6455 §5.7: unmasked "Hello", masked "Hello", fragmented "Hel"+"lo", ping, 256 and 65536-byte binaries.
        byte[] stream = concat(hex("81 05 48 65 6c 6c 6f"), hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
                hex("01 03 48 65 6c"), hex("80 02 6c 6f"), hex("89 05 48 65 6c 6c 6f"),
                hex("82 7E 01 00"), new byte[256], hex("82 7F 00 00 00 00 00 01 00 00"), new byte[65536]);
        assertEquals(List.of(
                "text fin len=5 hdr=2 @0",
                "text fin mask=37fa213d len=5 hdr=6 @7",
                "text len=3 hdr=2 @18",
                "continuation fin len=2 hdr=2 @23",
                "ping fin len=5 hdr=2 @27",
                "binary fin len=256 hdr=4 @34",
                "binary fin len=65536 hdr=10 @294"), scan(stream).events);
    }

    @Test
    void nonMinimalLengthsAreFlagged() {
        byte[] stream = concat(frame(true, 0, Opcode.BINARY, null, new byte[5], Frames.LEN16),
                frame(true, 0, Opcode.BINARY, null, new byte[300], Frames.LEN64),
                frame(true, 0, Opcode.BINARY, null, new byte[126], Frames.LEN16),
                frame(true, 0, Opcode.BINARY, null, new byte[70_000], Frames.LEN64));
        List<String> e = scan(stream).events;
        assertTrue(e.get(0).endsWith("nonminimal"), e.get(0));
        assertTrue(e.get(1).endsWith("nonminimal"), e.get(1));
        assertFalse(e.get(2).endsWith("nonminimal"), e.get(2));
        assertFalse(e.get(3).endsWith("nonminimal"), e.get(3));
    }

    @Test
    void lengthWithTopBitSetStopsTheScanner() {
        Recording r = new Recording();
        FrameScanner s = new FrameScanner(r, FrameScanner.Mode.RFC6455, false);
        byte[] stream = concat(hex("82 7F 80 00 00 00 00 00 00 05"), hex("81 01 41"));
        s.scan(stream, 0, stream.length);
        assertEquals(1, r.events.size());
        assertTrue(r.events.get(0).endsWith("overflow"));
        assertTrue(s.stopped());
        assertEquals(stream.length, s.streamOffset());
    }

    @Test
    void overLongCloseKeeps125BytesAndSkipsTheRest() {
        byte[] payload = new byte[300];
        payload[0] = 0x03;
        payload[1] = (byte) 0xE8;
        for (int i = 2; i < payload.length; i++) {
            payload[i] = 'x';
        }
        byte[] stream = concat(frame(true, Opcode.CLOSE, 0x01020304, payload), hex("8A 00"));
        Recording r = scan(stream);
        assertEquals(2, r.events.size());
        assertEquals(List.of(1000), r.codes);
        assertEquals("x".repeat(123), r.reasons.get(0));
        assertEquals("pong fin len=0 hdr=2 @308", r.events.get(1));
    }

    static List<byte[]> samples() {
        return List.of(
                hex("88 00"), hex("88 80 00 00 00 00"),
                concat(hex("81 05 48 65 6c 6c 6f"), hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), hex("01 03 48 65 6c"),
                        hex("80 02 6c 6f"), hex("89 05 48 65 6c 6c 6f")),
                concat(frame(true, Opcode.BINARY, 0xdeadbeef, new byte[300]), close(1001, CHINESE_REASON, 0x01020304),
                        frame(true, 0, Opcode.BINARY, null, new byte[70_000], Frames.AUTO), close(1000, "ok", null)),
                concat(frame(true, Opcode.CLOSE, null, new byte[200]), frame(false, 0x3, 0x11111111, new byte[2])));
    }

    @Test
    void everySampleSplitAtEveryOffsetGivesTheSameFrames() {
        for (byte[] s : samples()) {
            List<String> whole = scan(s).events;
            for (int cut = 0; cut <= s.length; cut += s.length > 2000 ? 97 : 1) {
                Recording r = new Recording();
                FrameScanner scanner = new FrameScanner(r, FrameScanner.Mode.RFC6455, false);
                scanner.scan(s, 0, cut);
                scanner.scan(s, cut, s.length - cut);
                assertEquals(whole, r.events, "cut at " + cut);
                assertEquals(s.length, scanner.streamOffset());
            }
        }
    }

    @Test
    void byteByByteAndThroughEveryBufferKindGivesTheSameFrames() {
        Random random = new Random(42);
        for (byte[] s : samples()) {
            List<String> whole = scan(s).events;
            Recording bytes = new Recording();
            FrameScanner one = new FrameScanner(bytes, FrameScanner.Mode.RFC6455, false);
            for (int i = 0; i < s.length; i++) {
                one.scan(s, i, 1);
            }
            assertEquals(whole, bytes.events);
            for (int kind = 0; kind < 3; kind++) {
                Recording r = new Recording();
                FrameScanner scanner = new FrameScanner(r, FrameScanner.Mode.RFC6455, false);
                int i = 0;
                while (i < s.length) {
                    int n = 1 + random.nextInt(Math.min(s.length - i, 50));
                    feed(scanner, s, i, n, kind, random.nextInt(7));
                    i += n;
                }
                assertEquals(whole, r.events, "buffer kind " + kind);
            }
        }
    }

    /** Feeds {@code s[i, i+n)} as a byte[], heap or direct buffer holding it at offset {@code pad}. */
    static void feed(FrameScanner scanner, byte[] s, int i, int n, int kind, int pad) {
        if (kind == 0) {
            byte[] a = new byte[pad + n];
            System.arraycopy(s, i, a, pad, n);
            scanner.scan(a, pad, n);
            return;
        }
        ByteBuffer b = kind == 1 ? ByteBuffer.allocate(pad + n + 5) : ByteBuffer.allocateDirect(pad + n + 5);
        b.position(pad);
        b.put(s, i, n);
        int positionBefore = b.position();
        int limitBefore = b.limit();
        scanner.scan(b, pad, pad + n);
        assertEquals(positionBefore, b.position(), "the scanner must not move the application's position");
        assertEquals(limitBefore, b.limit());
    }

    @Test
    void sliceOfAHeapBufferIsReadAtItsOwnIndexes() {
        byte[] backing = concat(hex("00 00 00 00"), hex("81 02 68 69"), hex("88 00"));
        ByteBuffer slice = ByteBuffer.wrap(backing, 4, 6).slice(); // arrayOffset 4
        Recording r = new Recording();
        new FrameScanner(r, FrameScanner.Mode.RFC6455, false).scan(slice, 0, 6);
        assertEquals(List.of("text fin len=2 hdr=2 @0", "close fin len=0 hdr=2 @4 code=-1 reason=\"\""), r.events);
        Recording ro = new Recording();
        new FrameScanner(ro, FrameScanner.Mode.RFC6455, false).scan(slice.asReadOnlyBuffer(), 0, 6);
        assertEquals(r.events, ro.events);
    }

    // ---- hixie-76 ----

    @Test
    void hixieFramesAndFf00Close() {
        byte[] stream = concat(Frames.hixieText("hello"), Frames.hixieBinary(300), Frames.hixieText(""),
                Frames.hixieClose());
        Recording r = scanWhole(stream, FrameScanner.Mode.HIXIE76, false);
        assertEquals(List.of(
                "hixie text fin len=5 hdr=1 @0",
                "hixie binary fin len=300 hdr=3 @7",
                "hixie text fin len=0 hdr=1 @310",
                "hixie close fin len=0 hdr=2 @312 code=-1 reason=\"\""), r.events);
        for (int cut = 0; cut <= stream.length; cut++) {
            Recording split = new Recording();
            FrameScanner s = new FrameScanner(split, FrameScanner.Mode.HIXIE76, false);
            s.scan(stream, 0, cut);
            s.scan(stream, cut, stream.length - cut);
            assertEquals(r.events, split.events, "cut at " + cut);
        }
    }

    // ---- text checking (WS111) ----

    @Test
    void invalidUtf8IsReportedOncePerMessageWhenCheckingIsOn() {
        byte[] stream = concat(frame(true, Opcode.TEXT, 0x0a0b0c0d, new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF}),
                frame(true, Opcode.TEXT, null, Frames.utf8("fine")));
        assertEquals(List.of("text fin mask=0a0b0c0d len=3 hdr=6 @0", "invalid-text@0", "text fin len=4 hdr=2 @9"),
                scanWhole(stream, FrameScanner.Mode.RFC6455, true).events);
        assertEquals(2, scanWhole(stream, FrameScanner.Mode.RFC6455, false).events.size());
    }

    @Test
    void characterSplitAcrossFragmentsAndCallsIsValid() {
        byte[] euro = Frames.utf8("€");
        byte[] stream = concat(frame(false, Opcode.TEXT, 0x01020304, new byte[] {euro[0]}),
                frame(true, Opcode.PING, 0x01020304, new byte[0]),
                frame(true, Opcode.CONTINUATION, 0x05060708, new byte[] {euro[1], euro[2]}));
        for (int cut = 0; cut <= stream.length; cut++) {
            Recording r = new Recording();
            FrameScanner s = new FrameScanner(r, FrameScanner.Mode.RFC6455, true);
            s.scan(stream, 0, cut);
            s.scan(stream, cut, stream.length - cut);
            assertEquals(3, r.events.size(), "cut at " + cut + ": " + r.events);
        }
    }

    @Test
    void textMessageEndingInsideACharacterIsInvalid() {
        byte[] euro = Frames.utf8("€");
        Recording r = scanWhole(frame(true, Opcode.TEXT, null, new byte[] {euro[0], euro[1]}),
                FrameScanner.Mode.RFC6455, true);
        assertEquals(List.of("text fin len=2 hdr=2 @0", "invalid-text@0"), r.events);
    }

    @Test
    void hixieTextIsCheckedToo() {
        byte[] stream = concat(new byte[] {0, (byte) 0xC0, (byte) 0x80, (byte) 0xFF}, Frames.hixieText("ok"));
        assertEquals(List.of("invalid-text@0", "hixie text fin len=2 hdr=1 @0", "hixie text fin len=2 hdr=1 @4"),
                scanWhole(stream, FrameScanner.Mode.HIXIE76, true).events);
    }
}
