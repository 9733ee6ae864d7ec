package io.wstap.agent.tap;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The tap's connections, keyed by the identity of the JDK object that carries the bytes (a SocketChannelImpl, a
 * NioSocketImpl, an SSLEngine): looked up on every hooked call, so a look-up allocates nothing and takes no lock.
 *
 * <p>Open addressing over {@code System.identityHashCode} with weak keys: a channel dropped without close() is
 * collected and its entry is reclaimed (from {@link #expunge()}, which the writer thread calls), so the table never
 * holds an application object alive and never leaks. Inserts and removals take a lock; they happen once per
 * connection. The table grows when half full and never shrinks below its initial size.
 */
final class ConnectionTable {
    /** A key's entry: weak on the JDK object, strong on the tap's value for it. */
    static final class Entry extends WeakReference<Object> {
        final int hash;
        volatile Object value;

        Entry(Object key, int hash, Object value, ReferenceQueue<Object> queue) {
            super(key, queue);
            this.hash = hash;
            this.value = value;
        }
    }

    /** Marks a removed slot, so that probing continues past it. */
    private static final Entry TOMBSTONE = new Entry(null, 0, null, null);

    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final int initialCapacity;
    private volatile AtomicReferenceArray<Entry> slots;
    private int used;   // live entries + tombstones, under the lock
    private int live;   // under the lock

    ConnectionTable(int initialCapacity) {
        this.initialCapacity = Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1;
        this.slots = new AtomicReferenceArray<>(this.initialCapacity);
    }

    /** The value for {@code key}, or null. Lock-free, allocation-free. */
    Object get(Object key) {
        AtomicReferenceArray<Entry> s = slots;
        int mask = s.length() - 1;
        int i = spread(System.identityHashCode(key)) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            Entry e = s.get(i);
            if (e == null) {
                return null;
            }
            if (e != TOMBSTONE && e.get() == key) {
                return e.value;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /** Sets the value for {@code key} (insert or replace). */
    synchronized void put(Object key, Object value) {
        int hash = spread(System.identityHashCode(key));
        AtomicReferenceArray<Entry> s = slots;
        int mask = s.length() - 1;
        int i = hash & mask;
        int firstFree = -1;
        for (int probes = 0; probes <= mask; probes++) {
            Entry e = s.get(i);
            if (e == null) {
                break;
            }
            if (e == TOMBSTONE || e.get() == null) {
                if (firstFree < 0) {
                    firstFree = i;
                }
            } else if (e.get() == key) {
                e.value = value;
                return;
            }
            i = (i + 1) & mask;
        }
        int at = firstFree >= 0 ? firstFree : i;
        Entry old = s.get(at);
        if (old == null) {
            used++;
        } else if (old != TOMBSTONE) {
            live--; // a collected entry taken over
        }
        s.set(at, new Entry(key, hash, value, collected));
        live++;
        if (used * 2 > s.length()) {
            rehash(live * 4 > s.length() ? s.length() * 2 : s.length());
        }
    }

    /**
     * Sets {@code key}'s value to {@code value} if it is still {@code expected} (null = absent); returns the value in
     * the table afterwards. Two threads meeting a new connection at once agree on one value this way.
     */
    synchronized Object replaceIf(Object key, Object expected, Object value) {
        Object current = get(key);
        if (current != expected) {
            return current;
        }
        put(key, value);
        return value;
    }

    /** Removes {@code key}; returns its value or null. */
    synchronized Object remove(Object key) {
        AtomicReferenceArray<Entry> s = slots;
        int mask = s.length() - 1;
        int i = spread(System.identityHashCode(key)) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            Entry e = s.get(i);
            if (e == null) {
                return null;
            }
            if (e != TOMBSTONE && e.get() == key) {
                s.set(i, TOMBSTONE);
                live--;
                Object v = e.value;
                e.clear();
                return v;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /**
     * Drops entries whose key was garbage-collected; returns their values so the caller can end those connections.
     * Called by the writer thread, never on an application thread.
     */
    synchronized java.util.List<Object> expunge() {
        Object first = collected.poll();
        if (first == null && (slots.length() == initialCapacity || live * 8 >= slots.length())) {
            return java.util.List.of(); // the writer calls this after every drain: nothing to allocate
        }
        java.util.List<Object> ended = new java.util.ArrayList<>();
        for (Object ref = first; ref != null; ref = collected.poll()) {
            Entry dead = (Entry) ref;
            if (dead.value != null) {
                ended.add(dead.value); // even if a rehash or an insert already dropped its slot
            }
            AtomicReferenceArray<Entry> s = slots;
            int mask = s.length() - 1;
            int i = dead.hash & mask;
            for (int probes = 0; probes <= mask; probes++) {
                Entry e = s.get(i);
                if (e == null) {
                    break;
                }
                if (e == dead) {
                    s.set(i, TOMBSTONE);
                    live--;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        if (slots.length() > initialCapacity && live * 8 < slots.length()) {
            rehash(Math.max(initialCapacity, slots.length() / 2));
        }
        return ended;
    }

    /** Live entries (for tests and the capture's statistics). */
    synchronized int size() {
        return live;
    }

    /** Slots allocated (for the memory bound). */
    int capacity() {
        return slots.length();
    }

    private void rehash(int capacity) {
        AtomicReferenceArray<Entry> old = slots;
        AtomicReferenceArray<Entry> s = new AtomicReferenceArray<>(capacity);
        int mask = capacity - 1;
        int n = 0;
        for (int k = 0; k < old.length(); k++) {
            Entry e = old.get(k);
            if (e == null || e == TOMBSTONE || e.get() == null) {
                continue;
            }
            int i = e.hash & mask;
            while (s.get(i) != null) {
                i = (i + 1) & mask;
            }
            s.set(i, e);
            n++;
        }
        live = n;
        used = n;
        slots = s; // readers see the old or the new array; both are consistent for them
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
