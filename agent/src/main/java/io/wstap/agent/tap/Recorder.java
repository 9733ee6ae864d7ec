package io.wstap.agent.tap;

import io.wstap.capture.CaptureSink;
import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The bounded ring between application threads (many producers) and the writer thread (one consumer).
 *
 * <p>A record is one or more 64-byte slots of {@code long}s (a Close frame's payload takes two more), plus an object
 * reference for the rare records that carry one (a handshake head, addresses, a stack). Producers claim slots with
 * one CAS and never wait: when the ring is full the record is dropped and counted, and the writer reports the count
 * in the capture. No allocation on the producer side; the consumer turns slots back into {@link CaptureSink} calls.
 *
 * <p>Slot layout: {@code [0]} kind | endpoint << 8 | slots << 16, {@code [1]} connection id, {@code [2]} time,
 * {@code [3..7]} per kind (see the {@code put*} methods).
 */
final class Recorder {
    static final int SLOT_LONGS = 8;
    // Enum constants by ordinal, copied once: Enum.values() clones its array on every call.
    private static final Endpoint[] ENDPOINTS = Endpoint.values();
    private static final Transport[] TRANSPORTS = Transport.values();
    private static final Role[] ROLES = Role.values();
    private static final Protocol[] PROTOCOLS = Protocol.values();
    private static final TcpEnd[] TCP_ENDS = TcpEnd.values();
    private static final int CONNECTION = 1, JOINED = 2, HANDSHAKE = 3, FRAME = 4, INVALID_TEXT = 5, TCP_CLOSED = 6,
            STACK = 7, TAP_ERRORS = 8;

    /** The writer frees each slot with a release store: ordered after its reads, without a fence per record. */
    private static final java.lang.invoke.VarHandle TAIL;

    static {
        try {
            TAIL = java.lang.invoke.MethodHandles.lookup().findVarHandle(Recorder.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the capture keeps of a Close reason (the live engine always sees it whole). */
    enum Reasons { KEEP, HASH, DROP }

    private final Reasons reasons;
    private final int capacity;
    private final int mask;
    private final long[] data;
    private final Object[] refs;
    /** Sequence number of the record starting at each slot, set last: the consumer's "published" signal. */
    private final AtomicLongArray published;
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

    Recorder(int slots, Reasons reasons) {
        this.reasons = reasons;
        capacity = Integer.highestOneBit(Math.max(64, slots - 1)) << 1;
        mask = capacity - 1;
        data = new long[capacity * SLOT_LONGS];
        refs = new Object[capacity];
        published = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            published.set(i, -1);
        }
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

    int capacity() {
        return capacity;
    }

    /** Before start: the thread that drains this ring, to be woken when it fills faster than the writer's pace. */
    void wakeWhenHalfFull(Thread writerThread) {
        writer = writerThread;
    }

    /** Writer thread only: sleeps up to {@code nanos}, or until a producer finds the ring half full. */
    void writerParks(long nanos) {
        writerAsleep = true;
        if (head.get() - tail <= capacity >> 1) {
            java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        }
        writerAsleep = false;
    }

    /**
     * Claims {@code n} consecutive slots; returns the first sequence, or -1 (full: dropped and counted). Never waits:
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
                    java.util.concurrent.locks.LockSupport.unpark(writer);
                }
                return h;
            }
        }
    }

    private int base(long seq) {
        return (int) (seq & mask) * SLOT_LONGS;
    }

    private void publish(long seq) {
        published.lazySet((int) (seq & mask), seq);
    }

    private long start(int kind, Endpoint e, int slots, long id, long time, long seq) {
        int b = base(seq);
        data[b] = kind | (long) (e == null ? 0 : e.ordinal() + 1) << 8 | (long) slots << 16;
        data[b + 1] = id;
        data[b + 2] = time;
        return b;
    }

    void putConnection(long id, long time, String local, String remote, Transport transport) {
        long seq = claim(1);
        if (seq >= 0) {
            long b = start(CONNECTION, null, 1, id, time, seq);
            data[(int) b + 3] = transport.ordinal();
            refs[(int) (seq & mask)] = new String[] {local, remote};
            publish(seq);
        }
    }

    void putJoined(long id, long time, Role localRole, Protocol protocol) {
        long seq = claim(1);
        if (seq >= 0) {
            long b = start(JOINED, null, 1, id, time, seq);
            data[(int) b + 3] = localRole == null ? -1 : localRole.ordinal();
            data[(int) b + 4] = protocol.ordinal();
            publish(seq);
        }
    }

    void putHandshake(long id, long time, Endpoint sender, HttpHead head) {
        long seq = claim(1);
        if (seq >= 0) {
            start(HANDSHAKE, sender, 1, id, time, seq);
            refs[(int) (seq & mask)] = head;
            publish(seq);
        }
    }

    /** A frame: header fields in one slot, a Close payload in two more. */
    void putFrame(long id, long time, Endpoint sender, Frame f, int stackId) {
        int closeLen = f.closePayloadLength();
        byte[] redacted = null;
        if (closeLen > 2 && reasons != Reasons.KEEP) {
            redacted = redact(f, closeLen); // Close frames only: allocating here costs nothing per data frame
            closeLen = redacted.length;
        }
        int slots = closeLen == 0 ? 1 : 3;
        long seq = claim(slots);
        if (seq < 0) {
            return;
        }
        int b = (int) start(FRAME, sender, slots, id, time, seq);
        data[b + 3] = (f.fin() ? 1L : 0) | (f.masked() ? 2L : 0) | (f.nonMinimalLength() ? 4L : 0)
                | (f.lengthOverflow() ? 8L : 0) | (f.hixie() ? 16L : 0) | (long) f.rsv() << 8 | (long) f.opcode() << 16
                | (long) f.headerSize() << 24 | (long) closeLen << 32;
        data[b + 4] = f.payloadLength();
        data[b + 5] = (f.maskKey() & 0xFFFFFFFFL) | (long) stackId << 32;
        data[b + 6] = f.offset();
        for (int k = 0; k < closeLen; k += 8) {
            long word = 0;
            for (int j = 0; j < 8 && k + j < closeLen; j++) {
                int octet = redacted != null ? redacted[k + j] & 0xFF : f.closePayloadByte(k + j);
                word |= (long) octet << (8 * j);
            }
            // Continuation slots follow the first; the ring wraps at slot granularity.
            int slot = 1 + (k / 8) / SLOT_LONGS;
            data[base(seq + slot) + (k / 8) % SLOT_LONGS] = word;
        }
        publish(seq);
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
        long seq = claim(1);
        if (seq >= 0) {
            long b = start(INVALID_TEXT, sender, 1, id, time, seq);
            data[(int) b + 3] = offset;
            publish(seq);
        }
    }

    void putTcpClosed(long id, long time, Endpoint endpoint, TcpEnd how, int stackId) {
        long seq = claim(1);
        if (seq >= 0) {
            long b = start(TCP_CLOSED, endpoint, 1, id, time, seq);
            data[(int) b + 3] = how.ordinal() | (long) stackId << 32;
            publish(seq);
        }
    }

    /** Declares an interned stack; returns false when dropped (the stack id must then not be used). */
    boolean putStack(int stackId, List<String> frames) {
        long seq = claim(1);
        if (seq < 0) {
            return false;
        }
        long b = start(STACK, null, 1, 0, 0, seq);
        data[(int) b + 3] = stackId;
        refs[(int) (seq & mask)] = frames;
        publish(seq);
        return true;
    }

    void putTapErrors(long id, long time, long count) {
        long seq = claim(1);
        if (seq >= 0) {
            long b = start(TAP_ERRORS, null, 1, id, time, seq);
            data[(int) b + 3] = count;
            publish(seq);
        }
    }

    /**
     * Writer thread only: hands every published record to {@code sink}, in order; returns how many were drained.
     * {@code frame} is the writer's reused view.
     */
    @SuppressWarnings("unchecked")
    int drain(CaptureSink sink, Frame frame, byte[] closeScratch) {
        int n = 0;
        long t = tail;
        long fIn = 0, fOut = 0, bIn = 0, bOut = 0;
        while (published.get((int) (t & mask)) == t) {
            int b = base(t);
            long word0 = data[b];
            int kind = (int) (word0 & 0xFF);
            int e = (int) (word0 >>> 8 & 0xFF);
            Endpoint endpoint = e == 0 ? null : ENDPOINTS[e - 1];
            int slots = (int) (word0 >>> 16 & 0xFF);
            long id = data[b + 1];
            long time = data[b + 2];
            int ri = (int) (t & mask);
            Object ref = refs[ri];
            if (ref != null) {
                refs[ri] = null; // frames carry none: no store, so the refs line stays clean
            }
            switch (kind) {
                case CONNECTION -> {
                    String[] addresses = (String[]) ref;
                    sink.connection(id, time, addresses[0], addresses[1], TRANSPORTS[(int) data[b + 3]]);
                }
                case JOINED -> {
                    int role = (int) data[b + 3];
                    sink.joinedMidStream(id, time, role < 0 ? null : ROLES[role],
                            PROTOCOLS[(int) data[b + 4]]);
                }
                case HANDSHAKE -> sink.handshake(id, time, endpoint, (HttpHead) ref);
                case FRAME -> {
                    long bits = data[b + 3];
                    int closeLen = (int) (bits >>> 32 & 0xFF);
                    for (int k = 0; k < closeLen; k++) {
                        int word = k / 8;
                        int slot = 1 + word / SLOT_LONGS;
                        closeScratch[k] = (byte) (data[base(t + slot) + word % SLOT_LONGS] >>> (8 * (k % 8)));
                    }
                    frame.set((bits & 1) != 0, (int) (bits >>> 8 & 7), (int) (bits >>> 16 & 0xF), (bits & 2) != 0,
                            (int) data[b + 5], data[b + 4], (int) (bits >>> 24 & 0xFF), data[b + 6], (bits & 4) != 0,
                            (bits & 8) != 0, (bits & 16) != 0, closeScratch, 0, closeLen);
                    sink.frame(id, time, endpoint, frame, (int) (data[b + 5] >> 32));
                    if (endpoint == Endpoint.LOCAL) {
                        fOut++;
                        bOut += frame.payloadLength();
                    } else {
                        fIn++;
                        bIn += frame.payloadLength();
                    }
                }
                case INVALID_TEXT -> sink.invalidText(id, time, endpoint, data[b + 3]);
                case TCP_CLOSED -> sink.tcpClosed(id, time, endpoint, TCP_ENDS[(int) (data[b + 3] & 0xFF)],
                        (int) (data[b + 3] >> 32));
                case STACK -> sink.stack((int) data[b + 3], (List<String>) ref);
                case TAP_ERRORS -> sink.tapErrors(time, id, data[b + 3]);
                default -> { }
            }
            t += slots;
            TAIL.setRelease(this, t); // frees the slots for producers
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
