package io.wstap.agent.tap;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

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
    /**
     * A key's entry: weak on the JDK object, strong on the tap's value for it. A tapped connection is its own entry
     * ({@link TapConnection} extends this, {@link #value} is itself), as is a TLS channel's link to its engine
     * ({@link Tap.TlsLink}): every hooked call looks its connection up, and on a busy server each object on that path
     * is a cache miss, so the path is slot, then connection.
     */
    static class Entry extends WeakReference<Object> {
        final int hash;
        volatile Object value;

        private Entry(Object key, int hash, Object value, ReferenceQueue<Object> queue) {
            super(key, queue);
            this.hash = hash;
            this.value = value;
        }

        /** An entry that is its own value, for {@code key} in {@code table} (put it with {@link #put}). */
        Entry(Object key, ConnectionTable table) {
            super(key, table.collected);
            this.hash = spread(System.identityHashCode(key));
            this.value = this;
        }
    }

    /** Marks a removed slot, so that probing continues past it. */
    private static final Entry TOMBSTONE = new Entry(null, 0, null, null);

    /**
     * Acquire/release access to the slots: a plain array read through a VarHandle rather than an AtomicReferenceArray,
     * which would put one more dependent load (its inner array) before every look-up.
     */
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Entry[].class);

    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final int initialCapacity;
    private volatile Entry[] slots;
    private int used;   // live entries + tombstones, under the lock
    private int live;   // under the lock

    ConnectionTable(int initialCapacity) {
        this.initialCapacity = Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1;
        this.slots = new Entry[this.initialCapacity];
    }

    /** The value for {@code key}, or null. Lock-free, allocation-free. */
    Object get(Object key) {
        Entry[] s = slots;
        int mask = s.length - 1;
        int i = spread(System.identityHashCode(key)) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            Entry e = at(s, i);
            if (e == null) {
                return null;
            }
            // refersTo, not get() == key: a comparison, without get()'s keep-alive barrier for the referent
            if (e != TOMBSTONE && e.refersTo(key)) {
                return e.value;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /** Sets the value for {@code key} (insert or replace). */
    synchronized void put(Object key, Object value) {
        int hash = spread(System.identityHashCode(key));
        Entry[] s = slots;
        int mask = s.length - 1;
        int i = hash & mask;
        int firstFree = -1;
        for (int probes = 0; probes <= mask; probes++) {
            Entry e = at(s, i);
            if (e == null) {
                break;
            }
            if (e == TOMBSTONE || e.refersTo(null)) {
                if (firstFree < 0) {
                    firstFree = i;
                }
            } else if (e.refersTo(key)) {
                if (value instanceof Entry || e.value == e) {
                    SLOT.setRelease(s, i, entryFor(key, hash, value)); // an entry that is (or was) its own value: swapped whole
                    e.clear(); // not reported as collected later
                } else {
                    e.value = value;
                }
                return;
            }
            i = (i + 1) & mask;
        }
        int free = firstFree >= 0 ? firstFree : i;
        Entry old = at(s, free);
        if (old == null) {
            used++;
        } else if (old != TOMBSTONE) {
            live--; // a collected entry taken over
        }
        SLOT.setRelease(s, free, entryFor(key, hash, value));
        live++;
        if (used * 2 > s.length) {
            rehash(live * 4 > s.length ? s.length * 2 : s.length);
        }
    }

    /** {@code value} itself when it is an entry (made for {@code key}), else a new entry holding it. */
    private Entry entryFor(Object key, int hash, Object value) {
        return value instanceof Entry own ? own : new Entry(key, hash, value, collected);
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
        Entry[] s = slots;
        int mask = s.length - 1;
        int i = spread(System.identityHashCode(key)) & mask;
        for (int probes = 0; probes <= mask; probes++) {
            Entry e = at(s, i);
            if (e == null) {
                return null;
            }
            if (e != TOMBSTONE && e.refersTo(key)) {
                SLOT.setRelease(s, i, TOMBSTONE);
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
        if (first == null && (slots.length == initialCapacity || live * 8 >= slots.length)) {
            return java.util.List.of(); // the writer calls this after every drain: nothing to allocate
        }
        java.util.List<Object> ended = new java.util.ArrayList<>();
        for (Object ref = first; ref != null; ref = collected.poll()) {
            Entry dead = (Entry) ref;
            if (dead.value != null) {
                ended.add(dead.value); // even if a rehash or an insert already dropped its slot
            }
            Entry[] s = slots;
            int mask = s.length - 1;
            int i = dead.hash & mask;
            for (int probes = 0; probes <= mask; probes++) {
                Entry e = at(s, i);
                if (e == null) {
                    break;
                }
                if (e == dead) {
                    SLOT.setRelease(s, i, TOMBSTONE);
                    live--;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        if (slots.length > initialCapacity && live * 8 < slots.length) {
            // Straight to the size the live entries call for: the writer calls this once a drain (every 100 ms), and
            // a table halved once a call took a second to come back from 16 384 slots.
            int capacity = slots.length;
            while (capacity > initialCapacity && live * 8 < capacity) {
                capacity /= 2;
            }
            rehash(capacity);
        }
        return ended;
    }

    /** Live entries (for tests and the capture's statistics). */
    synchronized int size() {
        return live;
    }

    /** Slots allocated (for the memory bound). */
    int capacity() {
        return slots.length;
    }

    private void rehash(int capacity) {
        Entry[] old = slots;
        Entry[] s = new Entry[capacity];
        int mask = capacity - 1;
        int n = 0;
        for (int k = 0; k < old.length; k++) {
            Entry e = at(old, k);
            if (e == null || e == TOMBSTONE || e.refersTo(null)) {
                continue;
            }
            int i = e.hash & mask;
            while (at(s, i) != null) {
                i = (i + 1) & mask;
            }
            SLOT.setRelease(s, i, e);
            n++;
        }
        live = n;
        used = n;
        slots = s; // readers see the old or the new array; both are consistent for them
    }

    private static Entry at(Entry[] s, int i) {
        return (Entry) SLOT.getAcquire(s, i);
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
