package io.wstap.engine;

import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The per-connection state machine: opening handshake, framing, closing handshake, every rule of {@link Rule}.
 *
 * <p>Two ways to drive it, with the same result by construction (the byte path ends in the event methods):
 * <ul>
 *   <li>bytes per direction ({@link #onBytes}), as the live agent and the pcap reader see them: an HTTP head parser and a
 *       frame scanner per endpoint turn them into handshake and frame events;</li>
 *   <li>events ({@link #onHandshake}, {@link #onFrame}), as a capture file replays them.</li>
 * </ul>
 * Both take TCP events ({@link #onTcpClosed}, {@link #onEndOfCapture}) from their driver.
 *
 * <p>Events must come in the order they happened; times are the driver's monotonic nanos. Not thread-safe: the driver
 * serialises calls per connection. Memory is bounded: two scanners, the two handshake heads, at most one Close record
 * per side and at most one finding per rule and sender. Clean traffic allocates nothing per frame.
 */
public final class Connection {
    /** Where the opening handshake stands. */
    public enum Phase {
        /** Nothing identified yet. */
        AWAITING_REQUEST,
        /** An upgrade request was seen; its answer was not. */
        AWAITING_RESPONSE,
        /** 101 seen, or joined mid-stream: frames flow. */
        OPEN,
        /** The upgrade was answered with another status. */
        REJECTED,
        /** The first bytes said this is not a WebSocket connection: nothing more is looked at. */
        NOT_WEBSOCKET
    }

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /**
     * What the engine knows of one endpoint, as a sender. Its own fields are those every frame reads or writes; the rest
     * is in {@link Rare}, so that an endpoint's hot state spans fewer cache lines (docs/benchmarks.md, tenth run).
     */
    private static final class Side extends StreamDecoder {
        long frames;
        /** A fragmented data message is in progress (§5.4). */
        boolean fragmenting;
        boolean hasLastKey;
        int lastKey;
        /** Its first Close (read by every data frame: data after Close is a finding). */
        CloseRecord close;
        final Rare rare = new Rare();

        Side(Connection connection, Endpoint endpoint) {
            super(connection, endpoint); // its byte path: see StreamDecoder for why one object
        }
    }

    /** What a side needs only when it breaks a rule, sends Close or ends TCP. */
    private static final class Rare {
        /** One of its frames broke a rule that justifies a 1002 answer. */
        boolean violated;
        /** Its first Close came before TCP first closed. */
        boolean closeBeforeTcp;
        TcpEnd tcpEnd;
        /** After a half-close ({@link TcpEnd#HALF_CLOSE}): it also closed fully. */
        boolean fullyClosed;
        /** Rules already reported for this sender (bit = ordinal). */
        long raised;
    }

    private final long id;
    private final EngineOptions options;
    private final ConnectionObserver observer;
    private final Side local;
    private final Side remote;
    private final List<Finding> findings = new ArrayList<>(4);
    /** Connection-level rules already reported (bit = ordinal). */
    private long raised;

    private Phase phase = Phase.AWAITING_REQUEST;
    private Protocol protocol;
    private Endpoint client;
    private boolean joinedMidStream;
    private HttpHead request;
    private long requestTime = -1;
    private HttpHead response;
    private long responseTime = -1;
    /** permessage-deflate accepted: RSV1 allowed on first data frames. */
    private boolean deflate;
    /** Another extension accepted: its RSV2/RSV3 use is unknown, so not flagged. */
    private boolean otherExtension;
    private final List<CloseRecord> closes = new ArrayList<>(2);
    private Endpoint initiator;
    private long closingCompleteTime = -1;
    private Endpoint tcpFirst;
    private TcpEnd tcpFirstHow;
    private long tcpFirstTime = -1;
    /**
     * The first TCP end was an orderly one by the side that had sent Close and was waiting for the answer, and it may
     * have been a half-close (a peer's FIN, or a local shutdownOutput): the answer can still arrive, so the outcome
     * waits for it or for the other side's end of TCP.
     */
    private boolean awaitingAnswerAfterFin;
    private Outcome outcome;
    private long endTime = -1;

    /**
     * @param id       the driver's connection id (unique per capture; the engine never keys on object identity)
     * @param options  thresholds and switches
     * @param observer told of every event and finding
     */
    public Connection(long id, EngineOptions options, ConnectionObserver observer) {
        this.id = id;
        this.options = options;
        this.observer = observer;
        local = new Side(this, Endpoint.LOCAL); // after the options: a Side's scanner reads them
        remote = new Side(this, Endpoint.REMOTE);
    }

    public Connection(long id) {
        this(id, EngineOptions.DEFAULTS, ConnectionObserver.NONE);
    }

    public long id() {
        return id;
    }

    public Phase phase() {
        return phase;
    }

    public Protocol protocol() {
        return protocol;
    }

    EngineOptions options() {
        return options;
    }

    /** The endpoint that is the client, null while unknown. */
    public Endpoint clientEndpoint() {
        return client;
    }

    /** True when the first bytes said this is not WebSocket: the driver may forget the connection. */
    public boolean isIgnored() {
        return phase == Phase.NOT_WEBSOCKET;
    }

    // ---- byte path ------------------------------------------------------------------------------------------------

    /** Bytes {@code buf[from, to)} sent by {@code sender}, read in place (absolute gets), at {@code timeNanos}. */
    public void onBytes(Endpoint sender, long timeNanos, ByteBuffer buf, int from, int to) {
        if (phase != Phase.NOT_WEBSOCKET) {
            started(side(sender)).at(timeNanos).feed(buf, from, to);
        }
    }

    /** Bytes {@code buf[off, off+len)} sent by {@code sender}, at {@code timeNanos}. */
    public void onBytes(Endpoint sender, long timeNanos, byte[] buf, int off, int len) {
        if (phase != Phase.NOT_WEBSOCKET) {
            started(side(sender)).at(timeNanos).feed(buf, off, len);
        }
    }

    /**
     * Bytes {@code buf[from, to)} sent by {@code sender}, timed by {@code clock} when they complete an event (and only
     * then: the middle of a payload asks nothing). The live agent's form: a clock read costs more than scanning a frame.
     */
    public void onBytes(Endpoint sender, EventClock clock, ByteBuffer buf, int from, int to) {
        onBytes(side(sender), clock, buf, from, to);
    }

    /** Bytes {@code buf[off, off+len)} sent by {@code sender}, timed by {@code clock}. */
    public void onBytes(Endpoint sender, EventClock clock, byte[] buf, int off, int len) {
        onBytes(side(sender), clock, buf, off, len);
    }

    /**
     * The decoder of the bytes {@code sender} sends, for a caller that keeps both of this connection's next to it and
     * hands one back with each call's bytes ({@link #onBytes(StreamDecoder, EventClock, ByteBuffer, int, int)}).
     */
    public StreamDecoder decoderOf(Endpoint sender) {
        return side(sender);
    }

    /**
     * As {@link #onBytes(Endpoint, EventClock, ByteBuffer, int, int)}, the sender named by its decoder (one of this
     * connection's, from {@link #decoderOf}). On a server busy with small messages each object a call reaches first
     * through another is a cache miss after a cache miss: the live tap holds both decoders itself, so that this
     * connection and the decoder load in parallel.
     */
    public void onBytes(StreamDecoder sender, EventClock clock, ByteBuffer buf, int from, int to) {
        if (phase != Phase.NOT_WEBSOCKET) {
            started(sender).timedBy(clock).feed(buf, from, to);
        }
    }

    /** As {@link #onBytes(StreamDecoder, EventClock, ByteBuffer, int, int)}, bytes {@code buf[off, off+len)}. */
    public void onBytes(StreamDecoder sender, EventClock clock, byte[] buf, int off, int len) {
        if (phase != Phase.NOT_WEBSOCKET) {
            started(sender).timedBy(clock).feed(buf, off, len);
        }
    }

    private StreamDecoder started(StreamDecoder d) {
        if (d.unused()) {
            d.start(phase == Phase.OPEN);
        }
        return d;
    }

    /** The sender's first bytes are not an HTTP head (TLS records, another protocol). */
    void onNotHandshake(Endpoint sender) {
        if (phase == Phase.AWAITING_REQUEST) {
            phase = Phase.NOT_WEBSOCKET;
        }
    }

    // ---- event path ---------------------------------------------------------------------------------------------

    /**
     * Picks a connection up at a frame boundary without its opening handshake (late attach).
     *
     * @param localRole the local endpoint's role if the driver knows it, else null: the first masked frame tells
     */
    public void joinMidStream(Role localRole, Protocol dialect) {
        observer.onJoinedMidStream(this, localRole, dialect);
        phase = Phase.OPEN;
        joinedMidStream = true;
        protocol = dialect;
        client = localRole == null ? null : localRole == Role.CLIENT ? Endpoint.LOCAL : Endpoint.REMOTE;
        if (dialect == Protocol.HIXIE76) {
            legacyHixie(-1);
        }
        for (Side s : sides()) {
            if (!s.unused()) {
                s.startFrames();
            }
        }
    }

    /**
     * A response whose request went by before these bytes began: an agent attached, a packet capture started (or, with
     * benchToggle, the tap came on) between the two. A 101 that upgrades to websocket shows a WebSocket connection
     * whose frames start after it, the client being the other end: joined mid-stream there. Any other is ignored (the
     * connection stays unknown until its next bytes).
     */
    private void joinAtResponse(Endpoint sender, HttpHead head) {
        if (!head.isWebSocketSwitch()) {
            return;
        }
        // Sec-WebSocket-Location is hixie-76's alone: its 16-byte answer then follows the head.
        joinMidStream(sender == Endpoint.LOCAL ? Role.SERVER : Role.CLIENT,
                head.location() != null ? Protocol.HIXIE76 : Protocol.RFC6455);
    }

    /**
     * {@code sender}'s bytes were not all seen (the live tap was off, benchmark option benchToggle): its next bytes
     * start a frame. A connection whose opening handshake was not seen whole is joined mid-stream first.
     */
    public void restartAtFrame(Endpoint sender) {
        if (phase == Phase.AWAITING_REQUEST || phase == Phase.AWAITING_RESPONSE) {
            joinMidStream(null, Protocol.RFC6455);
        }
        if (phase == Phase.OPEN) {
            Side s = side(sender);
            s.startFrames();
            s.fragmenting = false; // a message in progress was in the bytes missed
        }
    }

    /** A complete HTTP head sent by {@code sender}: the upgrade request, or the answer to it. */
    public void onHandshake(Endpoint sender, long timeNanos, HttpHead head) {
        observer.onHandshake(this, sender, timeNanos, head);
        if (head.request()) {
            if (phase != Phase.AWAITING_REQUEST) {
                return;
            }
            if (!head.isWebSocketUpgrade()) {
                phase = Phase.NOT_WEBSOCKET;
                return;
            }
            request = head;
            requestTime = timeNanos;
            client = sender;
            phase = Phase.AWAITING_RESPONSE;
            if (head.isHixie76()) {
                protocol = Protocol.HIXIE76;
                legacyHixie(timeNanos);
            } else {
                protocol = Protocol.RFC6455;
                String version = head.version() == null ? null : head.version().trim();
                if (!"13".equals(version) && isNew(Rule.UNSUPPORTED_VERSION, side(sender))) {
                    report(Rule.UNSUPPORTED_VERSION, side(sender), timeNanos, -1, -1, -1,
                            "the client asked for Sec-WebSocket-Version " + (version == null ? "(none)" : version)
                                    + "; RFC 6455 is version 13");
                }
            }
            return;
        }
        if (phase == Phase.AWAITING_REQUEST) {
            joinAtResponse(sender, head);
            return;
        }
        if (phase != Phase.AWAITING_RESPONSE || sender == client) {
            return;
        }
        int status = head.status();
        if (status >= 100 && status < 200 && status != 101) {
            return; // an interim answer (100 Continue); the real one follows
        }
        response = head;
        responseTime = timeNanos;
        if (status != 101) {
            phase = Phase.REJECTED;
            outcome = Outcome.REJECTED;
            return;
        }
        phase = Phase.OPEN;
        if (protocol == Protocol.RFC6455) {
            checkAccept(side(sender), timeNanos);
            checkNegotiation(side(sender), timeNanos);
        }
    }

    private void legacyHixie(long timeNanos) {
        if (isNew(Rule.LEGACY_HIXIE_76, null)) {
            report(Rule.LEGACY_HIXIE_76, null, timeNanos, -1, -1, -1,
                    "the connection speaks draft hixie-76 (Sec-WebSocket-Key1/Key2, 00..FF frames, FF 00 close)");
        }
    }

    private void checkAccept(Side server, long timeNanos) {
        String key = request.key() == null ? "" : request.key().trim();
        String expected = acceptFor(key);
        String actual = response.accept() == null ? null : response.accept().trim();
        if (!expected.equals(actual) && isNew(Rule.BAD_ACCEPT_KEY, server)) {
            report(Rule.BAD_ACCEPT_KEY, server, timeNanos, -1, -1, -1,
                    "the server answered Sec-WebSocket-Accept " + (actual == null ? "(none)" : actual)
                            + " to key " + key + "; expected " + expected);
        }
    }

    /** base64(SHA-1(key + GUID)), RFC 6455 §4.2.2 item 5.4. */
    public static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    private void checkNegotiation(Side server, long timeNanos) {
        for (String accepted : extensionNames(response.extensions())) {
            if (accepted.equals("permessage-deflate")) {
                deflate = true;
            } else {
                otherExtension = true;
            }
            if (!extensionNames(request.extensions()).contains(accepted) && isNew(Rule.EXTENSION_NOT_OFFERED, server)) {
                report(Rule.EXTENSION_NOT_OFFERED, server, timeNanos, -1, -1, -1,
                        "the server accepted extension " + accepted + " that the client did not offer");
            }
        }
        String chosen = response.protocol() == null ? null : response.protocol().trim();
        if (chosen != null && !chosen.isEmpty() && !HttpHead.containsToken(request.protocol(), chosen.toLowerCase(Locale.ROOT))
                && isNew(Rule.EXTENSION_NOT_OFFERED, server)) {
            report(Rule.EXTENSION_NOT_OFFERED, server, timeNanos, -1, -1, -1,
                    "the server chose subprotocol " + chosen + " that the client did not offer"
                            + (request.protocol() == null ? " (it offered none)" : " (it offered " + request.protocol() + ")"));
        }
    }

    /** Extension names of a Sec-WebSocket-Extensions value, parameters dropped, lower case. */
    private static List<String> extensionNames(String header) {
        List<String> names = new ArrayList<>(2);
        if (header != null) {
            for (String ext : header.split(",")) {
                int semi = ext.indexOf(';');
                String name = (semi < 0 ? ext : ext.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /**
     * Frames of {@code sender} counted so far; during {@link ConnectionObserver#onFrame} (called before counting), the
     * index that frame gets, as a {@link Finding}'s frameIndex.
     */
    public long framesFrom(Endpoint sender) {
        return side(sender).frames;
    }

    /** A frame sent by {@code sender}. The view is read during the call only. */
    public void onFrame(Endpoint sender, long timeNanos, Frame f) {
        observer.onFrame(this, sender, timeNanos, f);
        if (phase != Phase.OPEN && !(phase == Phase.AWAITING_RESPONSE && sender == client)) {
            return; // frames a client sends before the 101 are still its frames; anything else is not WebSocket
        }
        Side s = side(sender);
        if (client == null && !f.hixie()) {
            client = f.masked() ? sender : sender.other(); // joined mid-stream: only clients mask (§5.1)
        }
        long index = s.frames++;
        int op = f.opcode();
        if (!f.hixie()) {
            checkFraming(s, timeNanos, index, f, op);
        }
        if (s.close != null && Opcode.isData(op) && isNew(Rule.DATA_AFTER_CLOSE, s)) {
            report(Rule.DATA_AFTER_CLOSE, s, timeNanos, index, -1, f.offset(),
                    who(s) + " sent a " + Opcode.name(op) + " frame after its own Close ("
                            + codeText(s.close.code()) + ")");
        }
        if (op == Opcode.CLOSE) {
            onClose(s, timeNanos, index, f);
        }
    }

    private void checkFraming(Side s, long t, long index, Frame f, int op) {
        Role role = roleOf(s.endpoint);
        long at = f.offset();
        if (role == Role.CLIENT && !f.masked() && breaks(Rule.UNMASKED_CLIENT_FRAME, s)) {
            report(Rule.UNMASKED_CLIENT_FRAME, s, t, index, -1, at, "the client sent an unmasked " + Opcode.name(op) + " frame");
        }
        if (role == Role.SERVER && f.masked() && breaks(Rule.MASKED_SERVER_FRAME, s)) {
            report(Rule.MASKED_SERVER_FRAME, s, t, index, -1, at, "the server sent a masked " + Opcode.name(op) + " frame");
        }
        if (Opcode.isControl(op) && f.payloadLength() > Frame.MAX_CONTROL_PAYLOAD && breaks(Rule.CONTROL_FRAME_TOO_LONG, s)) {
            report(Rule.CONTROL_FRAME_TOO_LONG, s, t, index, -1, at, who(s) + " sent a " + Opcode.name(op) + " frame of "
                    + f.payloadLength() + " bytes (at most 125)");
        }
        if (Opcode.isControl(op) && !f.fin() && breaks(Rule.FRAGMENTED_CONTROL_FRAME, s)) {
            report(Rule.FRAGMENTED_CONTROL_FRAME, s, t, index, -1, at, who(s) + " sent a " + Opcode.name(op)
                    + " frame with FIN = 0");
        }
        if (Opcode.isReserved(op) && breaks(Rule.RESERVED_OPCODE, s)) {
            report(Rule.RESERVED_OPCODE, s, t, index, -1, at, who(s) + " sent a frame with reserved opcode 0x"
                    + Integer.toHexString(op));
        }
        checkRsv(s, t, index, f, op);
        // Fragmentation (§5.4): only control frames may sit between the fragments of a message.
        if (op == Opcode.CONTINUATION) {
            if (!s.fragmenting) {
                if (breaks(Rule.UNEXPECTED_CONTINUATION, s)) {
                    report(Rule.UNEXPECTED_CONTINUATION, s, t, index, -1, at, who(s)
                            + " sent a continuation frame with no fragmented message in progress");
                }
            } else if (f.fin()) {
                s.fragmenting = false;
            }
        } else if (op == Opcode.TEXT || op == Opcode.BINARY) {
            if (s.fragmenting && breaks(Rule.INTERLEAVED_DATA_FRAME, s)) {
                report(Rule.INTERLEAVED_DATA_FRAME, s, t, index, -1, at, who(s) + " started a " + Opcode.name(op)
                        + " message while its fragmented message was still in progress");
            }
            s.fragmenting = !f.fin();
        }
        if (f.lengthOverflow()) {
            if (breaks(Rule.NON_MINIMAL_LENGTH, s)) {
                report(Rule.NON_MINIMAL_LENGTH, Severity.ERROR, s, t, index, -1, at, who(s)
                        + " sent a 64-bit payload length with its most significant bit set; the rest of its stream cannot be framed");
            }
        } else if (f.nonMinimalLength() && breaks(Rule.NON_MINIMAL_LENGTH, s)) {
            int lengthBits = f.headerSize() - (f.masked() ? 4 : 0) == 10 ? 64 : 16;
            report(Rule.NON_MINIMAL_LENGTH, s, t, index, -1, at, who(s) + " encoded a payload length of "
                    + f.payloadLength() + " in " + lengthBits + " bits; the minimal form is required");
        }
        if (role == Role.CLIENT && f.masked()) {
            int key = f.maskKey();
            if (key == 0) {
                if (breaks(Rule.PREDICTABLE_MASK, s)) {
                    report(Rule.PREDICTABLE_MASK, s, t, index, -1, at,
                            "the client masked a " + Opcode.name(op) + " frame with the all-zero key");
                }
            } else if (s.hasLastKey && key == s.lastKey && breaks(Rule.PREDICTABLE_MASK, s)) {
                // Only consecutive reuse is checked: remembering every key would make memory grow with traffic.
                report(Rule.PREDICTABLE_MASK, s, t, index, -1, at,
                        "the client reused masking key " + String.format("%08x", key) + " on consecutive frames");
            }
            s.hasLastKey = true;
            s.lastKey = key;
        }
    }

    private void checkRsv(Side s, long t, long index, Frame f, int op) {
        int rsv = f.rsv();
        if (rsv == 0 || joinedMidStream) {
            return; // mid-stream the negotiated extensions are unknown
        }
        boolean rsv1 = (rsv & Frame.RSV1) != 0;
        boolean rsv1Wrong = rsv1 && (!deflate || Opcode.isControl(op) || op == Opcode.CONTINUATION);
        boolean rsv23Wrong = (rsv & (Frame.RSV2 | Frame.RSV3)) != 0 && !otherExtension;
        if ((rsv1Wrong || rsv23Wrong) && breaks(Rule.RSV_BITS_WITHOUT_EXTENSION, s)) {
            String why = !rsv1Wrong ? "RSV2/RSV3 without an extension that defines them"
                    : !deflate ? "RSV1 without negotiated permessage-deflate"
                    : "RSV1 on a " + Opcode.name(op) + " frame";
            report(Rule.RSV_BITS_WITHOUT_EXTENSION, s, t, index, -1, f.offset(), who(s) + " set " + why);
        }
    }

    /** A text message that is not UTF-8 (the scanner checks only when {@link EngineOptions#checkText()} is on). */
    public void onInvalidText(Endpoint sender, long timeNanos, long offset) {
        observer.onInvalidText(this, sender, timeNanos, offset);
        Side s = side(sender);
        if (breaks(Rule.INVALID_UTF8_TEXT, s)) {
            report(Rule.INVALID_UTF8_TEXT, s, timeNanos, -1, -1, offset, who(s) + " sent a text message that is not valid UTF-8");
        }
    }

    private void onClose(Side s, long t, long index, Frame f) {
        Side peer = other(s);
        int code = -1;
        if (!f.hixie()) {
            if (f.payloadLength() == 1 && breaks(Rule.CLOSE_PAYLOAD_ONE_BYTE, s)) {
                report(Rule.CLOSE_PAYLOAD_ONE_BYTE, s, t, index, -1, f.offset(), who(s) + " sent a Close frame with a 1-byte payload");
            }
            code = f.closeCode();
            if (code >= 0) {
                checkCloseCode(s, peer, t, index, f, code);
            }
        }
        if (s.close != null) {
            return; // only the first Close of each side takes part in the closing handshake
        }
        String reason = f.hixie() ? "" : f.closeReason(); // decoded once per side, not per repeated Close
        s.close = new CloseRecord(s.endpoint, roleOf(s.endpoint), code, reason, t, index);
        s.rare.closeBeforeTcp = tcpFirst == null || awaitingAnswerAfterFin;
        closes.add(s.close);
        if (peer.close == null) {
            initiator = s.endpoint;
            return;
        }
        // The answer: the closing handshake is complete.
        closingCompleteTime = t;
        if (awaitingAnswerAfterFin) {
            decideAtTheFirstFin(); // the initiator's FIN was a half-close: it got its answer
        }
        long delay = t - peer.close.timeNanos();
        if (delay > options.slowCloseNanos() && isNew(Rule.SLOW_CLOSE_HANDSHAKE, s)) {
            report(Rule.SLOW_CLOSE_HANDSHAKE, s, t, index, code, f.offset(), who(s) + " answered "
                    + who(peer) + "'s Close after " + duration(delay));
        }
        if (protocol == Protocol.RFC6455 && code != peer.close.code() && isNew(Rule.CLOSE_CODE_NOT_ECHOED, s)) {
            report(Rule.CLOSE_CODE_NOT_ECHOED, s, t, index, code, f.offset(), who(s) + " answered Close "
                    + codeText(peer.close.code()) + " with " + codeText(code));
        }
    }

    private void checkCloseCode(Side s, Side peer, long t, long index, Frame f, int code) {
        CloseCode.Kind kind = CloseCode.kind(code);
        if (kind == CloseCode.Kind.OBSERVED_ONLY && breaks(Rule.RESERVED_CLOSE_CODE_SENT, s)) {
            report(Rule.RESERVED_CLOSE_CODE_SENT, s, t, index, code, f.offset(), who(s) + " sent close code " + code
                    + " (" + CloseCode.describe(code) + "), which only describes what an endpoint observed");
        }
        if (kind == CloseCode.Kind.INVALID && breaks(Rule.INVALID_CLOSE_CODE, s)) {
            report(Rule.INVALID_CLOSE_CODE, s, t, index, code, f.offset(), who(s) + " sent close code " + code
                    + ", outside every range allowed on the wire");
        }
        // A reason cut at 125 bytes (an over-long Close, WS103) may end inside a character: judge only whole ones.
        if (f.payloadLength() <= Frame.MAX_CONTROL_PAYLOAD && !f.closeReasonIsUtf8() && breaks(Rule.INVALID_CLOSE_REASON, s)) {
            report(Rule.INVALID_CLOSE_REASON, s, t, index, code, f.offset(), who(s) + " sent a Close reason that is not valid UTF-8");
        }
        // Echoing a peer's 1002 is what §5.5.1 asks of the answer, not an application's choice.
        boolean echo = peer.close != null && peer.close.code() == CloseCode.PROTOCOL_ERROR;
        if (code == CloseCode.PROTOCOL_ERROR && !peer.rare.violated && !echo && isNew(Rule.APPLICATION_USED_1002, s)) {
            report(Rule.APPLICATION_USED_1002, s, t, index, code, f.offset(), who(s)
                    + " closed with 1002 (protocol error) although none of " + who(peer)
                    + "'s " + peer.frames + " frames broke the protocol");
        }
        Role role = roleOf(s.endpoint);
        boolean echoed = peer.close != null && peer.close.code() == code;
        if (!echoed && ((code == CloseCode.MANDATORY_EXTENSION && role == Role.SERVER)
                || (code == CloseCode.INTERNAL_ERROR && role == Role.CLIENT)) && isNew(Rule.WRONG_SIDE_CLOSE_CODE, s)) {
            report(Rule.WRONG_SIDE_CLOSE_CODE, s, t, index, code, f.offset(), who(s) + " sent " + code + " ("
                    + CloseCode.describe(code) + "), a code for the " + role.other().label() + " to send");
        }
    }

    /**
     * {@code endpoint} ended its side of TCP. The first such event decides the outcome; each endpoint's first is kept.
     */
    public void onTcpClosed(Endpoint endpoint, TcpEnd how, long timeNanos) {
        Side s = side(endpoint);
        // Each endpoint ends once; later signals (a second close(), EOF after reset) add nothing, except the full
        // close that follows a half-close: it ends the wait for an answer that will now never be read.
        Rare r = s.rare;
        boolean closeAfterHalfClose = r.tcpEnd == TcpEnd.HALF_CLOSE && how != TcpEnd.HALF_CLOSE && !r.fullyClosed;
        if (r.tcpEnd != null && !closeAfterHalfClose) {
            return;
        }
        observer.onTcpClosed(this, endpoint, how, timeNanos);
        if (closeAfterHalfClose) {
            r.fullyClosed = true;
            if (awaitingAnswerAfterFin && endpoint == tcpFirst) {
                awaitingAnswerAfterFin = false;
                decideClosing(s, how, timeNanos);
            }
            return;
        }
        r.tcpEnd = how;
        boolean webSocket = phase == Phase.OPEN || phase == Phase.AWAITING_RESPONSE;
        if (!how.orderly() && webSocket && isNew(Rule.CONNECTION_RESET, null)) {
            report(Rule.CONNECTION_RESET, s, timeNanos, -1, -1, -1, "the connection ended by "
                    + (how == TcpEnd.RESET ? "a reset" : "an I/O error") + " on " + who(s) + "'s side");
        }
        if (awaitingAnswerAfterFin) {
            awaitingAnswerAfterFin = false;
            if (how.orderly()) {
                decideClosing(s, how, timeNanos); // the other side closed too without answering
            } else {
                decideAtTheFirstFin(); // a reset before the answer
            }
            return;
        }
        if (tcpFirst != null) {
            return;
        }
        tcpFirst = endpoint;
        tcpFirstHow = how;
        tcpFirstTime = timeNanos;
        boolean maybeHalfClose = how == TcpEnd.HALF_CLOSE || (how == TcpEnd.FIN && endpoint == Endpoint.REMOTE);
        if (phase == Phase.OPEN && maybeHalfClose && s.close != null && other(s).close == null) {
            awaitingAnswerAfterFin = true;
            return;
        }
        if (phase == Phase.AWAITING_RESPONSE) {
            if (isNew(Rule.CLOSED_DURING_OPENING_HANDSHAKE, null)) {
                report(Rule.CLOSED_DURING_OPENING_HANDSHAKE, s, timeNanos, -1, -1, -1, who(s) + " closed TCP "
                        + duration(timeNanos - requestTime) + " after the upgrade request, before any response");
            }
            outcome = how.orderly() ? Outcome.ABRUPT : Outcome.RESET;
        } else if (phase == Phase.OPEN) {
            decideClosing(s, how, timeNanos);
        }
    }

    private void decideClosing(Side by, TcpEnd how, long t) {
        Side closer = local.close != null ? local : remote.close != null ? remote : null;
        if (closer == null) {
            outcome = how.orderly() ? Outcome.ABRUPT : Outcome.RESET;
            if (isNew(Rule.MISSING_CLOSE_FRAME, null)) {
                report(Rule.MISSING_CLOSE_FRAME, by, t, -1, CloseCode.ABNORMAL, -1, who(by) + " closed TCP ("
                        + how.label() + ") without a Close frame; " + who(other(by)) + " saw 1006");
            }
        } else if (other(closer).close == null) {
            outcome = Outcome.HALF_CLOSED;
            Side silent = other(closer);
            long after = t - closer.close.timeNanos();
            String message = by == closer
                    ? who(closer) + " sent Close " + codeText(closer.close.code()) + " and closed TCP " + duration(after)
                    + " later with no answer from " + who(silent)
                    : who(silent) + " closed TCP " + duration(after) + " after receiving Close "
                    + codeText(closer.close.code()) + " without answering it";
            // Failing the connection after the peer broke the protocol (§7.1.7) closes TCP without waiting for the
            // answer, as RFC 6455 allows: that is not a Close left unanswered (Jetty does it after an unmasked frame).
            boolean failing = by == closer && silent.rare.violated && (closer.close.code() == CloseCode.PROTOCOL_ERROR
                    || closer.close.code() == CloseCode.INVALID_PAYLOAD || closer.close.code() == CloseCode.MESSAGE_TOO_BIG);
            if (!failing && isNew(Rule.CLOSE_NOT_ANSWERED, null)) {
                report(Rule.CLOSE_NOT_ANSWERED, by == closer ? closer : silent, t, -1, closer.close.code(), -1, message);
            }
        } else {
            Role byRole = roleOf(by.endpoint);
            outcome = byRole == Role.CLIENT ? Outcome.CLEAN_CLIENT_TCP_FIRST : Outcome.CLEAN;
            if (byRole == Role.CLIENT && isNew(Rule.CLIENT_CLOSED_TCP_FIRST, null)) {
                report(Rule.CLIENT_CLOSED_TCP_FIRST, by, t, -1, -1, -1, t < closingCompleteTime
                        ? "the client ended its side of TCP right after its Close, before the server's answer; the server should close first"
                        : "the client closed TCP " + duration(t - closingCompleteTime) + " after the closing handshake; the server should");
            }
            lingered(t);
        }
    }

    /** Ends the wait for an answer after a possible half-close: the outcome as of the first FIN. */
    private void decideAtTheFirstFin() {
        awaitingAnswerAfterFin = false;
        decideClosing(side(tcpFirst), tcpFirstHow, tcpFirstTime);
    }

    /** WS305: the server had not closed TCP within the grace period after the closing handshake. */
    private void lingered(long t) {
        long wait = t - closingCompleteTime;
        if (wait > options.gracePeriodNanos() && isNew(Rule.TCP_LINGERS_AFTER_CLOSE, null)) {
            Side server = client == null ? null : side(client.other());
            report(Rule.TCP_LINGERS_AFTER_CLOSE, server, t, -1, -1, -1, "the server kept TCP open "
                    + duration(wait) + " after the closing handshake (grace " + duration(options.gracePeriodNanos()) + ")");
        }
    }

    /** The capture ended at {@code timeNanos}: what is still pending is judged against the grace period. */
    public void onEndOfCapture(long timeNanos) {
        if (endTime >= 0) {
            return;
        }
        endTime = timeNanos;
        if (awaitingAnswerAfterFin) {
            decideAtTheFirstFin(); // no answer came before the capture ended
            return;
        }
        if (tcpFirst != null || phase != Phase.OPEN) {
            return;
        }
        Side closer = local.close != null ? local : remote.close != null ? remote : null;
        if (closer == null) {
            return;
        }
        Side silent = other(closer);
        if (silent.close == null) {
            long wait = timeNanos - closer.close.timeNanos();
            if (wait > options.gracePeriodNanos() && isNew(Rule.CLOSE_NOT_ANSWERED, null)) {
                report(Rule.CLOSE_NOT_ANSWERED, silent, timeNanos, -1, closer.close.code(), -1, who(silent)
                        + " had not answered Close " + codeText(closer.close.code()) + " " + duration(wait)
                        + " later, when the capture ended");
            }
        } else {
            lingered(timeNanos);
        }
    }

    // ---- findings -------------------------------------------------------------------------------------------------

    /**
     * A frame of {@code s} broke {@code rule}: remembered for WS205 when the rule justifies a 1002 answer. True the first
     * time, so that the caller builds its message only then (a misbehaving peer costs no allocation per frame).
     */
    private boolean breaks(Rule rule, Side s) {
        if (rule.justifiesProtocolError()) {
            s.rare.violated = true;
        }
        return isNew(rule, s);
    }

    /**
     * True the first time {@code rule} is broken by {@code s} (or by the connection when null); later calls count an
     * occurrence on the existing finding and return false, so callers build messages only once.
     */
    private boolean isNew(Rule rule, Side s) {
        long bit = 1L << rule.ordinal();
        long seen = s == null ? raised : s.rare.raised;
        if ((seen & bit) == 0) {
            if (s == null) {
                raised |= bit;
            } else {
                s.rare.raised |= bit;
            }
            return true;
        }
        for (int i = 0; i < findings.size(); i++) { // indexed: no iterator, even before the JIT removes it
            Finding f = findings.get(i);
            if (f.rule() == rule && (s == null || f.endpoint() == s.endpoint)) {
                f.recur();
                break;
            }
        }
        return false;
    }

    private void report(Rule rule, Side s, long t, long index, int code, long offset, String message) {
        report(rule, rule.severity(), s, t, index, code, offset, message);
    }

    private void report(Rule rule, Severity severity, Side s, long t, long index, int code, long offset, String message) {
        Endpoint e = s == null ? null : s.endpoint;
        Finding finding = new Finding(rule, severity, id, e, roleOf(e), t, index, code, offset, message);
        findings.add(finding);
        observer.onFinding(this, finding);
    }

    // ---- reconstruction -------------------------------------------------------------------------------------------

    /** A snapshot of everything known so far. */
    public Reconstruction reconstruction() {
        boolean webSocket = phase != Phase.AWAITING_REQUEST && phase != Phase.NOT_WEBSOCKET;
        Outcome end = outcome != null ? outcome : webSocket ? Outcome.OPEN : null;
        return new Reconstruction(id, webSocket, protocol, client, joinedMidStream, request, requestTime, response,
                responseTime, List.copyOf(closes), initiator, tcpFirst, tcpFirstHow, tcpFirstTime, end,
                saw(Role.CLIENT), saw(Role.SERVER), local.frames, remote.frames, List.copyOf(findings));
    }

    /** True once the outcome is decided (it may wait for a Close answer after a half-close). */
    public boolean closingDecided() {
        return outcome != null;
    }

    /** Findings so far, in the order raised (a live view; do not modify). */
    public List<Finding> findings() {
        return findings;
    }

    /** What the application of the side with {@code role} saw, as a browser's CloseEvent; null while not closed. */
    private CloseEvent saw(Role role) {
        if (client == null) {
            return null;
        }
        Side self = side(role == Role.CLIENT ? client : client.other());
        Side peer = other(self);
        if (phase == Phase.REJECTED || (phase == Phase.AWAITING_RESPONSE && tcpFirst != null)) {
            return role == Role.CLIENT ? new CloseEvent(CloseCode.ABNORMAL, "", false) : null;
        }
        if (phase != Phase.OPEN) {
            return null;
        }
        boolean both = local.close != null && local.rare.closeBeforeTcp && remote.close != null && remote.rare.closeBeforeTcp;
        if ((tcpFirst == null || awaitingAnswerAfterFin) && !both) {
            return null; // still open
        }
        CloseRecord heard = peer.close != null && peer.rare.closeBeforeTcp ? peer.close : null;
        if (heard == null) {
            return new CloseEvent(CloseCode.ABNORMAL, "", false);
        }
        int code = protocol == Protocol.HIXIE76 ? CloseCode.NORMAL : heard.code() < 0 ? CloseCode.NO_STATUS : heard.code();
        return new CloseEvent(code, heard.reason(), both);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private Side side(Endpoint e) {
        return e == Endpoint.LOCAL ? local : remote;
    }

    private Side other(Side s) {
        return s == local ? remote : local;
    }

    private Side[] sides() {
        return new Side[] {local, remote};
    }

    private Role roleOf(Endpoint e) {
        return e == null || client == null ? null : e == client ? Role.CLIENT : Role.SERVER;
    }

    /** "the client", "the server", or "the local side" while roles are unknown. */
    private String who(Side s) {
        Role r = roleOf(s.endpoint);
        return r != null ? "the " + r.label() : "the " + s.endpoint.name().toLowerCase(Locale.ROOT) + " side";
    }

    private static String codeText(int code) {
        return code < 0 ? "(no code)" : Integer.toString(code);
    }

    /** A duration for messages: "350 ms", "1.25 s". */
    static String duration(long nanos) {
        if (nanos < 10_000_000_000L) {
            double ms = nanos / 1e6;
            return ms < 1000 ? String.format(Locale.ROOT, "%.0f ms", ms) : String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        return String.format(Locale.ROOT, "%.0f s", nanos / 1e9);
    }
}
