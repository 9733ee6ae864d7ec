package io.wstap.agent.tap;

import io.wstap.capture.CaptureSink;
import io.wstap.capture.CaptureWriter;
import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded ring between application threads (many producers) and the writer thread (one consumer).
 *
 * <p>The ring is an array of {@code long} words. A record is a header word and the words that follow it, of a length
 * that depends on what it holds: a data frame takes 4 words (32 bytes), a Close frame a few more for its payload, so a
 * small message's record shares its cache line with its neighbours instead of filling a 64-byte slot of its own. Every
 * record is at least {@value #REF_GROUP} words long, so the records that carry an object (a handshake head, addresses,
 * a stack) keep it in {@code refs} at their start position / {@value #REF_GROUP}: two records never share an index.
 *
 * <p>Producers claim words with one CAS on {@code head} and never wait: when the ring is full the record is dropped
 * and counted, and the writer reports the count in the capture. A producer writes the body with plain stores and the
 * header last, with a release store: a non-zero header is the record's "published" signal, in the same cache line as
 * the record (no separate array of sequence numbers). The consumer zeroes every word it has read before it frees them
 * (a release store of {@code tail}), so a header position reads 0 until its next record is published. No allocation
 * on the producer side; the consumer turns records back into {@link CaptureSink} calls (into a capture file's writer,
 * a plain frame goes as its fields: {@link CaptureWriter#plainFrame}).
 *
 * <p>Header word: bits 0-4 the record's length in words (1-23, never 0), 5-8 its kind, 9-10 its endpoint (0 none,
 * 1 local, 2 remote), from bit 11 per kind (see the {@code put*} methods). Word 1 is the connection id, word 2 the
 * time, for every kind but STACK and PLAIN_FRAME (its id in the header from bit {@value #P_ID}, its time in word 1).
 */
final class Recorder {
    /** The unit of the {@code ring} option: 64 bytes, as many as a record took when every record had a slot of its own. */
    static final int OPTION_UNIT_WORDS = 8;
    /** The longest record: a frame with a long length, a stack id and a 125-byte Close payload (5 + 1 + 1 + 16). */
    static final int MAX_WORDS = 23;
    /** Every record is at least this many words long (see the class comment and the zeroing in {@link #drain}). */
    static final int REF_GROUP = 4;
    // Enum constants by ordinal, copied once: Enum.values() clones its array on every call.
    private static final Transport[] TRANSPORTS = Transport.values();
    private static final Role[] ROLES = Role.values();
    private static final Protocol[] PROTOCOLS = Protocol.values();
    private static final TcpEnd[] TCP_ENDS = TcpEnd.values();
    private static final int CONNECTION = 1, JOINED = 2, HANDSHAKE = 3, FRAME = 4, INVALID_TEXT = 5, TCP_CLOSED = 6,
            STACK = 7, TAP_ERRORS = 8, PLAIN_FRAME = 9;
    // Frame header bits, from bit 11. Payload length below 2^31 shares word 3 with the masking key, else takes a word.
    private static final int F_FIN = 11, F_MASKED = 12, F_NON_MINIMAL = 13, F_OVERFLOW = 14, F_HIXIE = 15,
            F_LONG_LENGTH = 16, F_STACK = 17, F_RSV = 18, F_OPCODE = 21, F_HEADER_SIZE = 25, F_CLOSE_LENGTH = 33;
    /**
     * A plain frame's connection id (below 2^31), in its header from this bit: a plain frame has no Close payload, so
     * the bits of its length are free, and all those above (see {@link #putFrame}).
     */
    private static final int P_ID = F_CLOSE_LENGTH;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    /** The writer frees words with a release store: ordered after its reads and its zeroing, without a fence. */
    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(Recorder.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the capture keeps of a Close reason (the live engine always sees it whole). */
    enum Reasons { KEEP, HASH, DROP }

    private final Reasons reasons;
    /** In words. */
    private final int capacity;
    private final int mask;
    private final long[] words;
    private final Object[] refs;
    private final AtomicLong head = new AtomicLong();
    private volatile long tail;
    private final AtomicLong dropped = new AtomicLong();
    /**
     * Frames and payload bytes drained, each way: written by the writer thread once per drain (plain counting in
     * locals per record), read by the JFR periodic hook. Nothing is counted on the application threads.
     */
    private volatile long framesIn, framesOut, bytesIn, bytesOut;
    /** The writer thread, woken by a producer that finds the ring half full while it sleeps between drains. */
    private Thread writer;
    /** The writer is parked between drains: set by it, cleared by the one producer that wakes it (rare). */
    private volatile boolean writerAsleep;

    /** {@code units} of 64 bytes (the agent's {@code ring} option), rounded up to a power of two, 64 at least. */
    Recorder(int units, Reasons reasons) {
        this.reasons = reasons;
        int rounded = Integer.highestOneBit(Math.max(64, units) - 1) << 1;
        capacity = rounded * OPTION_UNIT_WORDS;
        mask = capacity - 1;
        words = new long[capacity + MAX_WORDS];
        refs = new Object[capacity / REF_GROUP];
    }

    /** Records dropped because the ring was full, since the start. */
    long dropped() {
        return dropped.get();
    }

    long framesIn() {
        return framesIn;
    }

    long framesOut() {
        return framesOut;
    }

    long bytesIn() {
        return bytesIn;
    }

    long bytesOut() {
        return bytesOut;
    }

    /** Before start: the thread that drains this ring, to be woken when it fills faster than the writer's pace. */
    void wakeWhenHalfFull(Thread writerThread) {
        writer = writerThread;
    }

    /** Writer thread only: whether the ring is a quarter full or more (a drain should not wait for its time). */
    boolean quarterFull() {
        return head.get() - tail >= capacity >> 2;
    }

    /** Writer thread only: sleeps up to {@code nanos}, or until a producer finds the ring half full. */
    void writerParks(long nanos) {
        writerAsleep = true;
        if (head.get() - tail <= capacity >> 1) {
            LockSupport.parkNanos(nanos);
        }
        writerAsleep = false;
    }

    /**
     * Claims {@code n} consecutive words; returns the first position, or -1 (full: dropped and counted). Never waits:
     * a producer that finds the ring half full while the writer sleeps unparks it (no lock, no wait, once per sleep).
     */
    private long claim(int n) {
        while (true) {
            long h = head.get();
            long used = h + n - tail;
            if (used > capacity) {
                dropped.incrementAndGet();
                return -1;
            }
            if (head.compareAndSet(h, h + n)) {
                if (used > capacity >> 1 && writerAsleep) {
                    writerAsleep = false;
                    LockSupport.unpark(writer);
                }
                return h;
            }
        }
    }

    /**
     * A record's words are contiguous in the array: one that starts near the end runs on into {@value #MAX_WORDS} words
     * of slack past {@code capacity} instead of wrapping (those of its positions that would wrap stay unused for
     * that lap), so a record is read and written at {@code index + k} without a mask per word.
     */
    private void put(long pos, int word, long value) {
        words[((int) pos & mask) + word] = value;
    }

    /** The header, last: from here on the consumer may read the record. */
    private void publish(long pos, long header) {
        WORDS.setRelease(words, (int) pos & mask, header);
    }

    private static long header(int kind, int endpoint, int length) {
        return length | kind << 5 | endpoint << 9;
    }

    private static int endpoint(Endpoint e) {
        return e == Endpoint.LOCAL ? 1 : e == Endpoint.REMOTE ? 2 : 0; // compares references: no enum field read
    }

    /** Starts a record: claims its words and writes the id and the time; -1 when dropped. */
    private long start(int length, long id, long time) {
        long pos = claim(length);
        if (pos >= 0) {
            put(pos, 1, id);
            put(pos, 2, time);
        }
        return pos;
    }

    private void putRef(long pos, Object ref) {
        refs[((int) pos & mask) / REF_GROUP] = ref;
    }

    void putConnection(long id, long time, String local, String remote, Transport transport) {
        long pos = start(4, id, time);
        if (pos >= 0) {
            put(pos, 3, transport.ordinal());
            putRef(pos, new String[] {local, remote});
            publish(pos, header(CONNECTION, 0, 4));
        }
    }

    void putJoined(long id, long time, Role localRole, Protocol protocol) {
        long pos = start(4, id, time);
        if (pos >= 0) {
            put(pos, 3, (localRole == null ? -1L : localRole.ordinal()) << 8 | protocol.ordinal());
            publish(pos, header(JOINED, 0, 4));
        }
    }

    void putHandshake(long id, long time, Endpoint sender, HttpHead head) {
        long pos = start(REF_GROUP, id, time);
        if (pos >= 0) {
            putRef(pos, head);
            publish(pos, header(HANDSHAKE, endpoint(sender), REF_GROUP));
        }
    }

    /**
     * A frame. A plain one (what {@link CaptureWriter#plainFrame} takes: no Close payload, no stack, a minimal header,
     * a length below 2^31; every data frame of a well-behaved connection) takes 4 words, its connection id in the
     * header's free bits: on a busy server each record's words land in ring lines the core has not touched for a lap,
     * so 4 words instead of 5 are a fifth fewer of those per frame. This is the one place that decides what is plain;
     * the writer hands every other frame record to its sink through the view (a plain frame of a connection id of 2^31
     * or more too: correct, only slower, and ids count from 1). Else word 3 the masking key and a payload length
     * below 2^31 (else the length has word 4), then the offset, then the stack id if any, then a Close payload packed
     * 8 bytes to the word.
     */
    void putFrame(long id, long time, Endpoint sender, Frame f, int stackId) {
        long plainLength = f.payloadLength();
        if (stackId < 0 && f.opcode() != Opcode.CLOSE && plainLength <= Integer.MAX_VALUE && id >>> 31 == 0
                && !f.nonMinimalLength() && !f.lengthOverflow() && !f.hixie()) {
            long pos = claim(4);
            if (pos >= 0) {
                put(pos, 1, time);
                put(pos, 2, (f.maskKey() & 0xFFFFFFFFL) | plainLength << 32);
                put(pos, 3, f.offset());
                publish(pos, header(PLAIN_FRAME, endpoint(sender), 4) | frameBits(f) | id << P_ID);
            }
            return;
        }
        int closeLen = f.closePayloadLength();
        byte[] redacted = null;
        if (closeLen > 2 && reasons != Reasons.KEEP) {
            redacted = redact(f, closeLen); // Close frames only: allocating here costs nothing per data frame
            closeLen = redacted.length;
        }
        long payloadLength = f.payloadLength();
        boolean longLength = payloadLength > Integer.MAX_VALUE;
        boolean stack = stackId >= 0;
        int length = 5 + (longLength ? 1 : 0) + (stack ? 1 : 0) + (closeLen + 7) / 8;
        long pos = start(length, id, time);
        if (pos < 0) {
            return;
        }
        int w = 3;
        put(pos, w++, (f.maskKey() & 0xFFFFFFFFL) | (longLength ? 0 : payloadLength << 32));
        if (longLength) {
            put(pos, w++, payloadLength);
        }
        put(pos, w++, f.offset());
        if (stack) {
            put(pos, w++, stackId);
        }
        for (int k = 0; k < closeLen; k += 8) {
            long word = 0;
            for (int j = 0; j < 8 && k + j < closeLen; j++) {
                int octet = redacted != null ? redacted[k + j] & 0xFF : f.closePayloadByte(k + j);
                word |= (long) octet << (8 * j);
            }
            put(pos, w++, word);
        }
        publish(pos, header(FRAME, endpoint(sender), length) | frameBits(f)
                | (f.nonMinimalLength() ? 1L << F_NON_MINIMAL : 0) | (f.lengthOverflow() ? 1L << F_OVERFLOW : 0)
                | (f.hixie() ? 1L << F_HIXIE : 0) | (longLength ? 1L << F_LONG_LENGTH : 0) | (stack ? 1L << F_STACK : 0)
                | (long) closeLen << F_CLOSE_LENGTH);
    }

    /** The header bits of every frame record, plain or not: FIN, MASK, RSV, the opcode and the header's size. */
    private static long frameBits(Frame f) {
        return (f.fin() ? 1L << F_FIN : 0) | (f.masked() ? 1L << F_MASKED : 0) | (long) f.rsv() << F_RSV
                | (long) f.opcode() << F_OPCODE | (long) f.headerSize() << F_HEADER_SIZE;
    }

    /** The Close payload with its reason dropped, or replaced by "sha256:" and 16 hex digits of its digest. */
    private byte[] redact(Frame f, int closeLen) {
        if (reasons == Reasons.DROP) {
            return new byte[] {(byte) f.closePayloadByte(0), (byte) f.closePayloadByte(1)};
        }
        byte[] reason = new byte[closeLen - 2];
        for (int i = 0; i < reason.length; i++) {
            reason[i] = (byte) f.closePayloadByte(2 + i);
        }
        String digest;
        try {
            byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(reason);
            digest = java.util.HexFormat.of().formatHex(sha, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            digest = "unavailable";
        }
        byte[] text = ("sha256:" + digest).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[2 + text.length];
        out[0] = (byte) f.closePayloadByte(0);
        out[1] = (byte) f.closePayloadByte(1);
        System.arraycopy(text, 0, out, 2, text.length);
        return out;
    }

    void putInvalidText(long id, long time, Endpoint sender, long offset) {
        long pos = start(4, id, time);
        if (pos >= 0) {
            put(pos, 3, offset);
            publish(pos, header(INVALID_TEXT, endpoint(sender), 4));
        }
    }

    void putTcpClosed(long id, long time, Endpoint endpoint, TcpEnd how, int stackId) {
        long pos = start(4, id, time);
        if (pos >= 0) {
            put(pos, 3, how.ordinal() | (long) stackId << 32);
            publish(pos, header(TCP_CLOSED, endpoint(endpoint), 4));
        }
    }

    /** Declares an interned stack; returns false when dropped (the stack id must then not be used). */
    boolean putStack(int stackId, List<String> frames) {
        long pos = claim(REF_GROUP);
        if (pos < 0) {
            return false;
        }
        put(pos, 1, stackId);
        putRef(pos, frames);
        publish(pos, header(STACK, 0, REF_GROUP));
        return true;
    }

    void putTapErrors(long id, long time, long count) {
        long pos = start(4, id, time);
        if (pos >= 0) {
            put(pos, 3, count);
            publish(pos, header(TAP_ERRORS, 0, 4));
        }
    }

    private long word(long pos, int word) {
        return words[((int) pos & mask) + word];
    }

    /**
     * A plain frame to {@code sink}: a capture file's writer takes it as fields (no view to fill, no tests for rare
     * cases), any other sink through the writer's view.
     */
    private static void plainFrame(CaptureSink sink, Frame view, long id, long time, Endpoint endpoint, long header,
                                   int maskKey, long payloadLength, long offset) {
        if (sink instanceof CaptureWriter file) {
            file.plainFrame(id, time, endpoint, bit(header, F_FIN), (int) (header >>> F_RSV & 7),
                    (int) (header >>> F_OPCODE & 0xF), bit(header, F_MASKED), maskKey, payloadLength, offset);
        } else {
            sink.frame(id, time, endpoint, view(view, header, maskKey, payloadLength, offset, null, 0), -1);
        }
    }

    /**
     * {@code view} set from a frame record's header bits (the ones {@link #frameBits} and the rare forms' flags put
     * there; a plain frame's record has none of the latter) and its other fields.
     */
    private static Frame view(Frame view, long header, int maskKey, long payloadLength, long offset, byte[] close,
                              int closeLength) {
        return view.set(bit(header, F_FIN), (int) (header >>> F_RSV & 7), (int) (header >>> F_OPCODE & 0xF),
                bit(header, F_MASKED), maskKey, payloadLength, (int) (header >>> F_HEADER_SIZE & 0xFF), offset,
                bit(header, F_NON_MINIMAL), bit(header, F_OVERFLOW), bit(header, F_HIXIE), close, 0, closeLength);
    }

    private static boolean bit(long header, int bit) {
        return (header & 1L << bit) != 0;
    }

    /**
     * Writer thread only: hands every published record to {@code sink}, in order; returns how many were drained.
     * {@code frame} is the writer's reused view; a capture file's writer gets plain frames without it
     * ({@link CaptureWriter#plainFrame}).
     */
    @SuppressWarnings("unchecked")
    int drain(CaptureSink sink, Frame frame, byte[] closeScratch) {
        int n = 0;
        long t = tail;
        long fIn = 0, fOut = 0, bIn = 0, bOut = 0;
        long header;
        while ((header = (long) WORDS.getAcquire(words, (int) t & mask)) != 0) {
            int length = (int) (header & 0x1F);
            int kind = (int) (header >>> 5 & 0xF);
            int e = (int) (header >>> 9 & 3);
            Endpoint endpoint = e == 0 ? null : e == 1 ? Endpoint.LOCAL : Endpoint.REMOTE;
            boolean plain = kind == PLAIN_FRAME; // its id is in the header, its time in word 1
            long id = plain ? header >>> P_ID : word(t, 1);
            long time = plain ? word(t, 1) : word(t, 2);
            long framePayload = -1; // a frame's payload length, for the counts
            Object ref = null;
            if (kind == CONNECTION || kind == HANDSHAKE || kind == STACK) {
                int ri = ((int) t & mask) / REF_GROUP;
                ref = refs[ri];
                refs[ri] = null;
            }
            switch (kind) {
                case PLAIN_FRAME -> {
                    long keyAndLength = word(t, 2);
                    framePayload = keyAndLength >>> 32;
                    plainFrame(sink, frame, id, time, endpoint, header, (int) keyAndLength, framePayload, word(t, 3));
                }
                case CONNECTION -> {
                    String[] addresses = (String[]) ref;
                    sink.connection(id, time, addresses[0], addresses[1], TRANSPORTS[(int) word(t, 3)]);
                }
                case JOINED -> {
                    long w = word(t, 3);
                    int role = (int) (w >> 8);
                    sink.joinedMidStream(id, time, role < 0 ? null : ROLES[role], PROTOCOLS[(int) (w & 0xFF)]);
                }
                case HANDSHAKE -> sink.handshake(id, time, endpoint, (HttpHead) ref);
                case FRAME -> {
                    long keyAndLength = word(t, 3);
                    int w = 4;
                    long payloadLength = bit(header, F_LONG_LENGTH) ? word(t, w++) : keyAndLength >>> 32;
                    long offset = word(t, w++);
                    // Not plain (putFrame decides, once): through the view, the rare forms and all.
                    int stackId = bit(header, F_STACK) ? (int) word(t, w++) : -1;
                    int closeLen = (int) (header >>> F_CLOSE_LENGTH & 0xFF);
                    for (int k = 0; k < closeLen; k++) {
                        closeScratch[k] = (byte) (word(t, w + k / 8) >>> (8 * (k % 8)));
                    }
                    sink.frame(id, time, endpoint, view(frame, header, (int) keyAndLength, payloadLength, offset,
                            closeScratch, closeLen), stackId);
                    framePayload = payloadLength;
                }
                case INVALID_TEXT -> sink.invalidText(id, time, endpoint, word(t, 3));
                case TCP_CLOSED -> {
                    long w = word(t, 3);
                    sink.tcpClosed(id, time, endpoint, TCP_ENDS[(int) (w & 0xFF)], (int) (w >> 32));
                }
                case STACK -> sink.stack((int) id, (List<String>) ref);
                case TAP_ERRORS -> sink.tapErrors(time, id, word(t, 3));
                default -> { }
            }
            if (framePayload >= 0) {
                if (e == 1) {
                    fOut++;
                    bOut += framePayload;
                } else {
                    fIn++;
                    bIn += framePayload;
                }
            }
            // Zeroed before they are freed: a header position reads 0 until its next record is published.
            // Every record has 4 words at least; written out, as a loop here cost more than the rest of the drain.
            int at = (int) t & mask;
            words[at] = 0;
            words[at + 1] = 0;
            words[at + 2] = 0;
            words[at + 3] = 0;
            if (length > 4) {
                words[at + 4] = 0;
                for (int k = at + 5; k < at + length; k++) {
                    words[k] = 0;
                }
            }
            t += length;
            TAIL.setRelease(this, t);
            n++;
        }
        if (n > 0) {
            framesIn += fIn; // one writer: the read-modify-write of a volatile is safe here
            framesOut += fOut;
            bytesIn += bIn;
            bytesOut += bOut;
        }
        return n;
    }
}
