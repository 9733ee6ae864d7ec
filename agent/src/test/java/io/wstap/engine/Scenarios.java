package io.wstap.engine;

import io.wstap.wire.Opcode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.wstap.engine.Script.ascii;
import static io.wstap.wire.Frames.AUTO;
import static io.wstap.wire.Frames.LEN16;
import static io.wstap.wire.Frames.LEN64;
import static io.wstap.wire.Frames.binary;
import static io.wstap.wire.Frames.close;
import static io.wstap.wire.Frames.concat;
import static io.wstap.wire.Frames.frame;
import static io.wstap.wire.Frames.hex;
import static io.wstap.wire.Frames.hixieBinary;
import static io.wstap.wire.Frames.hixieClose;
import static io.wstap.wire.Frames.hixieText;
import static io.wstap.wire.Frames.text;

/**
 * Every rule raised by real bytes, and a near miss for each that must not raise it, with the exact findings and
 * outcome expected. The rules test checks them; the split-invariance and path-equivalence tests run all of them again.
 */
final class Scenarios {
    static final String CHINESE_REASON = "孩子,地球太危险了,快回火星去吧!";
    static final String DEFLATE_OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    static final String DEFLATE_ACCEPT = "Sec-WebSocket-Extensions: permessage-deflate\r\n";

    static final String HIXIE_REQUEST = "GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nSec-WebSocket-Protocol: sample\r\nUpgrade: WebSocket\r\n"
            + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nOrigin: http://example.com\r\n\r\n^n:ds[4U";
    static final String HIXIE_RESPONSE = "HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Origin: http://example.com\r\n"
            + "Sec-WebSocket-Location: ws://example.com/demo\r\nSec-WebSocket-Protocol: sample\r\n\r\n8jKS'y:G*Co,Wxa-";

    record Scenario(String name, Script script, EngineOptions options, Outcome outcome, Set<String> rules) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Distinct, non-zero masking keys, so that only the scenarios that mean to reuse a key do. */
    private static int nextKey = 0x11223344;

    static Integer mk() {
        nextKey += 0x01020305;
        return nextKey == 0 ? mk() : nextKey;
    }

    /** The usual tail: client Close 1000, server echoes, server then client close TCP, capture ends. */
    static Script cleanClose(Script s) {
        return s.client(close(1000, "bye", mk())).server(close(1000, "bye", null))
                .tcp(Role.SERVER, TcpEnd.FIN).tcp(Role.CLIENT, TcpEnd.FIN).end();
    }

    static List<Scenario> all() {
        List<Scenario> l = new ArrayList<>();
        EngineOptions d = EngineOptions.DEFAULTS;
        EngineOptions text = d.withCheckText(true);

        // ---- the seeds (shared/seeds) ----
        add(l, "seed-client-closes-1000-clean", cleanClose(Script.open()
                .client(text("hello", mk())).server(text("hello", null))), d, Outcome.CLEAN);
        add(l, "seed-server-88-00-is-valid", Script.open().server(hex("88 00")).client(close(-1, "", mk()))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN);
        add(l, "seed-client-88-00-is-WS101", Script.open().client(hex("88 00")).server(hex("88 00"))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS101");
        add(l, "seed-client-88-80-zero-mask-is-WS110", Script.open().client(hex("88 80 00 00 00 00"))
                .server(hex("88 00")).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS110");
        add(l, "seed-hixie-76-ff-00-both-ways", Script.empty().client(ascii(HIXIE_REQUEST)).server(ascii(HIXIE_RESPONSE))
                .client(hixieText("hello")).server(hixieText("hi"), hixieBinary(300)).client(hixieClose())
                .server(hixieClose()).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS404");
        add(l, "seed-server-1000-chinese-reason", Script.open().server(close(1000, CHINESE_REASON, null))
                .client(close(1000, CHINESE_REASON, mk())).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN);
        add(l, "seed-1002-after-clean-frames-is-WS205", Script.open().client(text("v1.0", mk()))
                .server(close(1002, "client too old", null)).client(close(1002, "client too old", mk()))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS205");
        add(l, "seed-1002-answering-unmasked-frame-is-WS101-not-WS205", Script.open().client(text("v1.0", null))
                .server(close(1002, "unmasked frame", null)).client(close(1002, "", mk()))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS101");

        // ---- framing ----
        add(l, "WS102-masked-server-frame", cleanClose(Script.open().server(text("x", mk()))), d, Outcome.CLEAN, "WS102");
        add(l, "WS102-near-unmasked-server-frame", cleanClose(Script.open().server(text("x", null))), d, Outcome.CLEAN);
        add(l, "WS103-ping-126-bytes", cleanClose(Script.open().client(frame(true, Opcode.PING, mk(), new byte[126]))),
                d, Outcome.CLEAN, "WS103");
        add(l, "WS103-near-ping-125-bytes", cleanClose(Script.open().client(frame(true, Opcode.PING, mk(), new byte[125]))),
                d, Outcome.CLEAN);
        add(l, "WS104-ping-without-fin", cleanClose(Script.open().server(frame(false, Opcode.PING, null, new byte[3]))),
                d, Outcome.CLEAN, "WS104");
        add(l, "WS104-near-ping-between-fragments", cleanClose(Script.open().server(frame(false, Opcode.TEXT, null,
                new byte[] {'a'}), frame(true, Opcode.PING, null, new byte[0]), frame(true, Opcode.CONTINUATION, null,
                new byte[] {'b'}))), d, Outcome.CLEAN);
        add(l, "WS105-opcode-3", cleanClose(Script.open().server(frame(true, 0x3, null, new byte[2]))), d, Outcome.CLEAN, "WS105");
        add(l, "WS105-opcode-B", cleanClose(Script.open().client(frame(true, 0xB, mk(), new byte[0]))), d, Outcome.CLEAN, "WS105");
        add(l, "WS105-near-pong", cleanClose(Script.open().client(frame(true, Opcode.PONG, mk(), new byte[0]))), d, Outcome.CLEAN);
        add(l, "WS106-rsv1-without-deflate", cleanClose(Script.open().server(frame(true, 4, Opcode.TEXT, null,
                new byte[4], AUTO))), d, Outcome.CLEAN, "WS106");
        add(l, "WS106-near-rsv1-with-deflate", cleanClose(Script.open(DEFLATE_OFFER, DEFLATE_ACCEPT)
                .server(frame(true, 4, Opcode.TEXT, null, new byte[4], AUTO))), d, Outcome.CLEAN);
        add(l, "WS106-rsv1-on-continuation-with-deflate", cleanClose(Script.open(DEFLATE_OFFER, DEFLATE_ACCEPT)
                .server(frame(false, 4, Opcode.TEXT, null, new byte[4], AUTO), frame(true, 4, Opcode.CONTINUATION, null,
                        new byte[4], AUTO))), d, Outcome.CLEAN, "WS106");
        add(l, "WS106-rsv1-on-ping-with-deflate", cleanClose(Script.open(DEFLATE_OFFER, DEFLATE_ACCEPT)
                .client(frame(true, 4, Opcode.PING, mk(), new byte[1], AUTO))), d, Outcome.CLEAN, "WS106");
        add(l, "WS106-rsv2", cleanClose(Script.open().client(frame(true, 2, Opcode.BINARY, mk(), new byte[1], AUTO))),
                d, Outcome.CLEAN, "WS106");
        add(l, "WS107-lone-continuation", cleanClose(Script.open().server(frame(true, Opcode.CONTINUATION, null,
                new byte[1]))), d, Outcome.CLEAN, "WS107");
        add(l, "WS107-near-fragmented-message", cleanClose(Script.open().client(frame(false, Opcode.BINARY, mk(),
                new byte[10]), frame(false, Opcode.CONTINUATION, mk(), new byte[10]), frame(true, Opcode.CONTINUATION,
                mk(), new byte[1]))), d, Outcome.CLEAN);
        add(l, "WS108-interleaved-binary", cleanClose(Script.open().server(frame(false, Opcode.TEXT, null, new byte[1]),
                frame(true, Opcode.BINARY, null, new byte[1]))), d, Outcome.CLEAN, "WS108");
        add(l, "WS109-5-bytes-in-16-bits", cleanClose(Script.open().server(frame(true, 0, Opcode.BINARY, null,
                new byte[5], LEN16))), d, Outcome.CLEAN, "WS109");
        add(l, "WS109-100-bytes-in-64-bits", cleanClose(Script.open().client(frame(true, 0, Opcode.BINARY, mk(),
                new byte[100], LEN64))), d, Outcome.CLEAN, "WS109");
        add(l, "WS109-64-bit-length-top-bit-set", Script.open().server(hex("82 7F 80 00 00 00 00 00 00 05 01 02 03"))
                .client(close(1002, "bad length", mk())).tcp(Role.CLIENT, TcpEnd.FIN).end(), d, Outcome.HALF_CLOSED,
                "WS109"); // failing the connection (§7.1.7) need not wait for the answer: no WS302
        add(l, "WS109-near-minimal-lengths", cleanClose(Script.open().server(frame(true, 0, Opcode.BINARY, null,
                new byte[126], LEN16), frame(true, 0, Opcode.BINARY, null, new byte[70_000], LEN64))), d, Outcome.CLEAN);
        add(l, "WS110-reused-key", cleanClose(Script.open().client(text("a", 0x01020304), text("b", 0x01020304))),
                d, Outcome.CLEAN, "WS110");
        add(l, "WS110-near-fresh-keys", cleanClose(Script.open().client(text("a", mk()), text("b", mk()))), d, Outcome.CLEAN);
        byte[] badUtf8 = {(byte) 0xC3, 0x28};
        add(l, "WS111-invalid-utf8-text", cleanClose(Script.open().client(frame(true, Opcode.TEXT, mk(), badUtf8))),
                text, Outcome.CLEAN, "WS111");
        add(l, "WS111-near-checking-off", cleanClose(Script.open().client(frame(true, Opcode.TEXT, mk(), badUtf8))),
                d, Outcome.CLEAN);
        byte[] euro = io.wstap.wire.Frames.utf8("€");
        add(l, "WS111-near-character-split-across-fragments", cleanClose(Script.open().client(
                frame(false, Opcode.TEXT, mk(), new byte[] {euro[0]}), frame(true, Opcode.PING, mk(), new byte[0]),
                frame(true, Opcode.CONTINUATION, mk(), new byte[] {euro[1], euro[2]}))), text, Outcome.CLEAN);
        add(l, "WS111-message-ends-inside-a-character", cleanClose(Script.open().client(
                frame(true, Opcode.TEXT, mk(), new byte[] {euro[0], euro[1]}))), text, Outcome.CLEAN, "WS111");

        // ---- Close frames ----
        add(l, "WS201-one-byte-close", Script.open().server(frame(true, Opcode.CLOSE, null, new byte[] {3}))
                .client(close(-1, "", mk())).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS201");
        add(l, "WS202-1006-sent", Script.open().client(close(1000, "", mk())).server(close(1006, "", null))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS202", "WS307");
        for (int code : new int[] {0, 999, 1004, 1016, 2999, 5000, 65535}) {
            add(l, "WS203-code-" + code, Script.open().client(close(1000, "", mk())).server(close(code, "", null))
                    .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS203", "WS307");
        }
        for (int code : new int[] {1000, 1003, 1007, 1014, 3000, 4000, 4999}) {
            add(l, "WS203-near-code-" + code, Script.open().client(close(code, "", mk())).server(close(code, "", null))
                    .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN);
        }
        add(l, "WS204-reason-not-utf8", Script.open().client(close(1000, "", mk())).server(frame(true, Opcode.CLOSE, null,
                new byte[] {0x03, (byte) 0xE8, (byte) 0xC3, 0x28})).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN,
                "WS204");
        add(l, "WS205-1002-from-client", Script.open().server(text("welcome", null)).client(close(1002, "", mk()))
                .server(close(1002, "", null)).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS205");
        add(l, "WS206-1010-from-server", Script.open().server(close(1010, "", null)).client(close(1010, "", mk()))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS206");
        add(l, "WS206-1011-from-client", Script.open().client(close(1011, "", mk())).server(close(1011, "", null))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS206");
        add(l, "WS206-near-1011-from-server", Script.open().server(close(1011, "", null)).client(close(1011, "", mk()))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN);

        // ---- closing handshake ----
        add(l, "WS301-server-drops-tcp", Script.open().client(text("x", mk())).tcp(Role.SERVER, TcpEnd.FIN)
                .tcp(Role.CLIENT, TcpEnd.FIN).end(), d, Outcome.ABRUPT, "WS301");
        add(l, "WS301-close-after-drop-does-not-repair", Script.open().tcp(Role.SERVER, TcpEnd.FIN)
                .client(close(1001, "", mk())).end(), d, Outcome.ABRUPT, "WS301");
        add(l, "WS301-WS309-reset", Script.open().tcp(Role.CLIENT, TcpEnd.RESET).end(), d, Outcome.RESET, "WS301", "WS309");
        add(l, "WS302-server-closes-tcp-without-answer", Script.open().client(close(1000, "", mk()))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.HALF_CLOSED, "WS302");
        add(l, "WS302-unanswered-at-end-of-capture", Script.open().client(close(1000, "", mk())).after(2000).end(),
                d, Outcome.OPEN, "WS302");
        add(l, "WS302-near-still-within-grace", Script.open().client(close(1000, "", mk())).after(500).end(),
                d, Outcome.OPEN);
        // A FIN after one's own Close may be a half-close (Jetty's shutdownOutput after each Close it sends; any FIN
        // the peer or the wire sees): the answer can still come, and the outcome waits for it.
        add(l, "half-close-after-close-then-answer-is-clean", Script.open().serverIsLocal()
                .server(close(1000, "", null)).tcp(Role.SERVER, TcpEnd.HALF_CLOSE).client(close(1000, "", mk()))
                .tcp(Role.SERVER, TcpEnd.FIN).tcp(Role.CLIENT, TcpEnd.FIN).end(), d, Outcome.CLEAN);
        add(l, "peer-fin-after-its-close-then-answer-is-clean", Script.open().server(close(1000, "", null))
                .tcp(Role.SERVER, TcpEnd.FIN).client(close(1000, "", mk())).tcp(Role.CLIENT, TcpEnd.FIN).end(),
                d, Outcome.CLEAN);
        add(l, "WS302-half-close-then-close-without-answer", Script.open().serverIsLocal()
                .server(close(1001, "", null)).tcp(Role.SERVER, TcpEnd.HALF_CLOSE).after(500)
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.HALF_CLOSED, "WS302");
        add(l, "WS302-peer-fin-after-its-close-never-answered", Script.open().server(close(1001, "", null))
                .tcp(Role.SERVER, TcpEnd.FIN).after(100).tcp(Role.CLIENT, TcpEnd.FIN).end(), d, Outcome.HALF_CLOSED,
                "WS302");
        add(l, "WS302-half-close-unanswered-at-end-of-capture", Script.open().serverIsLocal()
                .server(close(1001, "", null)).tcp(Role.SERVER, TcpEnd.HALF_CLOSE).after(2000).end(),
                d, Outcome.HALF_CLOSED, "WS302");
        add(l, "WS302-local-close-after-own-close-is-final", Script.open().client(close(1000, "", mk()))
                .tcp(Role.CLIENT, TcpEnd.FIN).server(close(1000, "", null)).end(), d, Outcome.HALF_CLOSED, "WS302");
        add(l, "WS101-failing-the-connection-without-waiting-is-not-WS302", Script.open().serverIsLocal()
                .client(text("x", null)).server(close(1002, "", null)).tcp(Role.SERVER, TcpEnd.FIN).end(), d,
                Outcome.HALF_CLOSED, "WS101");
        add(l, "WS302-near-1002-without-a-violation-waits", Script.open().serverIsLocal()
                .client(text("x", mk())).server(close(1002, "", null)).tcp(Role.SERVER, TcpEnd.FIN).end(), d,
                Outcome.HALF_CLOSED, "WS205", "WS302");
        add(l, "WS304-client-half-closes-after-its-close", Script.open().client(close(1000, "", mk()))
                .tcp(Role.CLIENT, TcpEnd.HALF_CLOSE).server(close(1000, "", null)).tcp(Role.SERVER, TcpEnd.FIN).end(),
                d, Outcome.CLEAN_CLIENT_TCP_FIRST, "WS304");
        add(l, "WS303-text-after-close", cleanClose(Script.open().server(close(1000, "", null), text("late", null))
                .client(close(1000, "", mk())).tcp(Role.SERVER, TcpEnd.FIN)), d, Outcome.CLEAN, "WS303");
        add(l, "WS303-near-text-before-close", cleanClose(Script.open().server(text("last", null))), d, Outcome.CLEAN);
        add(l, "WS304-client-closes-tcp-first", Script.open().client(close(1000, "", mk())).server(close(1000, "", null))
                .tcp(Role.CLIENT, TcpEnd.FIN).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN_CLIENT_TCP_FIRST, "WS304");
        add(l, "WS305-server-lingers", Script.open().client(close(1000, "", mk())).server(close(1000, "", null))
                .after(1500).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS305");
        add(l, "WS305-still-open-at-end", Script.open().client(close(1000, "", mk())).server(close(1000, "", null))
                .after(1500).end(), d, Outcome.OPEN, "WS305");
        add(l, "WS305-near-server-closes-within-grace", Script.open().client(close(1000, "", mk()))
                .server(close(1000, "", null)).after(500).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN);
        add(l, "WS306-slow-answer", Script.open().client(close(1000, "", mk())).after(1500).server(close(1000, "", null))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS306");
        add(l, "WS306-near-answer-within-threshold", Script.open().client(close(1000, "", mk())).after(500)
                .server(close(1000, "", null)).tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN);
        add(l, "WS307-other-code", Script.open().client(close(1000, "", mk())).server(close(1001, "", null))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS307");
        add(l, "WS307-no-code", Script.open().client(close(4001, "", mk())).server(close(-1, "", null))
                .tcp(Role.SERVER, TcpEnd.FIN).end(), d, Outcome.CLEAN, "WS307");
        add(l, "WS308-closed-before-101", Script.empty().client(ascii(Script.request(""))).after(3000)
                .tcp(Role.CLIENT, TcpEnd.FIN).end(), d, Outcome.ABRUPT, "WS308");
        add(l, "WS308-near-closed-after-101", Script.open().tcp(Role.CLIENT, TcpEnd.FIN).end(), d, Outcome.ABRUPT, "WS301");

        // ---- opening handshake ----
        add(l, "WS401-bad-accept", cleanClose(Script.empty().client(ascii(Script.request("")))
                .server(ascii(Script.response("").replace(Script.ACCEPT, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")))), d,
                Outcome.CLEAN, "WS401");
        add(l, "WS402-version-8", cleanClose(Script.empty().client(ascii(Script.request("")
                .replace("Version: 13", "Version: 8"))).server(ascii(Script.response("")))), d, Outcome.CLEAN, "WS402");
        add(l, "WS403-extension-not-offered", cleanClose(Script.open("", DEFLATE_ACCEPT)), d, Outcome.CLEAN, "WS403");
        add(l, "WS403-subprotocol-not-offered", cleanClose(Script.open("Sec-WebSocket-Protocol: chat, superchat\r\n",
                "Sec-WebSocket-Protocol: mqtt\r\n")), d, Outcome.CLEAN, "WS403");
        add(l, "WS403-near-offered", cleanClose(Script.open("Sec-WebSocket-Protocol: chat, superchat\r\n" + DEFLATE_OFFER,
                "Sec-WebSocket-Protocol: chat\r\n" + DEFLATE_ACCEPT)), d, Outcome.CLEAN);

        // ---- outcomes that are not rules ----
        add(l, "rejected-with-400", Script.empty().client(ascii(Script.request("")))
                .server(ascii("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")).tcp(Role.SERVER, TcpEnd.FIN).end(),
                d, Outcome.REJECTED);
        add(l, "server-is-local-clean", cleanClose(Script.open().serverIsLocal().client(text("hi", mk()))), d, Outcome.CLEAN);
        add(l, "joined-mid-stream-roles-from-masking", cleanClose(Script.joined(null, Protocol.RFC6455)
                .server(text("x", null)).client(binary(300, mk()))), d, Outcome.CLEAN);
        add(l, "open-at-end-of-capture", Script.open().client(text("x", mk())).end(), d, Outcome.OPEN);
        add(l, "large-frames-and-early-frames", cleanClose(Script.empty().client(concat(ascii(Script.request("")),
                binary(70_000, mk()))).server(concat(ascii(Script.response("")), binary(200_000, null)))), d, Outcome.CLEAN);
        return l;
    }

    private static void add(List<Scenario> l, String name, Script s, EngineOptions o, Outcome outcome, String... rules) {
        l.add(new Scenario(name, s, o, outcome, Set.of(rules)));
    }

    private Scenarios() {
    }
}
