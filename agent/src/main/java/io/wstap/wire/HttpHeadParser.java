package io.wstap.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Streaming, bounded parser for one HTTP/1.1 head: the request or response of a WebSocket opening handshake
 * (RFC 6455 §4, or draft hixie-76). The kind is detected from the first bytes; bytes may be split at any point across
 * {@link #feed} calls and the result is the same for every split.
 *
 * <p>Meant for a hot path inside production JVMs and for captured traffic, so it
 * <ul>
 *   <li>decides {@link Status#NOT_HTTP} as early as possible (a TLS record or a WebSocket frame at the first byte),</li>
 *   <li>stays bounded: it never buffers the head, only the current header name (up to 64 chars) and the values of the
 *       headers {@link HttpHead} keeps (each up to {@link #MAX_VALUE_CHARS}); other headers are skipped unbuffered,
 *       and a head longer than {@link #MAX_HEAD_BYTES} is {@link Status#TOO_LARGE},</li>
 *   <li>does not allocate per byte and reads with absolute gets only (the caller's buffer position and limit are never
 *       touched, heap and direct buffers alike),</li>
 *   <li>never consumes a byte past the blank line: what follows belongs to the WebSocket frames (or the hixie-76
 *       key3 / response token) and is left to the caller.</li>
 * </ul>
 *
 * <p>Leniency: bare LF line ends, obsolete line folding, optional whitespace between a header name and its colon,
 * and header lines without a colon (skipped) are accepted. Not accepted ({@code NOT_HTTP}): leading whitespace or
 * empty lines before the start line, a control byte other than CR, LF and HTAB anywhere in the head, a CR not followed
 * by LF, anything but exactly one SP between the parts of a request line, HTTP versions other than 1.x (so HTTP/0.9
 * request lines, the HTTP/2 preface and "HTTP/2" responses are NOT_HTTP).
 *
 * <p>Not thread-safe: one instance per connection direction. Structure after Netty's {@code WebSocket08FrameDecoder}:
 * an explicit {@link State} and one switch that returns when the bytes run out.
 */
public final class HttpHeadParser {

    /** A head longer than this is not a WebSocket handshake (status TOO_LARGE). */
    public static final int MAX_HEAD_BYTES = 16 * 1024;

    /** Longest value (or request target) kept; longer ones are truncated, not rejected. */
    public static final int MAX_VALUE_CHARS = 1024;

    /** Longest request method accepted ("UPDATEREDIRECTREF" is 17); a longer token is not an HTTP method. */
    private static final int MAX_METHOD_CHARS = 24;

    /** Header names longer than this are not one we keep (the longest kept one is 24 chars), so stop storing them. */
    private static final int MAX_NAME_CHARS = 64;

    /** Outcome of the bytes fed so far. */
    public enum Status {
        /** The head is not complete yet. */
        NEED_MORE,
        /** The head is complete: {@link #head()} holds it. */
        DONE,
        /** These bytes are not an HTTP/1.x head. */
        NOT_HTTP,
        /** No blank line within {@link #MAX_HEAD_BYTES} bytes. */
        TOO_LARGE
    }

    /** Where the next byte goes. The last three are terminal. */
    private enum State {
        /** Start-line token: a request method, or "HTTP" followed by '/' for a response. */
        METHOD,
        /** Request target, up to the SP before the version. */
        TARGET,
        /** "HTTP/1." and one digit after the target ({@code matched} counts the bytes seen). */
        REQUEST_VERSION,
        /** CR or LF closing the request line. */
        REQUEST_LINE_END,
        /** "1." digit SP after a response's "HTTP/" ({@code matched} counts the bytes seen). */
        RESPONSE_VERSION,
        /** Three digits, then SP (a reason follows) or the line end. */
        STATUS_CODE,
        /** First byte of a header line: a name, a folded continuation (SP/HTAB), or the blank line. */
        LINE_START,
        /** Header name up to the colon. */
        HEADER_NAME,
        /** Whitespace before a kept value (or the reason phrase, or a folded continuation). */
        VALUE_START,
        /** A kept value (or the reason phrase), up to the line end. */
        VALUE,
        /** The rest of a line we do not keep, up to the line end; nothing is buffered. */
        SKIP_LINE,
        /** CR seen at the end of a line; LF must follow. */
        LF_AFTER_LINE,
        /** CR seen on the blank line; LF must follow and ends the head. */
        LF_AFTER_HEAD,
        DONE,
        NOT_HTTP,
        TOO_LARGE
    }

    private static final int CR = '\r';
    private static final int LF = '\n';
    private static final int SP = ' ';
    private static final int HTAB = '\t';

    private static final byte[] HTTP_1 = ascii("HTTP/1.");
    private static final byte[] HTTP = ascii("HTTP");

    // Indexes into values[]: the headers HttpHead keeps, plus the reason phrase (parsed like a value).
    private static final int NONE = -1;
    private static final int F_HOST = 0;
    private static final int F_UPGRADE = 1;
    private static final int F_CONNECTION = 2;
    private static final int F_KEY = 3;
    private static final int F_VERSION = 4;
    private static final int F_PROTOCOL = 5;
    private static final int F_EXTENSIONS = 6;
    private static final int F_ACCEPT = 7;
    private static final int F_KEY1 = 8;
    private static final int F_KEY2 = 9;
    private static final int F_ORIGIN = 10;
    private static final int F_LOCATION = 11;
    private static final int F_REASON = 12;
    private static final int FIELD_COUNT = 13;

    /** Kept header names, lower case, and the field each one fills. */
    private static final byte[][] NAMES = {
            ascii("host"), ascii("upgrade"), ascii("connection"), ascii("origin"),
            ascii("sec-websocket-key"), ascii("sec-websocket-version"), ascii("sec-websocket-protocol"),
            ascii("sec-websocket-extensions"), ascii("sec-websocket-accept"), ascii("sec-websocket-key1"),
            ascii("sec-websocket-key2"),
            // hixie-76 responses (and hybi-07..10 requests) carry the origin under this name.
            ascii("sec-websocket-origin"), ascii("sec-websocket-location"),
    };
    private static final int[] NAME_FIELDS = {
            F_HOST, F_UPGRADE, F_CONNECTION, F_ORIGIN,
            F_KEY, F_VERSION, F_PROTOCOL,
            F_EXTENSIONS, F_ACCEPT, F_KEY1,
            F_KEY2,
            F_ORIGIN, F_LOCATION,
    };

    private final byte[] method = new byte[MAX_METHOD_CHARS];
    private final byte[] name = new byte[MAX_NAME_CHARS];
    /** One builder per kept field, created when the field is first seen; null means absent. */
    private final StringBuilder[] values = new StringBuilder[FIELD_COUNT];

    // The buffer being fed, set for the duration of one feed() call only (never retained).
    private ByteBuffer buffer;
    private byte[] array;

    private State state;
    private HttpHead head;
    /** Bytes of the head consumed so far (never more than MAX_HEAD_BYTES). */
    private int consumed;
    /** Bytes of a literal (version) or digits (status) matched so far in the current state. */
    private int matched;

    private boolean request;
    private int methodLength;
    private StringBuilder target;
    private int statusCode;

    private int nameLength;
    /** False once the current name cannot be a kept one (too long, or whitespace inside it). */
    private boolean nameUsable;
    /** Whitespace seen after the name: only the colon may follow. */
    private boolean nameEnded;

    /** Field of the current line (and of folded lines after it), or NONE. */
    private int field;
    /** values[field] while a kept value is being read. */
    private StringBuilder value;
    /** Length of value up to its last non-whitespace char: the value is cut back to it at the line end (trim). */
    private int committed;
    /** The current occurrence of the header has a non-whitespace char (a fold then needs a joining space). */
    private boolean occurrenceHasContent;
    /** The field already had a value: ", " goes before this occurrence's first char. */
    private boolean needSeparator;

    public HttpHeadParser() {
        reset();
    }

    /**
     * Reads bytes [from, to) of buf with absolute gets (never changes position/limit; heap or direct buffers).
     *
     * @return the index just past the last byte consumed: when the head completes inside this range, the index right
     *         after the blank line (bytes after it belong to WebSocket frames and are not consumed); when the bytes turn
     *         out not to be HTTP, the index just past the byte that showed it; when the head grows too large, the index
     *         at which it reached {@link #MAX_HEAD_BYTES}; otherwise {@code to}. After DONE/NOT_HTTP/TOO_LARGE further
     *         calls consume nothing and return {@code from}.
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= buf.limit()}
     */
    public int feed(ByteBuffer buf, int from, int to) {
        Objects.checkFromToIndex(from, to, buf.limit());
        if (isTerminal()) {
            return from;
        }
        buffer = buf;
        try {
            return parse(from, to);
        } finally {
            buffer = null;
        }
    }

    /**
     * Same over buf[off, off+len); returns an absolute index into buf like the ByteBuffer form.
     *
     * @throws IndexOutOfBoundsException unless {@code [off, off+len)} lies within buf
     */
    public int feed(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (isTerminal()) {
            return off;
        }
        array = buf;
        try {
            return parse(off, off + len);
        } finally {
            array = null;
        }
    }

    /** Where the parse stands after the bytes fed so far. */
    public Status status() {
        return switch (state) {
            case DONE -> Status.DONE;
            case NOT_HTTP -> Status.NOT_HTTP;
            case TOO_LARGE -> Status.TOO_LARGE;
            default -> Status.NEED_MORE;
        };
    }

    /** The parsed head once status() == DONE, else null. */
    public HttpHead head() {
        return head;
    }

    /** Total bytes consumed so far. */
    public long bytesConsumed() {
        return consumed;
    }

    /** Back to the initial state (reuse for the next head). */
    public void reset() {
        state = State.METHOD;
        head = null;
        consumed = 0;
        matched = 0;
        request = false;
        methodLength = 0;
        target = null;
        statusCode = 0;
        nameLength = 0;
        nameUsable = false;
        nameEnded = false;
        field = NONE;
        value = null;
        committed = 0;
        occurrenceHasContent = false;
        needSeparator = false;
        Arrays.fill(values, null);
    }

    private boolean isTerminal() {
        return state == State.DONE || state == State.NOT_HTTP || state == State.TOO_LARGE;
    }

    private int byteAt(int i) {
        return array != null ? array[i] & 0xFF : buffer.get(i) & 0xFF;
    }

    /** The state machine. Every case consumes bytes while it can; the loop returns when the bytes run out. */
    private int parse(int from, int to) {
        // Never look at a byte past MAX_HEAD_BYTES: the bound is checked once here, not per byte.
        int end = from + Math.min(to - from, MAX_HEAD_BYTES - consumed);
        int i = from;
        while (i < end) {
            switch (state) {
                case METHOD: {
                    int b = byteAt(i);
                    if (b == SP && methodLength > 0) {
                        request = true;
                        target = new StringBuilder(64);
                        state = State.TARGET;
                    } else if (b == '/' && Arrays.equals(method, 0, methodLength, HTTP, 0, HTTP.length)) {
                        state = State.RESPONSE_VERSION;
                        matched = 0;
                    } else if (isMethodChar(b, methodLength) && methodLength < MAX_METHOD_CHARS) {
                        method[methodLength++] = (byte) b;
                    } else {
                        return notHttp(from, i);
                    }
                    i++;
                    break;
                }
                case TARGET: {
                    while (i < end) {
                        int b = byteAt(i);
                        if (b == SP && target.length() > 0) {
                            i++;
                            state = State.REQUEST_VERSION;
                            matched = 0;
                            break;
                        }
                        // CR/LF here would be HTTP/0.9 ("GET /"), HTAB or SP a malformed line: none is a handshake.
                        if (b <= SP || b == 0x7F) {
                            return notHttp(from, i);
                        }
                        if (target.length() < MAX_VALUE_CHARS) {
                            target.append((char) b);
                        }
                        i++;
                    }
                    break;
                }
                case REQUEST_VERSION: {
                    int b = byteAt(i);
                    if (matched < HTTP_1.length ? b != HTTP_1[matched] : !isDigit(b)) {
                        return notHttp(from, i);
                    }
                    if (++matched > HTTP_1.length) {
                        state = State.REQUEST_LINE_END;
                    }
                    i++;
                    break;
                }
                case REQUEST_LINE_END: {
                    int b = byteAt(i);
                    if (b == CR) {
                        state = State.LF_AFTER_LINE;
                    } else if (b == LF) {
                        state = State.LINE_START;
                    } else {
                        return notHttp(from, i);
                    }
                    i++;
                    break;
                }
                case RESPONSE_VERSION: {
                    // "HTTP/" was matched in METHOD; now "1." DIGIT SP.
                    int b = byteAt(i);
                    boolean ok;
                    switch (matched) {
                        case 0:
                            ok = b == '1';
                            break;
                        case 1:
                            ok = b == '.';
                            break;
                        case 2:
                            ok = isDigit(b);
                            break;
                        default:
                            ok = b == SP;
                            break;
                    }
                    if (!ok) {
                        return notHttp(from, i);
                    }
                    if (++matched == 4) {
                        state = State.STATUS_CODE;
                        matched = 0;
                    }
                    i++;
                    break;
                }
                case STATUS_CODE: {
                    int b = byteAt(i);
                    if (matched < 3) {
                        if (!isDigit(b)) {
                            return notHttp(from, i);
                        }
                        statusCode = statusCode * 10 + (b - '0');
                        matched++;
                    } else if (b == SP) {
                        // The reason phrase is read like a kept value: trimmed, truncated, never folded.
                        startValue(F_REASON);
                    } else if (b == CR) {
                        state = State.LF_AFTER_LINE;
                    } else if (b == LF) {
                        state = State.LINE_START;
                    } else {
                        return notHttp(from, i);
                    }
                    i++;
                    break;
                }
                case LINE_START: {
                    int b = byteAt(i);
                    if (b == CR) {
                        state = State.LF_AFTER_HEAD;
                    } else if (b == LF) {
                        return done(from, i);
                    } else if (b == SP || b == HTAB) {
                        // Obsolete line folding: this line continues the previous header's value.
                        state = field != NONE ? State.VALUE_START : State.SKIP_LINE;
                    } else {
                        nameLength = 0;
                        nameUsable = true;
                        nameEnded = false;
                        state = State.HEADER_NAME;
                        break; // HEADER_NAME reads this byte (and rejects it if it is a control byte)
                    }
                    i++;
                    break;
                }
                case HEADER_NAME: {
                    while (i < end) {
                        int b = byteAt(i++);
                        if (b == ':') {
                            int f = lookupField();
                            if (f == NONE) {
                                field = NONE;
                                state = State.SKIP_LINE;
                            } else {
                                startValue(f);
                            }
                            break;
                        } else if (b == CR || b == LF) {
                            // A line without a colon: ignored (lenient), and nothing may fold onto it.
                            field = NONE;
                            state = b == CR ? State.LF_AFTER_LINE : State.LINE_START;
                            break;
                        } else if (b == SP || b == HTAB) {
                            nameEnded = true; // "Host : x" is accepted; "Ho st: x" is not a kept name
                        } else if (b < SP) {
                            return notHttp(from, i - 1);
                        } else if (nameEnded || nameLength == MAX_NAME_CHARS) {
                            nameUsable = false;
                        } else {
                            name[nameLength++] = (byte) (b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
                        }
                    }
                    break;
                }
                case VALUE_START: {
                    while (i < end) {
                        int b = byteAt(i);
                        if (b == SP || b == HTAB) {
                            i++;
                            continue;
                        }
                        if (b == CR || b == LF) {
                            endValue();
                            state = b == CR ? State.LF_AFTER_LINE : State.LINE_START;
                            i++;
                        } else if (b < SP) {
                            return notHttp(from, i);
                        } else {
                            // First char of this line's text: join it to what the field already holds.
                            if (occurrenceHasContent) {
                                append(SP); // a fold: the line break becomes one space
                            } else if (needSeparator) {
                                append(',');
                                append(SP);
                                needSeparator = false;
                            }
                            occurrenceHasContent = true;
                            state = State.VALUE; // VALUE reads this byte
                        }
                        break;
                    }
                    break;
                }
                case VALUE: {
                    StringBuilder v = value;
                    while (i < end) {
                        int b = byteAt(i++);
                        if (b > SP) {
                            if (v.length() < MAX_VALUE_CHARS) {
                                v.append((char) b); // ISO-8859-1: each byte is one char
                            }
                            committed = v.length();
                        } else if (b == SP || b == HTAB) {
                            // Kept tentatively: trailing whitespace is cut back to `committed` at the line end.
                            if (v.length() < MAX_VALUE_CHARS) {
                                v.append((char) b);
                            }
                        } else if (b == CR || b == LF) {
                            endValue();
                            state = b == CR ? State.LF_AFTER_LINE : State.LINE_START;
                            break;
                        } else {
                            return notHttp(from, i - 1);
                        }
                    }
                    break;
                }
                case SKIP_LINE: {
                    // The hot loop for headers we do not keep (User-Agent, Cookie, ...): one compare per byte.
                    while (i < end) {
                        int b = byteAt(i++);
                        if (b < SP) {
                            if (b == CR || b == LF) {
                                state = b == CR ? State.LF_AFTER_LINE : State.LINE_START;
                                break;
                            }
                            if (b != HTAB) {
                                return notHttp(from, i - 1);
                            }
                        }
                    }
                    break;
                }
                case LF_AFTER_LINE: {
                    if (byteAt(i) != LF) {
                        return notHttp(from, i);
                    }
                    state = State.LINE_START;
                    i++;
                    break;
                }
                case LF_AFTER_HEAD: {
                    if (byteAt(i) != LF) {
                        return notHttp(from, i);
                    }
                    return done(from, i);
                }
                default:
                    throw new IllegalStateException("feed() in terminal state " + state);
            }
        }
        consumed += i - from;
        if (consumed == MAX_HEAD_BYTES) {
            // MAX_HEAD_BYTES consumed without the blank line: the head can only be longer.
            state = State.TOO_LARGE;
        }
        return i;
    }

    /** The byte at index i shows this is not HTTP; it counts as consumed. */
    private int notHttp(int from, int i) {
        state = State.NOT_HTTP;
        consumed += i + 1 - from;
        return i + 1;
    }

    /** The byte at index i is the LF ending the blank line. */
    private int done(int from, int i) {
        state = State.DONE;
        consumed += i + 1 - from;
        head = new HttpHead(
                request,
                request ? new String(method, 0, methodLength, StandardCharsets.ISO_8859_1) : null,
                request ? target.toString() : null,
                request ? 0 : statusCode,
                request ? null : (values[F_REASON] != null ? values[F_REASON].toString() : ""),
                text(F_HOST), text(F_UPGRADE), text(F_CONNECTION), text(F_KEY), text(F_VERSION),
                text(F_PROTOCOL), text(F_EXTENSIONS), text(F_ACCEPT), text(F_KEY1), text(F_KEY2),
                text(F_ORIGIN), text(F_LOCATION),
                consumed);
        return i + 1;
    }

    /** Starts reading an occurrence of field f (after its colon, or after the status code's SP). */
    private void startValue(int f) {
        StringBuilder v = values[f];
        if (v == null) {
            values[f] = v = new StringBuilder(32);
        }
        field = f;
        value = v;
        committed = v.length();
        needSeparator = v.length() > 0; // a repeated header: join with ", " (RFC 7230 §3.2.2)
        occurrenceHasContent = false;
        state = State.VALUE_START;
    }

    /** Line end of a kept value: drop its trailing whitespace. */
    private void endValue() {
        value.setLength(committed);
        if (field == F_REASON) {
            field = NONE; // nothing folds onto the status line
        }
    }

    private void append(int c) {
        if (value.length() < MAX_VALUE_CHARS) {
            value.append((char) c);
        }
    }

    /** The kept field the current header name fills, or NONE. */
    private int lookupField() {
        if (nameUsable) {
            for (int k = 0; k < NAMES.length; k++) {
                if (Arrays.equals(name, 0, nameLength, NAMES[k], 0, NAMES[k].length)) {
                    return NAME_FIELDS[k];
                }
            }
        }
        return NONE;
    }

    private String text(int f) {
        return values[f] != null ? values[f].toString() : null;
    }

    /** Methods are tokens of upper-case letters; '-' and '_' inside them allow e.g. VERSION-CONTROL. */
    private static boolean isMethodChar(int b, int index) {
        return (b >= 'A' && b <= 'Z') || (index > 0 && (b == '-' || b == '_'));
    }

    private static boolean isDigit(int b) {
        return b >= '0' && b <= '9';
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
