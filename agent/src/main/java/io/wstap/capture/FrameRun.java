package io.wstap.capture;

import io.wstap.engine.Endpoint;
import io.wstap.wire.Frame;

/**
 * One connection's data frames, encoded by the application thread that saw them as a complete data block payload
 * (docs/capture-format.md: kind {@code 'D'}, base time, records, the connection in slot 0), which the writer thread
 * then writes out as one block without looking inside: the block format is the file's, only who encodes it differs.
 *
 * <p>Why: on a server busy with small messages, handing every frame to the writer as a ring record cost about as much
 * again as seeing it (the record's cache line, the writer reading it back, decoding and encoding it). Appending a few
 * bytes to a buffer the connection already touches costs a fraction of that, and the writer's work per frame becomes
 * a copy. Used for busy connections only ({@code io.wstap.agent.tap.TapConnection}): a block per run has a 25-byte
 * header, which a run of many frames pays off and a run of one would not.
 *
 * <p>Owned by the connection's tap (under its lock) until handed over, then by the writer until {@link #recycle}d.
 * Allocates nothing after construction.
 */
public final class FrameRun {
    /** Payload bytes a run holds: about a hundred small frames. */
    public static final int CAPACITY = 1024;
    /** The most a data frame's record takes: tag, extension bits, reference and id, time, length, key, offset. */
    private static final int MAX_DATA_RECORD = 1 + 2 + 11 + 10 + 10 + 4 + 1 + 10 + 5;

    final byte[] bytes = new byte[CAPACITY];
    /** Payload bytes written; 0 = empty. */
    int length;
    long id;
    long lastTime;
    private long prevTime;
    private final long[] next = new long[2];
    private int predicted;
    private int frames;
    private long framesIn, framesOut, bytesIn, bytesOut;
    /** Handed to the writer and not yet written: the tap fills the connection's other run meanwhile. */
    private volatile boolean inFlight;

    /**
     * Appends data frame {@code f} (no Close payload, no stack) of connection {@code id}; false when it does not fit
     * (hand this run over first).
     */
    public boolean append(long id, long time, Endpoint sender, Frame f) {
        if (length == 0) {
            this.id = id;
            bytes[0] = Format.KIND_DATA;
            Format.putLong(bytes, 1, time);
            length = Format.DATA_PREFIX;
            prevTime = time;
            predicted = 0;
            frames = 0;
            framesIn = framesOut = bytesIn = bytesOut = 0;
        } else if (length + MAX_DATA_RECORD > CAPACITY) {
            return false;
        }
        boolean remote = sender == Endpoint.REMOTE;
        int d = remote ? 1 : 0;
        long offset = f.offset();
        boolean offsetPredicted = (predicted & 1 << d) != 0 && next[d] == offset;
        // Slot 0 is this connection: named by id in the first record, by reference 1 after it.
        length = Format.frameRecord(bytes, length, f, remote, frames == 0 ? 0 : 1, id, time - prevTime,
                offsetPredicted, -1);
        prevTime = time;
        lastTime = time;
        next[d] = Format.nextOffset(offset, f.headerSize(), f.payloadLength(), f.hixie(), f.opcode());
        predicted |= 1 << d;
        frames++;
        if (remote) {
            framesIn++;
            bytesIn += f.payloadLength();
        } else {
            framesOut++;
            bytesOut += f.payloadLength();
        }
        return true;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    public int frames() {
        return frames;
    }

    public long connectionId() {
        return id;
    }

    /** The time of its last frame. */
    public long lastTime() {
        return lastTime;
    }

    public boolean inFlight() {
        return inFlight;
    }

    /** The tap gives it to the writer (through the ring); it fills the other run, or records frames singly, meanwhile. */
    public void handOver() {
        inFlight = true;
    }

    /** Writer thread, once the run is written (or dropped): empty, and the tap's to fill again. */
    public void recycle() {
        length = 0;
        inFlight = false; // last: publishes the reset to the tap's next look
    }

    public long framesIn() {
        return framesIn;
    }

    public long framesOut() {
        return framesOut;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public long bytesOut() {
        return bytesOut;
    }

    /** Its frames as {@link CaptureSink#frame} events, decoded from the bytes (for sinks other than the writer). */
    void replay(CaptureSink sink) {
        CaptureReader.decodeRun(bytes, length, sink);
    }
}
