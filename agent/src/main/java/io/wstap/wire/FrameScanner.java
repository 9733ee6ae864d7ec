package io.wstap.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds WebSocket frame headers in one direction's byte stream, in place: the application's buffer is read with
 * absolute gets, payloads are skipped by arithmetic and never copied (RFC 6455 §5.2, or draft hixie-76 §4.2).
 *
 * <p>Bytes may arrive split at any point across calls; the scanner keeps what it needs across them and nothing else:
 * up to {@link Frame#MAX_HEADER_SIZE} header bytes, the payload still to skip, and a Close payload (at most 125 bytes,
 * unmasked on the way in). One instance per direction per connection; not thread-safe.
 *
 * <p>Allocation: none per frame or per call. The fast path parses a header that lies whole in the buffer straight from
 * it, and skips a payload that also lies there without another trip round the loop; split headers go through the
 * 14-byte carry.
 *
 * <p>The view of the frame just scanned, which a sink gets, is this scanner itself: it extends {@link Frame}. A layout
 * choice (as io.wstap.engine.StreamDecoder extends it), not a claim that a scanner is a frame: on a server busy with
 * small messages each object a call touches is a cache miss, and a separate view was one more, reached only through
 * the scanner. {@link #streamOffset()} is the scanner's position; {@link #offset()}, as for any frame, where the last
 * reported frame starts.
 */
public class FrameScanner extends Frame {
    /** The framing the connection's handshake chose. */
    public enum Mode { RFC6455, HIXIE76 }

    private enum State {
        /** Reading a frame header (possibly resumed from the carry, {@link Rare#carry}). */
        HEADER,
        /** Skipping (or, with text checking, validating) the payload's {@link #remaining} bytes. */
        PAYLOAD,
        /** Keeping a Close frame's payload, unmasked, up to 125 bytes. */
        CLOSE_PAYLOAD,
        /** hixie-76: the frame type byte. */
        HIXIE_TYPE,
        /** hixie-76: text payload up to its 0xFF terminator. */
        HIXIE_TEXT,
        /** hixie-76: the 7-bit groups of a binary frame's length. */
        HIXIE_LENGTH,
        /** hixie-76: skipping a binary payload. */
        HIXIE_SKIP,
        /** A 64-bit length with its top bit set: framing is lost, everything after is ignored (counted only). */
        STOPPED
    }

    private static final VarHandle INT_BIG_ENDIAN = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /**
     * What only split headers, text checking and hixie-76 binary frames need, made at the first of them. Kept out of
     * the scanner so that the fields every frame touches span fewer cache lines and a connection that never needs it
     * does not carry it (docs/benchmarks.md, tenth run: no difference in speed the benchmarks resolve, less memory).
     */
    private static final class Rare {
        /** Header bytes kept from earlier calls ({@link #carried} of them). */
        final byte[] carry = new byte[Frame.MAX_HEADER_SIZE];
        int utf8State;
        boolean textReported;
        int hixieType;
        int hixieLengthBytes;
    }

    private final FrameSink sink;
    private final boolean checkText;
    /** Null until a split header, a text frame to check or a hixie-76 binary frame. */
    private Rare rare;

    private State state;
    /** Bytes of the stream scanned before the current call: turns a buffer index into a stream offset. */
    private long scanned;
    /** Header bytes kept in the carry from earlier calls (0 on the fast path). */
    private int carried;
    /** Payload bytes of the current frame not yet passed. */
    private long remaining;
    /** Position in the masking key of the next payload byte (payload index mod 4). */
    private int maskPos;

    // Text checking (RFC 6455 §8.1), off unless asked for: it must read every text payload byte.
    /** The current message is text and its frames are being validated. */
    private boolean inText;
    /** The frame being passed belongs to a text message. */
    private boolean textFrame;

    /**
     * @param sink      receives each frame
     * @param mode      the framing
     * @param checkText validate text payloads as UTF-8 (reads, but does not copy, those payload bytes)
     */
    public FrameScanner(FrameSink sink, Mode mode, boolean checkText) {
        this.sink = sink;
        this.checkText = checkText;
        reset(mode);
    }

    /**
     * For a subclass that is its own sink, in RFC 6455 mode until {@link #reset(Mode, long)}. The engine's per-endpoint
     * state is one (see io.wstap.engine.StreamDecoder): a layout choice, so that a frame touches one object.
     */
    protected FrameScanner(boolean checkText) {
        this.sink = (FrameSink) this;
        this.checkText = checkText;
        reset(Mode.RFC6455);
    }

    /** Forgets any partial frame and continues in {@code mode} at a frame boundary; the stream offset keeps counting. */
    public void reset(Mode mode) {
        reset(mode, scanned);
    }

    /** As {@link #reset(Mode)}, with the next byte at {@code streamOffset} of its direction's stream. */
    public void reset(Mode mode, long streamOffset) {
        scanned = streamOffset;
        state = mode == Mode.HIXIE76 ? State.HIXIE_TYPE : State.HEADER;
        hixie = mode == Mode.HIXIE76;
        carried = 0;
        remaining = 0;
        inText = false;
        textFrame = false;
    }

    /** Stream offset of the next byte to scan (not {@link #offset()}, the offset of the frame last reported). */
    public long streamOffset() {
        return scanned;
    }

    /** True at a frame boundary: no header, payload or terminator is pending. */
    public boolean atFrameBoundary() {
        return (state == State.HEADER && carried == 0) || state == State.HIXIE_TYPE;
    }

    /** True after a frame with an impossible length: the rest of the stream is not parsed. */
    public boolean stopped() {
        return state == State.STOPPED;
    }

    /**
     * Counts {@code n} bytes of this direction's stream that are not frames (a subclass's handshake bytes), so that
     * {@link #streamOffset()} and the offsets of later frames stay offsets in the whole stream.
     */
    protected final void skip(long n) {
        scanned += n;
    }

    private Rare rare() {
        Rare r = rare;
        if (r == null) {
            rare = r = new Rare(); // once per connection at most
        }
        return r;
    }

    /** Scans {@code buf[from, to)} with absolute gets; position and limit are not touched. Heap or direct. */
    public void scan(ByteBuffer buf, int from, int to) {
        if (buf.hasArray()) {
            int base = buf.arrayOffset();
            scan(null, buf.array(), from + base, to + base);
        } else {
            scan(buf, null, from, to);
        }
    }

    /** Scans {@code buf[off, off+len)}. */
    public void scan(byte[] buf, int off, int len) {
        scan(null, buf, off, off + len);
    }

    /** Exactly one of {@code bb} (direct or read-only) and {@code a} is non-null; see {@link #at}. */
    private void scan(ByteBuffer bb, byte[] a, int from, int to) {
        long base = scanned - from; // stream offset of index i is base + i
        int i = from;
        while (i < to) {
            // The two states of every RFC 6455 frame compared by reference first: a switch on an enum reads its
            // ordinal and a switch map, two more cache lines on a path that runs once per hooked call.
            State s = state;
            if (s == State.HEADER) {
                i = header(bb, a, i, to, base);
            } else if (s == State.PAYLOAD) {
                i = payload(bb, a, i, to);
            } else {
                i = rarely(s, bb, a, i, to, base);
            }
        }
        scanned += to - from;
    }

    private int rarely(State s, ByteBuffer bb, byte[] a, int i, int to, long base) {
        return switch (s) {
            case CLOSE_PAYLOAD -> closePayload(bb, a, i, to);
            case HIXIE_TYPE -> hixieType(bb, a, i, base);
            case HIXIE_TEXT -> hixieText(bb, a, i, to);
            case HIXIE_LENGTH -> hixieLength(bb, a, i);
            case HIXIE_SKIP -> hixieSkip(i, to);
            case STOPPED -> to;
            case HEADER, PAYLOAD -> throw new AssertionError(s); // handled by the caller
        };
    }

    /** One byte: the array when there is one (heap buffers and byte[]), else an absolute get (direct buffers). */
    private static int at(ByteBuffer bb, byte[] a, int i) {
        return (a != null ? a[i] : bb.get(i)) & 0xFF;
    }

    /** Four bytes, big-endian, in one read (the masking key: the hot part of every client header). */
    private static int intAt(ByteBuffer bb, byte[] a, int i) {
        if (a != null) {
            return (int) INT_BIG_ENDIAN.get(a, i);
        }
        int v = bb.getInt(i);
        return bb.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    /** Header bytes implied by the second header byte: 2, +2 or +8 for the extended length, +4 for the mask. */
    private static int headerSize(int b1) {
        int len7 = b1 & 0x7F;
        return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) != 0 ? 4 : 0);
    }

    // ---- RFC 6455 ------------------------------------------------------------------------------------------------

    private int header(ByteBuffer bb, byte[] a, int i, int to, long base) {
        if (carried == 0) {
            // Fast path: frames lying whole in this buffer, one after another, without a trip round the state loop.
            while (to - i >= 2) {
                int b1 = at(bb, a, i + 1);
                int size = headerSize(b1);
                if (to - i < size) {
                    break;
                }
                parseHeader(bb, a, i, base + i, b1);
                long length = payloadLength;
                if (length <= to - i - size && !checkText && !lengthOverflow
                        && !(opcode == Opcode.CLOSE && length > 0)) {
                    // The usual frame: header and payload both here. Report it and skip the payload by arithmetic;
                    // the scanner's state does not change.
                    sink.onFrame(this);
                    i += size + (int) length;
                    continue;
                }
                i += size;
                afterHeader();
                if (state == State.PAYLOAD && !textFrame && remaining <= to - i) {
                    i += (int) remaining;
                    remaining = 0;
                    endOfFrame();
                }
                if (state != State.HEADER) {
                    return i; // a payload running past this buffer, a Close payload to keep, text to check, or stopped
                }
            }
            if (i == to) {
                return i;
            }
        }
        // Slow path: the header straddles calls; keep its bytes (at most 14).
        byte[] carry = rare().carry;
        while (i < to && (carried < 2 || carried < headerSize(carry[1] & 0xFF))) {
            carry[carried++] = (byte) at(bb, a, i++);
        }
        if (carried >= 2 && carried == headerSize(carry[1] & 0xFF)) {
            long start = base + i - carried; // a header's bytes are consecutive in the stream, its last one at i - 1
            carried = 0;
            parseHeader(null, carry, 0, start, carry[1] & 0xFF);
            afterHeader();
            // The payload (if any) is handled by the loop; the carry path is rare.
        }
        return i;
    }

    /** Parses the complete header at {@code p} (second byte {@code b1}) into this frame view's fields. */
    private void parseHeader(ByteBuffer bb, byte[] a, int p, long offset, int b1) {
        int b0 = at(bb, a, p);
        fin = (b0 & 0x80) != 0;
        rsv = (b0 >> 4) & 0x7;
        opcode = b0 & 0x0F;
        masked = (b1 & 0x80) != 0;
        this.offset = offset;
        closePayloadLength = 0;
        nonMinimalLength = false;
        lengthOverflow = false;
        int len7 = b1 & 0x7F;
        int q = p + 2;
        long length;
        if (len7 == 126) {
            length = at(bb, a, q) << 8 | at(bb, a, q + 1);
            nonMinimalLength = length < 126;
            q += 2;
        } else if (len7 == 127) {
            length = 0;
            for (int k = 0; k < 8; k++) {
                length = length << 8 | at(bb, a, q + k);
            }
            nonMinimalLength = length >= 0 && length <= 0xFFFF;
            lengthOverflow = length < 0; // "the most significant bit MUST be 0" (§5.2)
            q += 8;
        } else {
            length = len7;
        }
        payloadLength = length;
        if (masked) {
            maskKey = intAt(bb, a, q);
            q += 4;
        } else {
            maskKey = 0;
        }
        headerSize = q - p;
    }

    /** After a header that the fast path did not finish: report it (or wait for its Close payload), set the state. */
    private void afterHeader() {
        long length = payloadLength;
        maskPos = 0;
        remaining = length;
        if (lengthOverflow) {
            // Where this frame ends is unknowable: report it, then stop parsing this stream.
            sink.onFrame(this);
            state = State.STOPPED;
            return;
        }
        if (opcode == Opcode.CLOSE && length > 0) {
            state = State.CLOSE_PAYLOAD; // reported once its code and reason are kept
            return;
        }
        if (checkText) {
            trackText();
        }
        sink.onFrame(this);
        if (length > 0) {
            state = State.PAYLOAD;
        } else {
            endOfFrame();
        }
    }

    /** Which frames belong to a text message (RFC 6455 §5.4: control frames may sit between fragments). */
    private void trackText() {
        if (opcode == Opcode.TEXT) {
            inText = true;
            Rare r = rare();
            r.utf8State = Utf8.ACCEPT;
            r.textReported = false;
        } else if (opcode == Opcode.BINARY) {
            inText = false;
        }
        textFrame = inText && Opcode.isData(opcode);
    }

    private int payload(ByteBuffer bb, byte[] a, int i, int to) {
        int n = (int) Math.min(remaining, to - i);
        if (textFrame && !rare.textReported) { // a text frame: trackText made the rare state
            Rare r = rare;
            int key = maskKey;
            int state8 = r.utf8State;
            for (int k = 0; k < n; k++) {
                int b = at(bb, a, i + k) ^ maskByte(key, maskPos++);
                state8 = Utf8.step(state8, b);
                if (state8 == Utf8.REJECT) {
                    r.textReported = true;
                    sink.onInvalidText(offset);
                    break;
                }
            }
            r.utf8State = state8;
        }
        remaining -= n;
        if (remaining == 0) {
            endOfFrame();
        }
        return i + n;
    }

    /** Byte {@code pos mod 4} of a big-endian masking key (0 when the frame is not masked). */
    private static int maskByte(int key, int pos) {
        return (key >>> (24 - 8 * (pos & 3))) & 0xFF;
    }

    private void endOfFrame() {
        state = State.HEADER;
        if (textFrame) {
            textFrame = false;
            if (fin) {
                inText = false;
                Rare r = rare;
                if (!r.textReported && r.utf8State != Utf8.ACCEPT) {
                    r.textReported = true; // the message ended inside a multi-byte sequence
                    sink.onInvalidText(offset);
                }
            }
        }
    }

    private int closePayload(ByteBuffer bb, byte[] a, int i, int to) {
        int keep = (int) Math.min(payloadLength, Frame.MAX_CONTROL_PAYLOAD);
        int key = maskKey;
        while (i < to && closePayloadLength < keep) {
            closePayloadArray()[closePayloadLength++] = (byte) (at(bb, a, i++) ^ maskByte(key, maskPos++));
        }
        if (closePayloadLength == keep) {
            remaining -= keep;
            sink.onFrame(this);
            if (remaining > 0) {
                state = State.PAYLOAD; // an over-long Close (a WS103 error): skip the rest
            } else {
                state = State.HEADER;
            }
        }
        return i;
    }

    // ---- draft hixie-76 §4.2: 0x00 <UTF-8> 0xFF text, 0x80-0xFF type + 7-bit-group length binary, FF 00 close -----

    private int hixieType(ByteBuffer bb, byte[] a, int i, long base) {
        int type = at(bb, a, i);
        offset = base + i;
        fin = true;
        rsv = 0;
        masked = false;
        maskKey = 0;
        closePayloadLength = 0;
        nonMinimalLength = false;
        lengthOverflow = false;
        payloadLength = 0;
        if ((type & 0x80) == 0) {
            state = State.HIXIE_TEXT;
            opcode = Opcode.TEXT;
            headerSize = 1;
            if (checkText) {
                Rare r = rare();
                r.utf8State = Utf8.ACCEPT;
                r.textReported = false;
            }
        } else {
            state = State.HIXIE_LENGTH;
            Rare r = rare();
            r.hixieType = type;
            r.hixieLengthBytes = 0;
        }
        return i + 1;
    }

    private int hixieText(ByteBuffer bb, byte[] a, int i, int to) {
        // Unlike RFC 6455 the length is not declared: the 0xFF terminator must be found, which reads (never copies) bytes.
        while (i < to) {
            int b = at(bb, a, i++);
            if (b == 0xFF) {
                state = State.HIXIE_TYPE;
                sink.onFrame(this);
                if (checkText && !rare.textReported && rare.utf8State != Utf8.ACCEPT) {
                    rare.textReported = true;
                    sink.onInvalidText(offset);
                }
                return i;
            }
            payloadLength++;
            if (checkText && !rare.textReported) { // hixieType made the rare state when checking text
                Rare r = rare;
                r.utf8State = Utf8.step(r.utf8State, b);
                if (r.utf8State == Utf8.REJECT) {
                    r.textReported = true;
                    sink.onInvalidText(offset);
                }
            }
        }
        return i;
    }

    private int hixieLength(ByteBuffer bb, byte[] a, int i) {
        int b = at(bb, a, i);
        Rare r = rare; // made by hixieType
        int hixieLengthBytes = ++r.hixieLengthBytes;
        payloadLength = payloadLength << 7 | (b & 0x7F);
        if ((b & 0x80) != 0) {
            if (payloadLength >>> 55 != 0) {
                // Another group would overflow a long: no real frame is this long.
                lengthOverflow = true;
                opcode = Opcode.BINARY;
                headerSize = 1 + hixieLengthBytes;
                sink.onFrame(this);
                state = State.STOPPED;
            }
            return i + 1;
        }
        headerSize = 1 + hixieLengthBytes;
        opcode = r.hixieType == 0xFF && payloadLength == 0 ? Opcode.CLOSE : Opcode.BINARY;
        remaining = payloadLength;
        sink.onFrame(this);
        state = remaining > 0 ? State.HIXIE_SKIP : State.HIXIE_TYPE;
        return i + 1;
    }

    private int hixieSkip(int i, int to) {
        int n = (int) Math.min(remaining, to - i);
        remaining -= n;
        if (remaining == 0) {
            state = State.HIXIE_TYPE;
        }
        return i + n;
    }
}
