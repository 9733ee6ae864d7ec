package io.wstap.capture;

import io.wstap.wire.Frame;
import io.wstap.wire.Opcode;

/**
 * The constants of the capture format and the derivations the writer and the reader share (docs/capture-format.md).
 * A field the reader can derive is written only when the derivation would be wrong; since both sides call these
 * very methods, "derivable" means the same thing to both.
 */
final class Format {
    private Format() {
    }

    /** "\x89wstap\r\n": a high-bit byte (7-bit transfers), the name, CR LF (line-end conversions). */
    static final byte[] MAGIC = {(byte) 0x89, 'w', 's', 't', 'a', 'p', '\r', '\n'};
    static final int MAGIC_SIZE = 8;
    /** Magic + uint16 version: the first block starts here. */
    static final int PREAMBLE_SIZE = 10;

    /** Block sync marker, big-endian: FE 57 42 4B ("\xFEWBK"; 0xFE never occurs in UTF-8 text). */
    static final int MARKER = 0xFE57424B;
    /** marker u32, payload length u32, payload CRC32C u32, CRC32C of the previous 12 bytes u32. */
    static final int BLOCK_HEADER = 16;
    /** Largest payload a reader accepts; a writer never comes near it (records are capped, blocks end at ~64 KiB). */
    static final int MAX_PAYLOAD = 16 << 20;

    /** First payload byte: the block's kind. */
    static final byte KIND_HEADER = 'H';
    static final byte KIND_DATA = 'D';
    /** Kind byte + base time (i64): the start of every data block's payload. */
    static final int DATA_PREFIX = 9;

    // Record tags below 0x80; 0x80-0xFF are frames (1 X D F M ooo).
    static final int CONNECTION = 0x01;
    static final int JOINED = 0x02;
    static final int HANDSHAKE = 0x03;
    static final int INVALID_TEXT = 0x04;
    static final int TCP_CLOSED = 0x05;
    static final int STACK = 0x06;
    static final int LOST = 0x07;
    static final int TAP_ERRORS = 0x08;
    static final int END = 0x09;
    static final int EXTENSION = 0x0A;
    /** Set on CONNECTION, JOINED, HANDSHAKE, TCP_CLOSED and STACK re-declared at the start of a rotated file. */
    static final int RESTATED = 0x40;

    static final int FRAME = 0x80;
    static final int F_EXT = 0x40;
    static final int F_REMOTE = 0x20;
    static final int F_FIN = 0x10;
    static final int F_MASKED = 0x08;
    static final int F_OPCODE = 0x07;
    /** Opcode field value: the opcode follows in a byte. 6 is unused. */
    static final int OPCODE_BYTE = 7;
    /** Opcode of each 3-bit code 0-5. */
    static final int[] OPCODES = {Opcode.CONTINUATION, Opcode.TEXT, Opcode.BINARY, Opcode.CLOSE, Opcode.PING, Opcode.PONG};

    // Extension bits of a frame (a varint after the tag when X is set).
    static final int E_RSV = 0x007;
    static final int E_OFFSET = 0x008;
    static final int E_STACK = 0x010;
    static final int E_HIXIE = 0x020;
    static final int E_NON_MINIMAL = 0x040;
    static final int E_OVERFLOW = 0x080;
    static final int E_HEADER_SIZE = 0x100;
    static final int E_CLOSE_LENGTH = 0x200;
    static final int E_KNOWN = 0x3FF;

    // HANDSHAKE flags byte.
    static final int H_REMOTE = 1;
    static final int H_REQUEST = 2;
    /** hixie-76: the head is followed by 8 (request) or 16 (response) body bytes before the first frame. */
    static final int H_HIXIE_BODY = 4;
    static final int HEAD_STRINGS = 15;

    /** Longest string kept, in UTF-8 bytes (longer ones are cut at a character boundary). */
    static final int MAX_STRING_BYTES = 65_535;
    /** Stack frames kept per stack, and bytes per frame. */
    static final int MAX_STACK_FRAMES = 1024;
    static final int MAX_STACK_FRAME_BYTES = 4096;

    /** The 3-bit opcode field for {@code opcode}. */
    static int opcodeCode(int opcode) {
        return switch (opcode) {
            case Opcode.CONTINUATION -> 0;
            case Opcode.TEXT -> 1;
            case Opcode.BINARY -> 2;
            case Opcode.CLOSE -> 3;
            case Opcode.PING -> 4;
            case Opcode.PONG -> 5;
            default -> OPCODE_BYTE;
        };
    }

    /**
     * The header size a scanner reports for such a frame: RFC 6455, 2 + the minimal length form (the 16-bit form for
     * a non-minimal length under 126, else the 64-bit form) + 4 when masked; hixie-76, 1 for a text frame, else 1 + the
     * minimal count of 7-bit length groups.
     */
    static int headerSize(boolean hixie, int opcode, boolean masked, long length, boolean nonMinimal, boolean overflow) {
        if (hixie) {
            if (opcode == Opcode.TEXT) {
                return 1;
            }
            return 1 + (length <= 0 ? 1 : (70 - Long.numberOfLeadingZeros(length)) / 7);
        }
        int extended;
        if (overflow) {
            extended = 8;
        } else if (nonMinimal) {
            extended = length >= 0 && length < 126 ? 2 : 8;
        } else {
            extended = length >= 0 && length <= 125 ? 0 : length >= 0 && length <= 0xFFFF ? 2 : 8;
        }
        return 2 + extended + (masked ? 4 : 0);
    }

    /** The Close payload a scanner keeps: min(length, 125) for an RFC 6455 Close with a sane length, else nothing. */
    static int closeLength(boolean hixie, int opcode, long length, boolean overflow) {
        if (hixie || overflow || opcode != Opcode.CLOSE || length <= 0) {
            return 0;
        }
        return (int) Math.min(length, Frame.MAX_CONTROL_PAYLOAD);
    }

    /** Where the next frame of this direction starts: after the header, the payload and (hixie-76 text) the 0xFF. */
    static long nextOffset(long offset, int headerSize, long length, boolean hixie, int opcode) {
        return offset + headerSize + length + (hixie && opcode == Opcode.TEXT ? 1 : 0);
    }

    /** Where the first frame after an opening-handshake head starts (the head starting at offset 0). */
    static long afterHead(int headBytes, boolean request, boolean hixieBody) {
        return (long) headBytes + (hixieBody ? (request ? 8 : 16) : 0);
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
