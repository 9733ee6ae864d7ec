package io.wstap.agent.tap;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark-only (agent option {@code copyTap=true}): the cost of tapping the way a packet tool does, measured at the
 * same hooks as wstap's in-place scan. Every byte a socket hook sees is copied into one shared ring, which wraps and
 * is never read. docs/benchmarks.md compares it with the real tap.
 */
final class CopyTap {
    private final byte[] ring;
    private final AtomicLong cursor = new AtomicLong();

    CopyTap(int bytes) {
        ring = new byte[Integer.highestOneBit(bytes)];
    }

    void copy(ByteBuffer buf, byte[] array, int from, int to) {
        int len = to - from;
        int mask = ring.length - 1;
        int at = (int) (cursor.getAndAdd(len) & mask);
        while (len > 0) {
            int n = Math.min(len, ring.length - at);
            if (array != null) {
                System.arraycopy(array, from, ring, at, n);
            } else {
                buf.get(from, ring, at, n); // absolute: the application's position is untouched
            }
            from += n;
            len -= n;
            at = 0;
        }
    }
}
