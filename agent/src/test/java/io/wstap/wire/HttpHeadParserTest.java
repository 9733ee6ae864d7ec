package io.wstap.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wstap.wire.HttpHeadParser.Status;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HttpHeadParserTest {

    // ---- Samples: real bytes, as sent on the wire ----

    /** RFC 6455 §1.2, client handshake. */
    static final String RFC6455_REQUEST = "GET /chat HTTP/1.1\r\n"
            + "Host: server.example.com\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Origin: http://example.com\r\n"
            + "Sec-WebSocket-Protocol: chat, superchat\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "\r\n";

    /** RFC 6455 §1.2, server handshake. */
    static final String RFC6455_RESPONSE = "HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGJzzhZRbK+xOo=\r\n"
            + "Sec-WebSocket-Protocol: chat\r\n"
            + "\r\n";

    /** draft-hixie-thewebsocketprotocol-76 §1.3 request head; the 8 key3 bytes follow the blank line. */
    static final String HIXIE76_REQUEST_HEAD = "GET /demo HTTP/1.1\r\n"
            + "Host: example.com\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n"
            + "Sec-WebSocket-Protocol: sample\r\n"
            + "Upgrade: WebSocket\r\n"
            + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
            + "Origin: http://example.com\r\n"
            + "\r\n";
    static final String HIXIE76_KEY3 = "^n:ds[4U";

    /** draft-hixie-thewebsocketprotocol-76 §1.3 response head; the 16-byte challenge response follows it. */
    static final String HIXIE76_RESPONSE_HEAD = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
            + "Upgrade: WebSocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Origin: http://example.com\r\n"
            + "Sec-WebSocket-Location: ws://example.com/demo\r\n"
            + "Sec-WebSocket-Protocol: sample\r\n"
            + "\r\n";
    static final String HIXIE76_RESPONSE_TOKEN = "8jKS'y:G*Co,Wxa-";

    /** Captured from JDK 17's java.net.http WebSocket client (header order and names as it sends them). */
    static final String JDK_CLIENT_REQUEST = "GET /chat?room=1 HTTP/1.1\r\n"
            + "Connection: Upgrade\r\n"
            + "Content-Length: 0\r\n"
            + "Host: 127.0.0.1:8080\r\n"
            + "Upgrade: websocket\r\n"
            + "User-Agent: Java-http-client/17.0.15\r\n"
            + "Sec-WebSocket-Key: BkMWwRwdvlhkXlywcflzqA==\r\n"
            + "Sec-WebSocket-Protocol: chat\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "\r\n";

    /** A Chromium request (header order as Chrome sends it), offering permessage-deflate. */
    static final String CHROMIUM_REQUEST = "GET /socket HTTP/1.1\r\n"
            + "Host: localhost:8080\r\n"
            + "Connection: Upgrade\r\n"
            + "Pragma: no-cache\r\n"
            + "Cache-Control: no-cache\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/124.0.0.0 Safari/537.36\r\n"
            + "Upgrade: websocket\r\n"
            + "Origin: http://localhost:8080\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\n"
            + "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            + "\r\n";

    /** RFC 6455 §4.4: a server refusing the requested version; a body follows the head. */
    static final String BAD_REQUEST_RESPONSE_HEAD = "HTTP/1.1 400 Bad Request\r\n"
            + "Content-Type: text/plain\r\n"
            + "Sec-WebSocket-Version: 13, 8, 7\r\n"
            + "Content-Length: 11\r\n"
            + "Connection: close\r\n"
            + "\r\n";
    static final String BAD_REQUEST_BODY = "Bad Request";

    static final String SWITCHING_RESPONSE_HEAD = "HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGJzzhZRbK+xOo=\r\n"
            + "\r\n";
    /** An unmasked text frame "Hello" (RFC 6455 §5.7), arriving in the same read as the 101. */
    static final byte[] HELLO_FRAME = {(byte) 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};

    static final String BARE_LF_REQUEST = RFC6455_REQUEST.replace("\r\n", "\n");

    static final String FOLDED_REQUEST = "GET /chat HTTP/1.1\r\n"
            + "Host: server.example.com\r\n"
            + "X-Long: first part\r\n"
            + "  of a skipped header\r\n"
            + "Sec-WebSocket-Protocol: chat,\r\n"
            + " \t superchat \r\n"
            + "Upgrade: websocket\r\n"
            + "\r\n";

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("rfc6455 request", latin1(RFC6455_REQUEST)),
                Arguments.of("rfc6455 response", latin1(RFC6455_RESPONSE)),
                Arguments.of("hixie-76 request + key3", latin1(HIXIE76_REQUEST_HEAD + HIXIE76_KEY3)),
                Arguments.of("hixie-76 response + token", latin1(HIXIE76_RESPONSE_HEAD + HIXIE76_RESPONSE_TOKEN)),
                Arguments.of("jdk client request", latin1(JDK_CLIENT_REQUEST)),
                Arguments.of("chromium request", latin1(CHROMIUM_REQUEST)),
                Arguments.of("400 response + body", latin1(BAD_REQUEST_RESPONSE_HEAD + BAD_REQUEST_BODY)),
                Arguments.of("101 + frame", concat(latin1(SWITCHING_RESPONSE_HEAD), HELLO_FRAME)),
                Arguments.of("bare LF request", latin1(BARE_LF_REQUEST)),
                Arguments.of("folded request", latin1(FOLDED_REQUEST)));
    }

    // ---- Handshake samples, all fields asserted ----

    @Test
    void rfc6455SampleRequestYieldsEveryField() {
        byte[] in = latin1(RFC6455_REQUEST);
        Outcome o = parseAtOnce(in);
        assertEquals(Status.DONE, o.status);
        assertEquals(in.length, o.end);
        assertEquals(new HttpHead(true, "GET", "/chat", 0, null,
                "server.example.com", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ==", "13",
                "chat, superchat", null, null, null, null, "http://example.com", null, in.length), o.head);
        assertTrue(o.head.isWebSocketUpgrade());
        assertFalse(o.head.isHixie76());
    }

    @Test
    void rfc6455SampleResponseYieldsEveryField() {
        byte[] in = latin1(RFC6455_RESPONSE);
        Outcome o = parseAtOnce(in);
        assertEquals(Status.DONE, o.status);
        assertEquals(in.length, o.end);
        assertEquals(new HttpHead(false, null, null, 101, "Switching Protocols",
                null, "websocket", "Upgrade", null, null,
                "chat", null, "s3pPLMBiTxaQ9kYGJzzhZRbK+xOo=", null, null, null, null, in.length), o.head);
        assertTrue(o.head.isWebSocketSwitch());
        assertFalse(o.head.isWebSocketUpgrade());
    }

    @Test
    void hixie76RequestStopsAtBlankLineBeforeTheEightKey3Bytes() {
        int headLength = HIXIE76_REQUEST_HEAD.length();
        Outcome o = parseAtOnce(latin1(HIXIE76_REQUEST_HEAD + HIXIE76_KEY3));
        assertEquals(Status.DONE, o.status);
        assertEquals(headLength, o.end, "the 8 key3 bytes are left to the caller");
        assertEquals(headLength, o.consumed);
        assertEquals(new HttpHead(true, "GET", "/demo", 0, null,
                "example.com", "WebSocket", "Upgrade", null, null,
                "sample", null, null, "4 @1  46546xW%0l 1 5", "12998 5 Y3 1  .P00", "http://example.com", null,
                headLength), o.head);
        assertTrue(o.head.isHixie76());
        assertTrue(o.head.isWebSocketUpgrade());
        assertFalse(o.head.isWebSocketSwitch(), "a request is no switch");
    }

    @Test
    void hixie76ResponseStopsAtBlankLineBeforeTheSixteenByteToken() {
        int headLength = HIXIE76_RESPONSE_HEAD.length();
        Outcome o = parseAtOnce(latin1(HIXIE76_RESPONSE_HEAD + HIXIE76_RESPONSE_TOKEN));
        assertEquals(Status.DONE, o.status);
        assertEquals(headLength, o.end, "the 16 token bytes are left to the caller");
        assertEquals(new HttpHead(false, null, null, 101, "WebSocket Protocol Handshake",
                null, "WebSocket", "Upgrade", null, null,
                "sample", null, null, null, null, "http://example.com", "ws://example.com/demo",
                headLength), o.head);
    }

    @Test
    void jdkHttpClientRequestYieldsEveryField() {
        byte[] in = latin1(JDK_CLIENT_REQUEST);
        Outcome o = parseAtOnce(in);
        assertEquals(Status.DONE, o.status);
        assertEquals(new HttpHead(true, "GET", "/chat?room=1", 0, null,
                "127.0.0.1:8080", "websocket", "Upgrade", "BkMWwRwdvlhkXlywcflzqA==", "13",
                "chat", null, null, null, null, null, null, in.length), o.head);
    }

    @Test
    void chromiumRequestKeepsPermessageDeflateOfferAndSkipsOtherHeaders() {
        byte[] in = latin1(CHROMIUM_REQUEST);
        Outcome o = parseAtOnce(in);
        assertEquals(Status.DONE, o.status);
        assertEquals(new HttpHead(true, "GET", "/socket", 0, null,
                "localhost:8080", "websocket", "Upgrade", "x3JJHMbDL1EzLkh9GBhXDw==", "13",
                null, "permessage-deflate; client_max_window_bits", null, null, null, "http://localhost:8080", null,
                in.length), o.head);
    }

    @Test
    void badRequestResponseYieldsStatusReasonAndStopsBeforeBody() {
        int headLength = BAD_REQUEST_RESPONSE_HEAD.length();
        Outcome o = parseAtOnce(latin1(BAD_REQUEST_RESPONSE_HEAD + BAD_REQUEST_BODY));
        assertEquals(Status.DONE, o.status);
        assertEquals(headLength, o.end);
        assertEquals(new HttpHead(false, null, null, 400, "Bad Request",
                null, null, "close", null, "13, 8, 7",
                null, null, null, null, null, null, null, headLength), o.head);
        assertFalse(o.head.isWebSocketSwitch());
    }

    @Test
    void switchingProtocolsFollowedByFrameInSameBufferReturnsIndexOfFirstFrameByte() {
        byte[] in = concat(latin1(SWITCHING_RESPONSE_HEAD), HELLO_FRAME);
        HttpHeadParser p = new HttpHeadParser();
        int end = p.feed(ByteBuffer.wrap(in), 0, in.length);
        assertEquals(Status.DONE, p.status());
        assertEquals(SWITCHING_RESPONSE_HEAD.length(), end);
        assertEquals((byte) 0x81, in[end]);
        assertEquals(end, p.bytesConsumed());
        assertEquals(end, p.head().headBytes());
        assertEquals("s3pPLMBiTxaQ9kYGJzzhZRbK+xOo=", p.head().accept());
        // The frame is not ours: a further call consumes nothing.
        assertEquals(end, p.feed(ByteBuffer.wrap(in), end, in.length));
        assertEquals(end, p.bytesConsumed());
    }

    // ---- Split invariance ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void splittingIntoTwoCallsAtEveryOffsetGivesTheSameResult(String name, byte[] in) {
        Outcome expected = parseAtOnce(in);
        assertEquals(Status.DONE, expected.status, name);
        for (int cut = 0; cut <= in.length; cut++) {
            assertEquals(expected, parseChunked(in, new int[] {cut}), name + " split at " + cut);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void feedingByteByByteGivesTheSameResult(String name, byte[] in) {
        int[] cuts = new int[in.length];
        Arrays.setAll(cuts, k -> k + 1);
        assertEquals(parseAtOnce(in), parseChunked(in, cuts), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void randomChunkingsGiveTheSameResult(String name, byte[] in) {
        Outcome expected = parseAtOnce(in);
        Random rnd = new Random(6455L + name.hashCode());
        for (int round = 0; round < 500; round++) {
            int[] cuts = randomCuts(rnd, in.length);
            assertEquals(expected, parseChunked(in, cuts), name + " cuts " + Arrays.toString(cuts));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void heapDirectReadOnlyAndArrayInputsAtNonzeroOffsetsAgree(String name, byte[] in) {
        Outcome expected = parseAtOnce(in);
        int off = 13;
        // Surround the sample with bytes that would make it NOT_HTTP if the parser read outside [from, to).
        byte[] padded = new byte[off + in.length + 9];
        Arrays.fill(padded, (byte) 0x01);
        System.arraycopy(in, 0, padded, off, in.length);

        ByteBuffer heap = ByteBuffer.wrap(padded);
        ByteBuffer direct = ByteBuffer.allocateDirect(padded.length);
        direct.put(padded).clear();
        ByteBuffer readOnly = ByteBuffer.wrap(padded).asReadOnlyBuffer();
        for (ByteBuffer buf : List.of(heap, direct, readOnly)) {
            buf.position(3).limit(padded.length - 2);
            Random rnd = new Random(name.hashCode());
            for (int round = 0; round < 20; round++) {
                Outcome o = parseChunked(buf, off, in.length, randomCuts(rnd, in.length));
                assertEquals(expected.shifted(off), o, name + " via " + buf);
                assertEquals(3, buf.position(), "position untouched");
                assertEquals(padded.length - 2, buf.limit(), "limit untouched");
            }
        }

        HttpHeadParser p = new HttpHeadParser();
        int end = p.feed(padded, off, in.length);
        assertEquals(expected.shifted(off), new Outcome(p.status(), p.head(), end, p.bytesConsumed()));
    }

    // ---- Bounds ----

    @Test
    void headOfExactlyMaxHeadBytesIsDone() {
        byte[] in = paddedRequest(HttpHeadParser.MAX_HEAD_BYTES);
        assertEquals(HttpHeadParser.MAX_HEAD_BYTES, in.length);
        Outcome o = parseAtOnce(in);
        assertEquals(Status.DONE, o.status);
        assertEquals(HttpHeadParser.MAX_HEAD_BYTES, o.end);
        assertEquals(HttpHeadParser.MAX_HEAD_BYTES, o.head.headBytes());
        assertEquals("example.com", o.head.host());
        assertEquals(o, parseChunked(in, randomCuts(new Random(1), in.length)));
    }

    @Test
    void headOneByteOverMaxHeadBytesIsTooLargeAfterExactlyMaxHeadBytes() {
        byte[] in = paddedRequest(HttpHeadParser.MAX_HEAD_BYTES + 1);
        Outcome o = parseAtOnce(in);
        assertEquals(Status.TOO_LARGE, o.status);
        assertNull(o.head);
        // Decided as soon as MAX_HEAD_BYTES bytes are in without a blank line; the rest is not consumed.
        assertEquals(HttpHeadParser.MAX_HEAD_BYTES, o.end);
        assertEquals(HttpHeadParser.MAX_HEAD_BYTES, o.consumed);
        assertEquals(o, parseChunked(in, randomCuts(new Random(2), in.length)));

        HttpHeadParser p = new HttpHeadParser();
        p.feed(in, 0, HttpHeadParser.MAX_HEAD_BYTES - 1);
        assertEquals(Status.NEED_MORE, p.status());
        p.feed(in, HttpHeadParser.MAX_HEAD_BYTES - 1, 1);
        assertEquals(Status.TOO_LARGE, p.status());
        assertEquals(in.length - 1, p.feed(in, in.length - 1, 1), "nothing more consumed");
    }

    @Test
    void keptValueLongerThanMaxValueCharsIsTruncated() {
        String longProtocol = "p".repeat(HttpHeadParser.MAX_VALUE_CHARS + 500);
        byte[] in = latin1("GET / HTTP/1.1\r\nSec-WebSocket-Protocol:  " + longProtocol + "  \r\nHost: h\r\n\r\n");
        Outcome o = parseAtOnce(in);
        assertEquals(Status.DONE, o.status);
        assertEquals(longProtocol.substring(0, HttpHeadParser.MAX_VALUE_CHARS), o.head.protocol());
        assertEquals("h", o.head.host());
        assertEquals(in.length, o.head.headBytes());
    }

    @Test
    void joinedValuesAreTruncatedAsOneValue() {
        String a = "a".repeat(HttpHeadParser.MAX_VALUE_CHARS - 1);
        byte[] in = latin1("GET / HTTP/1.1\r\nOrigin: " + a + "\r\nOrigin: b\r\n\r\n");
        assertEquals(a + ",", parseAtOnce(in).head.origin());
    }

    @Test
    void whitespaceAtTheTruncationPointInsideAValueIsKept() {
        String v = "x".repeat(HttpHeadParser.MAX_VALUE_CHARS - 2) + "   y";
        byte[] in = latin1("GET / HTTP/1.1\r\nHost: " + v + "\r\n\r\n");
        assertEquals(v.substring(0, HttpHeadParser.MAX_VALUE_CHARS), parseAtOnce(in).head.host());
    }

    @Test
    void requestTargetLongerThanMaxValueCharsIsTruncated() {
        String path = "/" + "t".repeat(3000);
        Outcome o = parseAtOnce(latin1("GET " + path + " HTTP/1.1\r\n\r\n"));
        assertEquals(Status.DONE, o.status);
        assertEquals(path.substring(0, HttpHeadParser.MAX_VALUE_CHARS), o.head.target());
    }

    @Test
    void reasonPhraseLongerThanMaxValueCharsIsTruncated() {
        String reason = "r".repeat(5000);
        Outcome o = parseAtOnce(latin1("HTTP/1.1 101 " + reason + "\r\n\r\n"));
        assertEquals(reason.substring(0, HttpHeadParser.MAX_VALUE_CHARS), o.head.reason());
    }

    @Test
    void headerNameLongerThanSixtyFourCharsIsNotKept() {
        String name = "Host" + "-x".repeat(40);
        Outcome o = parseAtOnce(latin1("GET / HTTP/1.1\r\n" + name + ": evil\r\nHost: good\r\n\r\n"));
        assertEquals("good", o.head.host());
    }

    // ---- NOT_HTTP, decided early ----

    static Stream<Arguments> notHttp() {
        return Stream.of(
                Arguments.of("TLS ClientHello", bytes(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03), 1),
                Arguments.of("masked WebSocket frame", bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d), 1),
                Arguments.of("lowercase method", latin1("get /chat HTTP/1.1\r\n\r\n"), 1),
                Arguments.of("binary garbage", bytes(0x00, 0xff, 0x13, 0x37, 0x42, 0x42), 1),
                Arguments.of("leading space", latin1(" GET / HTTP/1.1\r\n\r\n"), 1),
                Arguments.of("leading empty line", latin1("\r\nGET / HTTP/1.1\r\n\r\n"), 1),
                Arguments.of("SSH banner", latin1("SSH-2.0-OpenSSH_9.6\r\n"), 5),
                Arguments.of("method then slash", latin1("GET/ HTTP/1.1\r\n\r\n"), 4),
                Arguments.of("HTTP/2 response", latin1("HTTP/2 200\r\n\r\n"), 6),
                Arguments.of("HTTP/1.1 with 4-digit status", latin1("HTTP/1.1 1010 x\r\n\r\n"), 13),
                Arguments.of("empty request target", latin1("GET  HTTP/1.1\r\n\r\n"), 5),
                Arguments.of("HTTP/0.9 request line", latin1("GET /\r\n"), 6),
                Arguments.of("HTTP/2 connection preface", latin1("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 12));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notHttp")
    void nonHttpInputIsDecidedAtTheFirstByteThatRulesOutHttp(String name, byte[] in, int decidedAfter) {
        HttpHeadParser p = new HttpHeadParser();
        int fed = 0;
        while (p.status() == Status.NEED_MORE && fed < in.length) {
            assertEquals(fed + 1, p.feed(in, fed, 1));
            fed++;
        }
        assertEquals(Status.NOT_HTTP, p.status(), name);
        assertEquals(decidedAfter, fed, name + ": bytes fed before NOT_HTTP");
        assertEquals(decidedAfter, p.bytesConsumed(), "the deciding byte counts as consumed");
        assertNull(p.head());
        // Everything in one call: same decision, same index.
        assertEquals(new Outcome(Status.NOT_HTTP, null, decidedAfter, decidedAfter), parseAtOnce(in));
    }

    @Test
    void tlsAndFramesAreRejectedWithinEightBytes() {
        for (byte[] in : List.of(bytes(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03),
                bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d))) {
            HttpHeadParser p = new HttpHeadParser();
            p.feed(in, 0, 8);
            assertEquals(Status.NOT_HTTP, p.status());
        }
    }

    @Test
    void controlByteInsideHeaderValueIsNotHttp() {
        byte[] in = latin1("GET / HTTP/1.1\r\nUser-Agent: a\u0000b\r\n\r\n");
        Outcome o = parseAtOnce(in);
        assertEquals(Status.NOT_HTTP, o.status);
        assertEquals(latin1("GET / HTTP/1.1\r\nUser-Agent: a\u0000").length, o.end);
    }

    @Test
    void controlByteInsideHeaderNameIsNotHttp() {
        assertEquals(Status.NOT_HTTP, parseAtOnce(latin1("GET / HTTP/1.1\r\nHo\u0007st: a\r\n\r\n")).status);
    }

    @Test
    void crNotFollowedByLfIsNotHttp() {
        assertEquals(Status.NOT_HTTP, parseAtOnce(latin1("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n")).status);
        assertEquals(Status.NOT_HTTP, parseAtOnce(latin1("GET / HTTP/1.1\r\nHost: a\r\n\rx")).status);
    }

    @Test
    void afterNotHttpFurtherFeedsConsumeNothing() {
        HttpHeadParser p = new HttpHeadParser();
        byte[] in = latin1("xGET / HTTP/1.1\r\n\r\n");
        assertEquals(1, p.feed(in, 0, in.length));
        assertEquals(Status.NOT_HTTP, p.status());
        assertEquals(1, p.feed(in, 1, in.length - 1));
        assertEquals(4, p.feed(ByteBuffer.wrap(in), 4, 9));
        assertEquals(1, p.bytesConsumed());
    }

    // ---- Header handling ----

    @Test
    void repeatedProtocolLinesAreJoinedWithCommaSpace() {
        Outcome o = parseAtOnce(latin1("GET / HTTP/1.1\r\n"
                + "Sec-WebSocket-Protocol: chat\r\n"
                + "Host: h\r\n"
                + "Sec-WebSocket-Protocol: superchat\r\n"
                + "Sec-WebSocket-Protocol:   \r\n"
                + "Sec-WebSocket-Protocol: v2.chat\r\n"
                + "\r\n"));
        assertEquals("chat, superchat, v2.chat", o.head.protocol(), "an empty occurrence adds no list element");
    }

    @Test
    void presentButEmptyHeaderIsEmptyStringNotNull() {
        Outcome o = parseAtOnce(latin1("GET / HTTP/1.1\r\nSec-WebSocket-Extensions:\r\nOrigin: \t \r\n\r\n"));
        assertEquals("", o.head.extensions());
        assertEquals("", o.head.origin());
        assertNull(o.head.host());
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        Outcome o = parseAtOnce(latin1("GET / HTTP/1.1\r\n"
                + "HOST: a\r\nupgrade: websocket\r\nsEC-wEBsOCKET-kEY: k\r\nSEC-WEBSOCKET-VERSION: 13\r\n"
                + "sec-websocket-key1: 1\r\nSec-Websocket-Key2: 2\r\nCONNECTION: Upgrade\r\n\r\n"));
        assertEquals("a", o.head.host());
        assertEquals("websocket", o.head.upgrade());
        assertEquals("k", o.head.key());
        assertEquals("13", o.head.version());
        assertEquals("1", o.head.key1());
        assertEquals("2", o.head.key2());
        assertEquals("Upgrade", o.head.connection());
    }

    @Test
    void valuesAreTrimmedOfSpaceAndTabButInnerWhitespaceIsKept() {
        Outcome o = parseAtOnce(latin1("GET / HTTP/1.1\r\nConnection: \t keep-alive,  Upgrade \t \r\nHost:x\r\n\r\n"));
        assertEquals("keep-alive,  Upgrade", o.head.connection());
        assertEquals("x", o.head.host());
    }

    @Test
    void bareLfLineEndsAreAccepted() {
        byte[] in = latin1(BARE_LF_REQUEST);
        Outcome o = parseAtOnce(in);
        assertEquals(Status.DONE, o.status);
        assertEquals(in.length, o.end);
        HttpHead crlf = parseAtOnce(latin1(RFC6455_REQUEST)).head;
        assertEquals(crlf.key(), o.head.key());
        assertEquals(crlf.protocol(), o.head.protocol());
        assertEquals(crlf.origin(), o.head.origin());
        assertEquals(in.length, o.head.headBytes());
    }

    @Test
    void mixedCrlfAndBareLfLineEndsAreAccepted() {
        byte[] in = latin1("HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\r\nConnection: Upgrade\n\r\n");
        Outcome o = parseAtOnce(in);
        assertEquals(Status.DONE, o.status);
        assertEquals("Switching Protocols", o.head.reason());
        assertEquals("Upgrade", o.head.connection());
        assertEquals(in.length, o.end);
    }

    @Test
    void foldedLineContinuesKeptValueWithOneSpaceAndSkippedHeaderStaysSkipped() {
        Outcome o = parseAtOnce(latin1(FOLDED_REQUEST));
        assertEquals(Status.DONE, o.status);
        assertEquals("chat, superchat", o.head.protocol());
        assertEquals("server.example.com", o.head.host());
        assertEquals("websocket", o.head.upgrade());
    }

    @Test
    void foldingOntoAnEmptyValueAddsNoLeadingSpace() {
        Outcome o = parseAtOnce(latin1("GET / HTTP/1.1\r\nHost:\r\n   a\r\n \r\n\tb\r\nOrigin: o\r\nOrigin:\r\n o2\r\n\r\n"));
        assertEquals("a b", o.head.host());
        assertEquals("o, o2", o.head.origin());
    }

    @Test
    void continuationLineRightAfterStatusLineIsSkipped() {
        Outcome o = parseAtOnce(latin1("HTTP/1.1 101 Switching\r\n Protocols\r\nUpgrade: websocket\r\n\r\n"));
        assertEquals("Switching", o.head.reason());
        assertEquals("websocket", o.head.upgrade());
    }

    @Test
    void originAndSecWebSocketOriginBothFillOrigin() {
        assertEquals("http://a", parseAtOnce(latin1("GET / HTTP/1.1\r\nOrigin: http://a\r\n\r\n")).head.origin());
        assertEquals("http://b",
                parseAtOnce(latin1("GET / HTTP/1.1\r\nSec-WebSocket-Origin: http://b\r\n\r\n")).head.origin());
        assertEquals("http://c",
                parseAtOnce(latin1("HTTP/1.1 101 x\r\nSec-WebSocket-Origin: http://c\r\n\r\n")).head.origin());
    }

    @Test
    void whitespaceBeforeColonIsToleratedButInsideNameIsNotAKeptHeader() {
        Outcome o = parseAtOnce(latin1("GET / HTTP/1.1\r\nHost \t: a\r\nUp grade: websocket\r\n\r\n"));
        assertEquals("a", o.head.host());
        assertNull(o.head.upgrade());
    }

    @Test
    void headerLineWithoutColonIsIgnored() {
        Outcome o = parseAtOnce(latin1("GET / HTTP/1.1\r\nnonsense\r\n folded\r\nHost: a\r\n: empty name\r\n\r\n"));
        assertEquals(Status.DONE, o.status);
        assertEquals("a", o.head.host());
    }

    @Test
    void valuesAreDecodedAsIso88591() {
        byte[] in = concat(latin1("GET /caf"), bytes(0xe9), latin1(" HTTP/1.1\r\nOrigin: http://"),
                bytes(0xfc, 0xff, 0x7f), latin1("\r\n\r\n"));
        Outcome o = parseAtOnce(in);
        assertEquals("/caf\u00e9", o.head.target());
        assertEquals("http://\u00fc\u00ff\u007f", o.head.origin());
    }

    @Test
    void responseWithoutReasonPhraseHasEmptyReason() {
        Outcome o = parseAtOnce(latin1("HTTP/1.1 101\r\nUpgrade: websocket\r\n\r\n"));
        assertEquals(101, o.head.status());
        assertEquals("", o.head.reason());
        assertEquals(Status.DONE, parseAtOnce(latin1("HTTP/1.0 426 \r\n\r\n")).status);
        assertEquals("", parseAtOnce(latin1("HTTP/1.0 426 \r\n\r\n")).head.reason());
    }

    @Test
    void otherUppercaseMethodsAndHttp10AreAccepted() {
        Outcome o = parseAtOnce(latin1("VERSION-CONTROL * HTTP/1.0\r\n\r\n"));
        assertEquals(Status.DONE, o.status);
        assertEquals("VERSION-CONTROL", o.head.method());
        assertEquals("*", o.head.target());
        assertFalse(o.head.isWebSocketUpgrade());
    }

    @Test
    void headWithoutHeadersIsDone() {
        Outcome o = parseAtOnce(latin1("GET / HTTP/1.1\r\n\r\nrest"));
        assertEquals(new HttpHead(true, "GET", "/", 0, null, null, null, null, null, null, null, null, null, null,
                null, null, null, 18), o.head);
        assertEquals(18, o.end);
    }

    // ---- API contract ----

    @Test
    void freshParserNeedsMoreAndHasNoHead() {
        HttpHeadParser p = new HttpHeadParser();
        assertEquals(Status.NEED_MORE, p.status());
        assertNull(p.head());
        assertEquals(0, p.bytesConsumed());
        assertEquals(5, p.feed(new byte[10], 5, 0), "an empty range consumes nothing");
        assertEquals(Status.NEED_MORE, p.status());
    }

    @Test
    void incompleteHeadNeedsMoreAndConsumesEverything() {
        byte[] in = latin1(RFC6455_REQUEST);
        HttpHeadParser p = new HttpHeadParser();
        assertEquals(in.length - 1, p.feed(in, 0, in.length - 1));
        assertEquals(Status.NEED_MORE, p.status());
        assertNull(p.head());
        assertEquals(in.length - 1, p.bytesConsumed());
        assertEquals(in.length, p.feed(in, in.length - 1, 1));
        assertEquals(Status.DONE, p.status());
        assertNotNull(p.head());
    }

    @Test
    void afterDoneFurtherFeedsConsumeNothingAndReturnFrom() {
        byte[] in = latin1(RFC6455_REQUEST + RFC6455_REQUEST);
        HttpHeadParser p = new HttpHeadParser();
        int end = p.feed(in, 0, in.length);
        HttpHead head = p.head();
        assertEquals(RFC6455_REQUEST.length(), end);
        assertEquals(end, p.feed(in, end, in.length - end));
        assertEquals(7, p.feed(ByteBuffer.wrap(in), 7, in.length));
        assertEquals(end, p.bytesConsumed());
        assertEquals(head, p.head());
    }

    @Test
    void resetAllowsParsingTheNextHeadWithTheSameInstance() {
        byte[] in = concat(latin1(RFC6455_REQUEST), latin1(RFC6455_RESPONSE));
        HttpHeadParser p = new HttpHeadParser();
        int end = p.feed(in, 0, in.length);
        assertTrue(p.head().request());
        p.reset();
        assertEquals(Status.NEED_MORE, p.status());
        assertNull(p.head());
        assertEquals(0, p.bytesConsumed());
        assertEquals(in.length, p.feed(in, end, in.length - end));
        assertEquals(parseAtOnce(latin1(RFC6455_RESPONSE)).head, p.head());
    }

    @Test
    void resetAfterNotHttpAndTooLargeRecovers() {
        HttpHeadParser p = new HttpHeadParser();
        p.feed(bytes(0x16, 0x03), 0, 2);
        p.reset();
        byte[] in = latin1(RFC6455_RESPONSE);
        p.feed(in, 0, in.length);
        assertEquals(Status.DONE, p.status());
        byte[] big = paddedRequest(HttpHeadParser.MAX_HEAD_BYTES + 10);
        p.reset();
        p.feed(big, 0, big.length);
        assertEquals(Status.TOO_LARGE, p.status());
        p.reset();
        p.feed(in, 0, in.length);
        assertEquals(parseAtOnce(in).head, p.head());
    }

    @Test
    void feedRejectsRangesOutsideTheBuffer() {
        HttpHeadParser p = new HttpHeadParser();
        byte[] in = latin1(RFC6455_REQUEST);
        assertThrows(IndexOutOfBoundsException.class, () -> p.feed(in, -1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> p.feed(in, 3, in.length));
        ByteBuffer buf = ByteBuffer.wrap(in).limit(10);
        assertThrows(IndexOutOfBoundsException.class, () -> p.feed(buf, 0, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> p.feed(buf, 5, 4));
        assertEquals(0, p.bytesConsumed());
        assertEquals(Status.NEED_MORE, p.status());
    }

    // ---- Fuzz ----

    @Test
    void randomAndMutatedHeadsNeverThrowAlwaysTerminateAndStayWithinRange() {
        int iterations = Integer.getInteger("wstap.fuzz.iterations", 100_000);
        List<byte[]> seeds = new ArrayList<>();
        samples().forEach(a -> seeds.add((byte[]) a.get()[1]));
        seeds.add(paddedRequest(HttpHeadParser.MAX_HEAD_BYTES - 3));
        seeds.add(latin1("HTTP/1.1 101 Switching\r\n Protocols\r\nOrigin:\r\n o2\r\nHost \t: a\r\nx\r\n\r\n"));
        assertTimeoutPreemptively(Duration.ofSeconds(120 + iterations / 1000), () -> {
            Random rnd = new Random(0x5EED_6455L);
            for (int n = 0; n < iterations; n++) {
                byte[] in = rnd.nextInt(8) == 0 ? randomBytes(rnd) : mutate(rnd, seeds.get(rnd.nextInt(seeds.size())));
                try {
                    checkFuzzInput(rnd, in);
                } catch (AssertionError | RuntimeException e) {
                    fail("iteration " + n + " input " + Arrays.toString(in), e);
                }
            }
        });
    }

    private static void checkFuzzInput(Random rnd, byte[] in) {
        HttpHeadParser whole = new HttpHeadParser();
        int end = whole.feed(in, 0, in.length);
        assertTrue(end >= 0 && end <= in.length, "end " + end);
        Outcome once = new Outcome(whole.status(), whole.head(), end, whole.bytesConsumed());
        switch (once.status) {
            case NEED_MORE:
                assertEquals(in.length, end);
                assertTrue(in.length < HttpHeadParser.MAX_HEAD_BYTES);
                break;
            case DONE:
                assertEquals(end, once.head.headBytes());
                assertTrue(end <= HttpHeadParser.MAX_HEAD_BYTES);
                assertTrue(in[end - 1] == '\n');
                break;
            case TOO_LARGE:
                assertEquals(HttpHeadParser.MAX_HEAD_BYTES, end);
                break;
            case NOT_HTTP:
                assertTrue(end >= 1);
                break;
        }
        assertEquals(end, once.consumed);
        if (once.head != null) {
            assertBounded(once.head);
        }
        // Any chunking gives the same outcome, and every call stays within its range.
        assertEquals(once, parseChunked(in, randomCuts(rnd, in.length)));
    }

    private static void assertBounded(HttpHead h) {
        for (String s : Arrays.asList(h.method(), h.target(), h.reason(), h.host(), h.upgrade(), h.connection(),
                h.key(), h.version(), h.protocol(), h.extensions(), h.accept(), h.key1(), h.key2(), h.origin(),
                h.location())) {
            assertTrue(s == null || s.length() <= HttpHeadParser.MAX_VALUE_CHARS);
        }
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(64)];
        rnd.nextBytes(b);
        if (b.length > 0 && rnd.nextBoolean()) {
            b[0] = (byte) "GH".charAt(rnd.nextInt(2)); // look like HTTP long enough to reach deeper states
        }
        return b;
    }

    /** One to four edits of a seed: byte changes, inserts of delimiters, deletes, cuts, duplications. */
    private static byte[] mutate(Random rnd, byte[] seed) {
        byte[] delimiters = latin1("\r\n \t:,/0aH\u0000\u0016\u00ff");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = seed.clone();
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(6)) {
                case 0:
                    b[at] = (byte) rnd.nextInt(256);
                    break;
                case 1:
                    b[at] = delimiters[rnd.nextInt(delimiters.length)];
                    break;
                case 2: { // insert a delimiter
                    out.reset();
                    out.write(b, 0, at);
                    out.write(delimiters[rnd.nextInt(delimiters.length)]);
                    out.write(b, at, b.length - at);
                    b = out.toByteArray();
                    break;
                }
                case 3: { // delete a run
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(8));
                    out.reset();
                    out.write(b, 0, at);
                    out.write(b, at + len, b.length - at - len);
                    b = out.toByteArray();
                    break;
                }
                case 4: // cut short
                    b = Arrays.copyOf(b, at);
                    break;
                default: { // duplicate a run, sometimes many times (long lines, long heads)
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(40));
                    int times = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(1000) : 1;
                    out.reset();
                    out.write(b, 0, at + len);
                    for (int t = 0; t < times; t++) {
                        out.write(b, at, len);
                    }
                    out.write(b, at + len, b.length - at - len);
                    b = out.toByteArray();
                    break;
                }
            }
        }
        return b;
    }

    // ---- Helpers ----

    /** What a parse ends with: status, head, the index returned by the call that finished (or the last), bytes consumed. */
    record Outcome(Status status, HttpHead head, int end, long consumed) {
        Outcome shifted(int offset) {
            return new Outcome(status, head, end + offset, consumed);
        }
    }

    static Outcome parseAtOnce(byte[] in) {
        HttpHeadParser p = new HttpHeadParser();
        int end = p.feed(in, 0, in.length);
        return new Outcome(p.status(), p.head(), end, p.bytesConsumed());
    }

    /** Feeds in[0, length) as byte[] chunks ending at the given cuts (then at the end). */
    static Outcome parseChunked(byte[] in, int[] cuts) {
        HttpHeadParser p = new HttpHeadParser();
        return parseChunked(p, (from, to) -> p.feed(in, from, to - from), 0, in.length, cuts);
    }

    /** Feeds buf[off, off+length) through the ByteBuffer form in chunks ending at off + cuts. */
    static Outcome parseChunked(ByteBuffer buf, int off, int length, int[] cuts) {
        HttpHeadParser p = new HttpHeadParser();
        return parseChunked(p, (from, to) -> p.feed(buf, from, to), off, length, cuts);
    }

    interface Feeder {
        int feed(int from, int to);
    }

    private static Outcome parseChunked(HttpHeadParser p, Feeder feeder, int off, int length, int[] cuts) {
        int end = -1;
        int from = off;
        for (int k = 0; k <= cuts.length; k++) {
            int to = k < cuts.length ? off + Math.min(Math.max(cuts[k], from - off), length) : off + length;
            Status before = p.status();
            long consumedBefore = p.bytesConsumed();
            int r = feeder.feed(from, to);
            assertTrue(r >= from && r <= to, "feed(" + from + ", " + to + ") returned " + r);
            assertEquals(consumedBefore + (r - from), p.bytesConsumed(), "bytesConsumed follows the returned index");
            if (before != Status.NEED_MORE) {
                assertEquals(from, r, "a finished parser consumes nothing");
            } else if (p.status() == Status.NEED_MORE) {
                assertEquals(to, r, "an unfinished head consumes everything it is given");
            }
            if (end < 0 && (p.status() != Status.NEED_MORE || k == cuts.length)) {
                end = r;
            }
            from = to;
        }
        return new Outcome(p.status(), p.head(), end, p.bytesConsumed());
    }

    /** Sorted cut points in [0, length]: few big chunks or many small ones. */
    static int[] randomCuts(Random rnd, int length) {
        int count = rnd.nextBoolean() ? rnd.nextInt(4) : rnd.nextInt(Math.max(1, length / 2) + 1);
        int[] cuts = new int[count];
        for (int k = 0; k < count; k++) {
            cuts[k] = rnd.nextInt(length + 1);
        }
        Arrays.sort(cuts);
        return cuts;
    }

    /** A request head of exactly {@code size} bytes, padded with an uninteresting header. */
    static byte[] paddedRequest(int size) {
        String start = "GET /chat HTTP/1.1\r\nHost: example.com\r\nX-Padding: ";
        String end = "\r\nUpgrade: websocket\r\n\r\n";
        byte[] in = latin1(start + "p".repeat(size - start.length() - end.length()) + end);
        assertEquals(size, in.length);
        return in;
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int k = 0; k < values.length; k++) {
            b[k] = (byte) values[k];
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }
}
