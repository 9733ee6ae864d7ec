package io.wstap.analyzer.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Walks a JFR file's framing the way the JDK's parser will (chunk headers, each chunk's events by their size fields,
 * the constant-pool chain) and finds what would make that parser wait or loop for ever instead of throwing. The JDK's
 * {@code RecordingFile} is also a live reader and trusts the framing: a chunk still being written makes it wait for the
 * rest, a negative event size makes {@code ChunkParser.readEvent} jump back and loop (both found by JfrFuzzTest), a
 * constant-pool chain that points back at itself makes it walk for ever. A thread stuck in the JDK's parser cannot be
 * stopped, so these are refused before the parser starts. Everything else, damage the parser throws for, is left to it.
 *
 * <p>Cost: one pass over the event headers (two varints per event), no payload decoded; the file is read through a
 * 64 KiB window, so a recording of any size is checked in bounded memory.
 */
final class JfrFraming {
    static final int MAGIC = 0x464C5200; // "FLR\0"
    static final int HEADER_SIZE = 68;
    /** A chunk header's state byte: 0 finished, else still being written (0xff: the header itself being rewritten). */
    static final int STATE_POSITION = 64;
    static final long CONSTANT_POOL_TYPE = 1;

    /** Random access to the input's bytes. */
    interface Bytes {
        long size();

        /** The byte at {@code at} (0-255), or -1 past the end. */
        int get(long at) throws IOException;
    }

    /** Where and what: becomes "file: at byte N: what". */
    record Problem(long offset, String what) {
        InputException in(Path file) {
            return InputException.at(file, offset, what);
        }
    }

    private JfrFraming() {
    }

    /** Checks a file; null when the JDK's parser may be given it. An unreadable file is left to the parser to report. */
    static InputException check(Path file) {
        try (FileChannel ch = FileChannel.open(file)) {
            Problem p = check(new FileBytes(ch));
            return p == null ? null : p.in(file);
        } catch (IOException e) {
            return null;
        }
    }

    /** Checks bytes held in memory (the fuzzer's way in). */
    static Problem check(byte[] b) {
        try {
            return check(new Bytes() {
                @Override
                public long size() {
                    return b.length;
                }

                @Override
                public int get(long at) {
                    return at < b.length ? b[(int) at] & 0xFF : -1;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e); // an array cannot fail to read
        }
    }

    static Problem check(Bytes b) throws IOException {
        long size = b.size();
        for (long at = 0; at + HEADER_SIZE <= size; ) {
            if (int32(b, at) != MAGIC) {
                return null; // the parser throws for it
            }
            long chunk = int64(b, at + 8);
            int state = b.get(at + STATE_POSITION);
            if (state == 0xFF) {
                return new Problem(at + STATE_POSITION, "expected a finished JFR chunk header, found the state byte"
                        + " 0xff (a header being rewritten), which the JDK's parser would wait on");
            }
            boolean fits = chunk >= HEADER_SIZE && chunk <= size - at;
            if (state != 0 && !fits) {
                return new Problem(at + 8, "expected a finished JFR chunk, found one still being written (state "
                        + state + ") whose " + chunk + " bytes run past the end of the file (copy the recording once"
                        + " it is stopped, or use jcmd JFR.dump)");
            }
            if (!fits) {
                return null; // the parser throws for it
            }
            Problem p = events(b, at, at + chunk);
            if (p != null) {
                return p;
            }
            at += chunk;
        }
        return null;
    }

    /** One chunk's events, then its constant-pool chain. */
    private static Problem events(Bytes b, long chunkStart, long chunkEnd) throws IOException {
        long[] checkpoints = new long[8];
        int n = 0;
        long pos = chunkStart + HEADER_SIZE;
        long[] next = new long[1];
        while (pos < chunkEnd) {
            // ChunkParser.readEvent: size = (int) readLong(); ... position(pos + size). A negative size jumps back.
            int eventSize = (int) varint(b, pos, next);
            if (next[0] < 0) {
                return null; // cut inside a varint: the parser throws EOF
            }
            if (eventSize < 0) {
                return new Problem(pos, "expected a JFR event size, found " + eventSize + ", on which the JDK's parser"
                        + " would loop for ever (a damaged event)");
            }
            if (eventSize == 0) {
                return null; // the parser throws "Event can't have zero size"
            }
            long type = varint(b, next[0], next);
            if (next[0] < 0) {
                return null;
            }
            if (type == CONSTANT_POOL_TYPE) {
                if (n == checkpoints.length) {
                    checkpoints = Arrays.copyOf(checkpoints, n * 2);
                }
                checkpoints[n++] = pos; // ascending: the walk goes forward
            }
            pos += eventSize;
        }
        if (pos != chunkEnd) {
            return null; // the last event overruns the chunk: the parser stops there; no chain to trust
        }
        return chain(b, chunkStart, Arrays.copyOf(checkpoints, n));
    }

    /**
     * ChunkParser.fillConstantPools: from the header's offset, each checkpoint's delta leads to the previous one until a
     * delta of 0. A valid chain visits each checkpoint at most once, so a longer walk is a loop.
     */
    private static Problem chain(Bytes b, long chunkStart, long[] checkpoints) throws IOException {
        long cp = chunkStart + int64(b, chunkStart + 16);
        long[] next = new long[1];
        for (int steps = 0; ; steps++) {
            if (Arrays.binarySearch(checkpoints, cp) < 0) {
                return null; // not a checkpoint event: the parser throws "Expected check point event"
            }
            if (steps > checkpoints.length) {
                return new Problem(chunkStart + 16, "expected a chain of JFR constant pools that ends, found one that"
                        + " loops (a damaged checkpoint delta), which the JDK's parser would walk for ever");
            }
            long p = cp;
            for (int field = 0; field < 4 && p >= 0; field++) { // size, type, start time, duration
                varint(b, p, next);
                p = next[0];
            }
            long delta = p < 0 ? 0 : varint(b, p, next);
            if (p < 0 || next[0] < 0 || delta == 0) {
                return null;
            }
            cp += delta;
        }
    }

    /** JFR's compressed long (RecordingInput.readLong): 7 bits a byte, the 9th byte whole. next[0] = -1 if cut. */
    static long varint(Bytes b, long at, long[] next) throws IOException {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            int x = b.get(at + i);
            if (x < 0) {
                next[0] = -1;
                return 0;
            }
            value |= (long) (x & 0x7F) << (7 * i);
            if (x < 0x80) {
                next[0] = at + i + 1;
                return value;
            }
        }
        int last = b.get(at + 8);
        if (last < 0) {
            next[0] = -1;
            return 0;
        }
        next[0] = at + 9;
        return value | (long) last << 56;
    }

    private static int int32(Bytes b, long at) throws IOException {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | b.get(at + i);
        }
        return v;
    }

    private static long int64(Bytes b, long at) throws IOException {
        return (long) int32(b, at) << 32 | int32(b, at + 4) & 0xFFFFFFFFL;
    }

    /** A file through a 64 KiB window: events are walked forward, the chain steps back a few times per chunk. */
    private static final class FileBytes implements Bytes {
        private final FileChannel ch;
        private final long size;
        private final ByteBuffer window = ByteBuffer.allocate(1 << 16);
        private long windowStart = -1;
        private int windowLength;

        FileBytes(FileChannel ch) throws IOException {
            this.ch = ch;
            this.size = ch.size();
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public int get(long at) throws IOException {
            if (at < 0 || at >= size) {
                return -1;
            }
            if (windowStart < 0 || at < windowStart || at >= windowStart + windowLength) {
                window.clear();
                while (window.hasRemaining() && at + window.position() < size
                        && ch.read(window, at + window.position()) > 0) {
                    // positional reads until the window is full or the file ends
                }
                windowStart = at;
                windowLength = window.position();
                if (windowLength == 0) {
                    return -1;
                }
            }
            return window.get((int) (at - windowStart)) & 0xFF;
        }
    }
}
