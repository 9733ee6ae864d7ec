package io.wstap.wire;

import java.nio.charset.StandardCharsets;

/**
 * One frame's header as the scanner saw it (RFC 6455 §5.2), plus the payload of a Close frame.
 *
 * <p>A reusable view: a {@link FrameScanner} is the one it fills before each {@link FrameSink#onFrame} call (it extends
 * this class, for its memory layout), so reading it allocates nothing; it is valid only during that call. Capture
 * readers fill one with {@link #set} to replay recorded frames through the same engine.
 *
 * <p>Only the Close payload is kept (at most {@link #MAX_CONTROL_PAYLOAD} bytes, unmasked): a Close frame's code and
 * reason are the point of wstap. Every other payload is skipped by arithmetic and never copied.
 */
public class Frame {
    /** Control frames carry at most 125 payload bytes (§5.5); also the most of a Close payload ever kept. */
    public static final int MAX_CONTROL_PAYLOAD = 125;
    /** 2 fixed bytes + 8 bytes of 64-bit length + 4 bytes of masking key. */
    public static final int MAX_HEADER_SIZE = 14;

    /** RSV bits as in the first header byte: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
    public static final int RSV1 = 4;
    public static final int RSV2 = 2;
    public static final int RSV3 = 1;

    boolean fin;
    int rsv;
    int opcode;
    boolean masked;
    int maskKey;
    long payloadLength;
    int headerSize;
    long offset;
    boolean nonMinimalLength;
    boolean lengthOverflow;
    boolean hixie;
    /** Made at the first Close kept: a view that never sees one (most of a connection's) costs no 125-byte array. */
    byte[] closePayload;
    int closePayloadLength;

    /** Fills this view from recorded values (capture replay); the Close payload is given unmasked. */
    public Frame set(boolean fin, int rsv, int opcode, boolean masked, int maskKey, long payloadLength, int headerSize,
                     long offset, boolean nonMinimalLength, boolean lengthOverflow, boolean hixie,
                     byte[] closeBytes, int closeOff, int closeLen) {
        this.fin = fin;
        this.rsv = rsv;
        this.opcode = opcode;
        this.masked = masked;
        this.maskKey = maskKey;
        this.payloadLength = payloadLength;
        this.headerSize = headerSize;
        this.offset = offset;
        this.nonMinimalLength = nonMinimalLength;
        this.lengthOverflow = lengthOverflow;
        this.hixie = hixie;
        this.closePayloadLength = Math.min(closeLen, MAX_CONTROL_PAYLOAD);
        if (closeLen > 0) {
            System.arraycopy(closeBytes, closeOff, closePayloadArray(), 0, closePayloadLength);
        }
        return this;
    }

    /** The array a Close payload is kept in, made on first use. */
    byte[] closePayloadArray() {
        byte[] a = closePayload;
        if (a == null) {
            a = closePayload = new byte[MAX_CONTROL_PAYLOAD];
        }
        return a;
    }

    public boolean fin() { return fin; }

    /** RSV1-3 as the three bits {@code RSV1|RSV2|RSV3}. */
    public int rsv() { return rsv; }

    public int opcode() { return opcode; }

    public boolean masked() { return masked; }

    /** The masking key as a big-endian int (the first key byte is the top byte); 0 when not masked. */
    public int maskKey() { return maskKey; }

    /** Declared payload length. For hixie-76 text frames: the bytes between 0x00 and 0xFF. */
    public long payloadLength() { return payloadLength; }

    /** Header bytes: 2-14 (RFC 6455); hixie-76: type byte plus length bytes (1 for text, which ends with 0xFF). */
    public int headerSize() { return headerSize; }

    /** Offset of the frame's first byte in its direction's byte stream (counted from the first byte scanned). */
    public long offset() { return offset; }

    /** The 16- or 64-bit length form was used for a length a shorter form holds (§5.2 "minimal number of bytes"). */
    public boolean nonMinimalLength() { return nonMinimalLength; }

    /** The 64-bit length had its most significant bit set (§5.2 forbids it); the scanner stops after such a frame. */
    public boolean lengthOverflow() { return lengthOverflow; }

    /** True for a draft hixie-76 frame (no RSV, mask or close payload). */
    public boolean hixie() { return hixie; }

    /** Kept Close payload bytes (unmasked), at most {@link #MAX_CONTROL_PAYLOAD}; 0 for other frames. */
    public int closePayloadLength() { return closePayloadLength; }

    /** Byte {@code i} of the kept Close payload. */
    public int closePayloadByte(int i) { return closePayload[i] & 0xFF; }

    /** Copies the kept Close payload into {@code dst} at {@code off}; returns the count. */
    public int copyClosePayload(byte[] dst, int off) {
        if (closePayloadLength > 0) {
            System.arraycopy(closePayload, 0, dst, off, closePayloadLength);
        }
        return closePayloadLength;
    }

    /** The Close status code (§5.5.1), or -1 when the payload has fewer than 2 bytes (or this is no Close). */
    public int closeCode() {
        return opcode == Opcode.CLOSE && closePayloadLength >= 2
                ? (closePayload[0] & 0xFF) << 8 | (closePayload[1] & 0xFF) : -1;
    }

    /** True when the Close reason (the bytes after the code) is valid UTF-8; a kept reason cut at 125 bytes counts as is. */
    public boolean closeReasonIsUtf8() {
        return closePayloadLength <= 2 || Utf8.isValid(closePayload, 2, closePayloadLength - 2);
    }

    /** The Close reason decoded as UTF-8 (invalid bytes become U+FFFD); "" when there is none. Allocates: call on Close only. */
    public String closeReason() {
        return closePayloadLength <= 2 ? ""
                : new String(closePayload, 2, closePayloadLength - 2, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(48);
        s.append(hixie ? "hixie " : "").append(Opcode.name(opcode)).append(fin ? " fin" : "");
        if (rsv != 0) {
            s.append(" rsv=").append(rsv);
        }
        if (masked) {
            s.append(" mask=").append(String.format("%08x", maskKey));
        }
        s.append(" len=").append(payloadLength).append(" hdr=").append(headerSize).append(" @").append(offset);
        if (opcode == Opcode.CLOSE) {
            s.append(" code=").append(closeCode()).append(" reason=\"").append(closeReason()).append('"');
        }
        return s.toString();
    }
}
