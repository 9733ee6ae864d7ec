package io.wstap.engine;

import static io.wstap.engine.Severity.ERROR;
import static io.wstap.engine.Severity.INFO;
import static io.wstap.engine.Severity.WARNING;

/**
 * The rule catalogue: one constant per row of RULES.md (and of docs/rules.md, which a test keeps in step).
 *
 * <p>Ids and slugs are a contract: reports, JSON, suppressions and CI gates use them. Never rename or reuse one.
 * {@code WS1xx} framing, {@code WS2xx} Close frames, {@code WS3xx} the closing handshake, {@code WS4xx} the opening
 * handshake.
 */
public enum Rule {
    // ---- framing (each frame) ----
    UNMASKED_CLIENT_FRAME("WS101", "unmasked-client-frame", ERROR, "5.1, 5.3", true,
            "A frame sent by the client with MASK = 0.",
            "Clients MUST mask every frame with a fresh random key; a server must fail such a connection (1002). Fix the client's framing code or library."),
    MASKED_SERVER_FRAME("WS102", "masked-server-frame", ERROR, "5.1", true,
            "A frame sent by the server with MASK = 1.",
            "Servers MUST NOT mask frames; clients must fail such a connection. Fix the server's framing code or library."),
    CONTROL_FRAME_TOO_LONG("WS103", "control-frame-too-long", ERROR, "5.5", true,
            "A control frame (Close, Ping, Pong) with a payload over 125 bytes.",
            "Keep Ping/Pong payloads and Close reasons short: a Close reason is at most 123 bytes of UTF-8."),
    FRAGMENTED_CONTROL_FRAME("WS104", "fragmented-control-frame", ERROR, "5.5", true,
            "A control frame with FIN = 0.",
            "Control frames MUST NOT be fragmented: send them with FIN set."),
    RESERVED_OPCODE("WS105", "reserved-opcode", ERROR, "5.2", true,
            "A frame with a reserved opcode (0x3-0x7, 0xB-0xF).",
            "Only continuation, text, binary, close, ping and pong are defined; the stream is probably corrupt or not WebSocket framing."),
    RSV_BITS_WITHOUT_EXTENSION("WS106", "rsv-bits-without-extension", ERROR, "5.2, RFC 7692", true,
            "RSV1 without negotiated permessage-deflate, RSV1 on a control or continuation frame, or RSV2/RSV3 without an extension that defines them.",
            "Set RSV bits only for an extension negotiated in the opening handshake (permessage-deflate sets RSV1 on the first frame of a message)."),
    UNEXPECTED_CONTINUATION("WS107", "unexpected-continuation", ERROR, "5.4", true,
            "A continuation frame with no fragmented message in progress.",
            "Start a fragmented message with a text or binary frame with FIN = 0."),
    INTERLEAVED_DATA_FRAME("WS108", "interleaved-data-frame", ERROR, "5.4", true,
            "A text or binary frame while a fragmented message is still in progress.",
            "Finish the fragmented message (continuation frames, the last with FIN = 1) before starting another; only control frames may be interleaved."),
    NON_MINIMAL_LENGTH("WS109", "non-minimal-length", WARNING, "5.2", true,
            "The 16- or 64-bit length form used for a length that fits a shorter form (a 64-bit length with its top bit set is an error).",
            "Encode lengths up to 125 in 7 bits and up to 65535 in 16 bits; strict peers fail the connection otherwise."),
    PREDICTABLE_MASK("WS110", "predictable-mask", WARNING, "5.3, 10.3", false,
            "A client masking key that is all zero, or the same key reused across frames.",
            "Take each frame's masking key from a strong source of entropy (SecureRandom); a predictable key lets a script poison intermediary caches."),
    INVALID_UTF8_TEXT("WS111", "invalid-utf8-text", ERROR, "5.6, 8.1", true,
            "A text message that is not valid UTF-8 (checked only when payload checking is on).",
            "Send text as UTF-8 or use a binary frame; the receiver must fail the connection with 1007."),

    // ---- Close frames ----
    CLOSE_PAYLOAD_ONE_BYTE("WS201", "close-payload-one-byte", ERROR, "5.5.1", true,
            "A Close frame with a payload of exactly 1 byte.",
            "A Close payload is empty or starts with a 2-byte status code."),
    RESERVED_CLOSE_CODE_SENT("WS202", "reserved-close-code-sent", ERROR, "7.4.1", true,
            "1005, 1006 or 1015 in a Close frame.",
            "These codes only describe what an endpoint observed; send 1000, a protocol code, or 4000-4999."),
    INVALID_CLOSE_CODE("WS203", "invalid-close-code", ERROR, "7.4.2", true,
            "A close code 0-999, 1004, 1016-2999 or 5000 and above.",
            "Use 1000-1003, 1007-1014, 3000-3999 (registered) or 4000-4999 (private use)."),
    INVALID_CLOSE_REASON("WS204", "invalid-close-reason", ERROR, "5.5.1, 8.1", true,
            "A Close reason that is not valid UTF-8.",
            "Encode the reason as UTF-8, at most 123 bytes, and cut it at a character boundary."),
    APPLICATION_USED_1002("WS205", "application-used-1002", WARNING, "7.4.1", false,
            "An endpoint sent 1002 (protocol error) although none of the peer's frames so far broke a framing or close rule: an application reason dressed as a protocol error.",
            "Use 4000-4999 (or 3000-3999 if registered) for the application's reasons, or refuse the opening handshake with HTTP 400 when the client can be judged then."),
    WRONG_SIDE_CLOSE_CODE("WS206", "wrong-side-close-code", WARNING, "7.4.1", false,
            "1010 sent by a server, or 1011 sent by a client.",
            "1010 (mandatory extension) is the client's code, 1011 (internal error) the server's; pick the code that fits the side."),

    // ---- closing handshake (each connection) ----
    MISSING_CLOSE_FRAME("WS301", "missing-close-frame", ERROR, "7.1.1, 7.1.5, 7.4.1", false,
            "An endpoint closed TCP without having sent or received a Close frame: the peer's application sees 1006.",
            "Close with a Close frame (e.g. session.close(1000, reason) or 1001 when shutting down) and let the closing handshake finish before closing the socket."),
    CLOSE_NOT_ANSWERED("WS302", "close-not-answered", ERROR, "5.5.1", false,
            "One side sent Close; the other never answered with Close before TCP closed (or before the end of the capture plus the grace period).",
            "On receiving a Close, answer with a Close (echoing the code) as soon as possible; the initiator should wait for it before closing TCP."),
    DATA_AFTER_CLOSE("WS303", "data-after-close", ERROR, "5.5.1", false,
            "A data frame sent by an endpoint after it sent its own Close.",
            "Stop sending messages once the Close is sent: check the session's state before each send."),
    CLIENT_CLOSED_TCP_FIRST("WS304", "client-closed-tcp-first", WARNING, "7.1.1", false,
            "After the closing handshake the client, not the server, closed TCP.",
            "Let the server close TCP first so that it, not the client, holds TIME_WAIT; the client should wait for the server's FIN."),
    TCP_LINGERS_AFTER_CLOSE("WS305", "tcp-lingers-after-close", WARNING, "5.5.1, 7.1.1", false,
            "The closing handshake completed, but the server had not closed TCP within the grace period.",
            "Close the socket as soon as the closing handshake is complete; a lingering connection holds a file descriptor and server memory."),
    SLOW_CLOSE_HANDSHAKE("WS306", "slow-close-handshake", INFO, "5.5.1", false,
            "The answer to a Close came later than the slow-close threshold.",
            "Answer a Close from the I/O thread without waiting for queued work; a slow answer delays the peer's shutdown."),
    CLOSE_CODE_NOT_ECHOED("WS307", "close-code-not-echoed", INFO, "5.5.1", false,
            "The answering Close carries another code than the first one, or none.",
            "Echo the status code received when answering a Close, unless there is a reason to report another."),
    CLOSED_DURING_OPENING_HANDSHAKE("WS308", "closed-during-opening-handshake", WARNING, "4.1", false,
            "TCP closed after the upgrade request and before the 101 response.",
            "Answer the upgrade promptly (or refuse it with an HTTP status); check client connect timeouts and proxies in between."),
    CONNECTION_RESET("WS309", "connection-reset", ERROR, "7.1.7", false,
            "The connection ended by a reset or an I/O error instead of an orderly close.",
            "Find who reset the connection (a crash, SO_LINGER 0, a proxy or load balancer timeout) and close with a Close frame and an orderly TCP close instead."),

    // ---- opening handshake ----
    BAD_ACCEPT_KEY("WS401", "bad-accept-key", ERROR, "4.2.2", false,
            "Sec-WebSocket-Accept is not base64(SHA-1(key + \"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\")).",
            "Compute the accept value from the request's Sec-WebSocket-Key with the RFC's GUID; a proxy may have rewritten the key."),
    UNSUPPORTED_VERSION("WS402", "unsupported-version", WARNING, "4.1", false,
            "Sec-WebSocket-Version other than 13.",
            "RFC 6455 clients send version 13; a server should answer other versions with 426 and Sec-WebSocket-Version: 13."),
    EXTENSION_NOT_OFFERED("WS403", "extension-not-offered", ERROR, "4.1", false,
            "The server accepted an extension or subprotocol that the client did not offer.",
            "A server may only choose among the extensions and subprotocols the client offered; the client must fail the connection otherwise."),
    LEGACY_HIXIE_76("WS404", "legacy-hixie-76", WARNING, "hixie-76", false,
            "The connection speaks draft hixie-76 (Sec-WebSocket-Key1/Key2, frames 00 ... FF, close FF 00): obsolete, no close codes, no masking.",
            "Upgrade the peer to RFC 6455 (every browser since 2012); hixie-76 has no close codes and no masking.");

    private final String id;
    private final String slug;
    private final Severity severity;
    private final String ref;
    private final boolean justifiesProtocolError;
    private final String description;
    private final String hint;

    Rule(String id, String slug, Severity severity, String ref, boolean justifiesProtocolError, String description,
         String hint) {
        this.id = id;
        this.slug = slug;
        this.severity = severity;
        this.ref = ref;
        this.justifiesProtocolError = justifiesProtocolError;
        this.description = description;
        this.hint = hint;
    }

    /** The stable id, e.g. "WS205". */
    public String id() { return id; }

    /** The stable name users see, e.g. "application-used-1002". */
    public String slug() { return slug; }

    public Severity severity() { return severity; }

    /** RFC 6455 section(s), or another document, that the rule rests on. */
    public String ref() { return ref; }

    /** One sentence: what triggers the rule. */
    public String description() { return description; }

    /** One or two sentences: how to fix it. */
    public String hint() { return hint; }

    /**
     * True when a peer's frame breaking this rule is a real protocol error, so that answering it with 1002 is right
     * (it exempts the answer from {@link #APPLICATION_USED_1002}).
     */
    public boolean justifiesProtocolError() { return justifiesProtocolError; }

    /** The rule with this id ("WS205") or slug, or null. */
    public static Rule find(String idOrSlug) {
        for (Rule r : values()) {
            if (r.id.equalsIgnoreCase(idOrSlug) || r.slug.equalsIgnoreCase(idOrSlug)) {
                return r;
            }
        }
        return null;
    }
}
