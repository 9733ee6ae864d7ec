package io.wstap.agent.tap;

import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.FrameSync;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * What the hooks call. Loaded by the bootstrap class loader (the hooks are inlined into JDK classes), so it depends
 * on java.base and wstap's bootstrap packages only.
 *
 * <p>Contract: never throws (the advice also suppresses), never blocks on I/O, allocates nothing per call on
 * connections already known. A non-WebSocket connection costs one table look-up and a return, a SocketChannel once
 * marked ({@link ChannelMark}) one load of its own field. An internal error stops the tap for that connection only
 * and is counted.
 *
 * <p>Directions: bytes written by this JVM are {@link Endpoint#LOCAL}'s, bytes read are {@link Endpoint#REMOTE}'s.
 */
public final class Tap {
    /** The table's value for objects that are not (or no longer) tapped. */
    static final Object IGNORED = new Object();

    /** Null until the installer is done, and again after shutdown: every hook returns at once. */
    static volatile TapRuntime runtime;

    /**
     * A TLS channel (its bytes are TLS records, left to the SSLEngine hooks) not yet linked to its SSLEngine; linked
     * on its first write, since the engine that just wrapped on this thread is the one whose records are written.
     */
    static final Object TLS_UNLINKED = new Object();

    /**
     * Late attach: a connection whose first bytes seen were not an HTTP head may have been open before the agent came.
     * It is picked up at the first write that is exactly a run of whole, plausible frames, or at the second of two
     * such reads in a row, or ignored after {@code callsLeft} calls.
     *
     * <p>Why reads need two: a library writes a frame in one call, but reads wherever its buffer ends, and a blocking
     * reader that takes a header, then the masking key, then the payload makes calls of 4 or 7 random-looking bytes
     * (masked payload), about one in 5 000 of which is a plausible frame by chance. Joined there, the connection's
     * roles come from that false frame's MASK bit: every frame after it broke WS101/WS102 (seen in AgentIT's late
     * attach). Two reads in a row that both tile are that chance squared.
     */
    static final class PendingJoin {
        static final int CALLS = 32;
        int callsLeft = CALLS;
        /** The connection's last read was exactly a run of whole frames (reads come from one thread at a time). */
        boolean lastReadTiled;

        PendingJoin(boolean lastReadTiled) {
            this.lastReadTiled = lastReadTiled;
        }

        /** Whether a call from {@code sender} whose bytes {@code tile} (or not) is where to join. */
        boolean joinsAt(Endpoint sender, boolean tile) {
            if (sender == Endpoint.LOCAL) {
                return tile;
            }
            boolean twoInARow = tile && lastReadTiled;
            lastReadTiled = tile;
            return twoInARow;
        }
    }

    /**
     * A TLS channel linked to its SSLEngine: the channel's close, EOF or reset ends the engine's connection. Its own
     * table entry, as a {@link TapConnection} is: a read or write of the channel only has to learn that it is this
     * (its bytes are ciphertext), and on a busy server each object after the table's slot is a cache miss.
     */
    static final class TlsLink extends ConnectionTable.Entry {
        private final Object engine;

        TlsLink(Object channel, ConnectionTable table, Object engine) {
            super(channel, table);
            this.engine = engine;
        }

        Object engine() {
            return engine;
        }
    }

    /**
     * What a thread's hooked calls leave for its next ones: the positions of a call over several buffers, and the
     * engine to link a TLS channel to. A call over one buffer, once its engine is linked, does not look it up.
     */
    static final class ThreadState {
        /** The positions of a gathering or scattering call's buffers at entry (reused: no allocation per call). */
        int[] positions = new int[16];
        /** The SSLEngine this thread last wrapped with, while it was not linked to its channel (see {@link #link}). */
        Object lastEngine;
        /** The runtime's {@link TapRuntime#epoch} when {@link #positions} were taken: stale after a benchToggle. */
        int epoch;
    }

    private static final ThreadLocal<ThreadState> THREAD_STATE = ThreadLocal.withInitial(ThreadState::new);

    /**
     * The field the agent adds to {@code sun.nio.ch.SocketChannelImpl} when it loads the class (its ChannelMarkField;
     * a compile-time constant, so the agent's loader does not load this class to read it): true once the tap has
     * nothing to see on the channel, which its reads and writes then learn from the channel itself.
     */
    public static final String CHANNEL_MARK = "wstap$passedOver";

    /**
     * The channels' mark, where the class has it (a holder: resolved at its first use, after the installer opened
     * {@code sun.nio.ch} to the tap). Without it (late attach, or the class loaded before the agent) {@code MARK} is
     * null, which the compiler folds away, and every call looks the channel up in the table as before.
     */
    static final class ChannelMark {
        private static final Class<?> CHANNEL = channelClass();
        private static final VarHandle MARK = mark();

        private ChannelMark() {
        }

        /** Whether {@code channel}, a SocketChannelImpl, is marked: its calls have nothing for the tap. */
        static boolean on(Object channel) {
            return MARK != null && (boolean) MARK.get(channel);
        }

        /**
         * Marks {@code key} if it is a channel: called where the table's value for it became {@link #IGNORED} or a
         * {@link TlsLink}, which it stays until the channel closes. A plain store: a thread that reads the mark late
         * looks the table up, which says the same.
         */
        static void set(Object key) {
            if (MARK != null && CHANNEL.isInstance(key)) {
                MARK.set(key, true);
            }
        }

        private static Class<?> channelClass() {
            try {
                return Class.forName("sun.nio.ch.SocketChannelImpl", false, null);
            } catch (Throwable t) {
                return null;
            }
        }

        private static VarHandle mark() {
            try {
                return MethodHandles.privateLookupIn(CHANNEL, MethodHandles.lookup())
                        .findVarHandle(CHANNEL, CHANNEL_MARK, boolean.class);
            } catch (Throwable t) {
                return null; // no such field, or the package not opened to the tap: the table does the work
            }
        }
    }

    /**
     * Whether SocketChannelImpl carries the mark in this JVM; the installer calls it once {@code sun.nio.ch} is open to
     * the tap, so that the mark is resolved then rather than inside an application's first hooked call.
     */
    public static boolean channelMarks() {
        return ChannelMark.MARK != null;
    }

    private Tap() {
    }

    // ---- single buffers ----

    /**
     * Entry of a write of {@code buf[from, to)} on {@code socket} (plain TCP; TLS records are recognised and ignored).
     * Writes are taken on entry: once the syscall has sent them, a reader thread may see the peer's answer before this
     * thread reaches the exit, and the engine must see the question first. {@link #onWriteEnd} corrects for partial
     * writes.
     */
    public static void onWriteStart(Object socket, ByteBuffer buf, int from, int to) {
        TapRuntime rt = runtime;
        if (rt != null && to > from && !ChannelMark.on(socket)) {
            bytes(rt, socket, Transport.PLAIN, Endpoint.LOCAL, buf, null, from, to);
        }
    }

    public static void onWriteStart(Object socket, byte[] buf, int off, int len) {
        TapRuntime rt = runtime;
        if (rt != null && len > 0) {
            bytes(rt, socket, Transport.PLAIN, Endpoint.LOCAL, null, buf, off, off + len);
        }
    }

    /** Entry of a gathering write: each buffer's remaining bytes, in order; returns their total (for the exit). */
    public static long onWriteStartAll(Object socket, ByteBuffer[] bufs, int off, int len) {
        TapRuntime rt = runtime;
        long requested = 0;
        for (int i = 0; i < len; i++) {
            requested += bufs[off + i].remaining();
        }
        if (rt != null && requested > 0 && !ChannelMark.on(socket)) {
            each(rt, socket, valueOf(rt, socket), Transport.PLAIN, Endpoint.LOCAL, bufs, off, len, null, 0);
        }
        return requested;
    }

    /**
     * Exit of a write: {@code written} of the {@code requested} bytes handed over on entry went out. The rest will be
     * offered again by the application's next write (that is what a partial write means), so the tap skips that many
     * bytes then rather than seeing them twice.
     */
    public static void onWriteEnd(Object socket, long requested, long written) {
        TapRuntime rt = runtime;
        if (rt != null && requested > written) {
            Object v = rt.table.get(socket);
            if (v instanceof TapConnection c) {
                c.writtenAhead += requested - written;
            }
        }
    }

    public static void onRead(Object socket, ByteBuffer buf, int from, int to) {
        TapRuntime rt = runtime;
        if (rt != null && to > from && !ChannelMark.on(socket)) {
            bytes(rt, socket, Transport.PLAIN, Endpoint.REMOTE, buf, null, from, to);
        }
    }

    public static void onRead(Object socket, byte[] buf, int off, int len) {
        TapRuntime rt = runtime;
        if (rt != null && len > 0) {
            bytes(rt, socket, Transport.PLAIN, Endpoint.REMOTE, null, buf, off, off + len);
        }
    }

    /** TLS plaintext written through an SSLSocket's app stream (the owning socket is the key), on entry. */
    public static void onTlsWriteStart(Object socket, byte[] buf, int off, int len) {
        TapRuntime rt = runtime;
        if (rt != null && len > 0) {
            bytes(rt, socket, Transport.TLS, Endpoint.LOCAL, null, buf, off, off + len);
        }
    }

    public static void onTlsRead(Object socket, byte[] buf, int off, int len) {
        TapRuntime rt = runtime;
        if (rt != null && len > 0) {
            bytes(rt, socket, Transport.TLS, Endpoint.REMOTE, null, buf, off, off + len);
        }
    }

    // ---- gathering / scattering (and SSLEngine wrap/unwrap, whose plaintext is in buffer arrays) ----

    /** What {@link #enterAll} returns when the tap is off; also what the advice's exit sees if its entry failed. */
    public static final long NOT_LIVE = 0;
    /** What {@link #enterAll} returns for a call over three buffers or more: their positions are in the thread's state. */
    public static final long IN_THREAD_STATE = -1;

    /**
     * Entry of a call over {@code bufs[off, off+len)}, whose exit ({@link #onWriteAll}/{@link #onReadAll}) needs their
     * positions now. One or two buffers (an SSLEngine's usual unwrap, and Jetty's wrap of a frame's header and payload)
     * return their positions + 1, packed in the low and high halves, which the advice hands to its exit (Byte Buddy's
     * {@code @Advice.Enter}) instead of a thread-local look-up on each side of the call (a chain of dependent loads
     * through the thread's map, four per small TLS message). More buffers keep their positions in the thread's state
     * ({@link #IN_THREAD_STATE}).
     */
    public static long enterAll(ByteBuffer[] bufs, int off, int len) {
        TapRuntime rt = runtime;
        if (rt == null) {
            return NOT_LIVE;
        }
        if (len == 1) {
            return bufs[off].position() + 1L;
        }
        if (len == 2) {
            return bufs[off].position() + 1L | (bufs[off + 1].position() + 1L) << 32;
        }
        ThreadState state = THREAD_STATE.get();
        state.epoch = rt.epoch;
        int[] p = state.positions;
        if (p.length < len) {
            p = state.positions = new int[Math.max(len, p.length * 2)];
        }
        for (int i = 0; i < len; i++) {
            p[i] = bufs[off + i].position();
        }
        return IN_THREAD_STATE;
    }

    /**
     * Exit of a gathering write (or SSLEngine.wrap: {@code tls}): each buffer's consumed part, in order;
     * {@code entered} is what {@link #enterAll} returned.
     */
    public static void onWriteAll(Object socket, ByteBuffer[] bufs, int off, int len, boolean tls, long entered) {
        all(socket, bufs, off, len, tls, Endpoint.LOCAL, entered);
    }

    /** Exit of a scattering read (or SSLEngine.unwrap: {@code tls}): each buffer's filled part, in order. */
    public static void onReadAll(Object socket, ByteBuffer[] bufs, int off, int len, boolean tls, long entered) {
        if (!tls && ChannelMark.on(socket)) {
            return; // a scattering read of a channel (the SSLEngine's unwrap is the other caller)
        }
        all(socket, bufs, off, len, tls, Endpoint.REMOTE, entered);
    }

    private static void all(Object socket, ByteBuffer[] bufs, int off, int len, boolean tls, Endpoint sender,
                            long entered) {
        TapRuntime rt = runtime;
        if (rt == null || entered == NOT_LIVE) {
            return; // entered before the tap was live
        }
        Transport transport = tls ? Transport.TLS : Transport.PLAIN;
        // A wrap, even one that consumed nothing (it made handshake records), is what its channel's next write carries:
        // the engine is remembered for link(). An unwrap tells link() nothing.
        boolean wrap = tls && sender == Endpoint.LOCAL;
        if (entered != IN_THREAD_STATE) { // one or two buffers: [their positions at entry, their positions now)
            if (!wrap && !moved(bufs, off, len, entered)) {
                return; // nothing produced (an underflow: Jetty unwraps once more per message): nothing to look up
            }
            Object v = valueOf(rt, socket); // one look-up for both the engine's link and its bytes
            if (wrap) {
                rememberEngine(socket, v);
            }
            each(rt, socket, v, transport, sender, bufs, off, len, null, entered);
            return;
        }
        ThreadState state = THREAD_STATE.get();
        if (wrap) {
            state.lastEngine = socket;
        }
        int[] p = state.positions;
        if (p.length < len || state.epoch != rt.epoch) {
            return; // with benchToggle: entered before the tap was last off
        }
        each(rt, socket, valueOf(rt, socket), transport, sender, bufs, off, len, p, 0);
    }

    /** Whether a call over one or two buffers moved a position from where {@code packed} says it was at entry. */
    private static boolean moved(ByteBuffer[] bufs, int off, int len, long packed) {
        return bufs[off].position() != start(bufs[off], null, packed, 0)
                || len == 2 && bufs[off + 1].position() != start(bufs[off + 1], null, packed, 1);
    }

    /**
     * The engine this thread wrapped with, for {@link #link} to match its channel's next write; not needed (and the
     * thread-local look-up saved) once a channel is linked to it.
     */
    private static void rememberEngine(Object engine, Object v) {
        if (!(v instanceof TapConnection c) || !c.linkedToChannel) {
            THREAD_STATE.get().lastEngine = engine;
        }
    }

    /**
     * Each buffer's bytes in order: {@code [start, position)} of each (the exit of a call, its positions at entry in
     * {@code from} or, for one or two buffers, in {@code packed}: see {@link #enterAll}), or {@code [position, limit)}
     * (an entry: {@code from} null, {@code packed} 0). {@code v} is the socket's {@link #valueOf}. On a connection
     * already tapped, one look-up and one lock for the whole call: Jetty writes a frame as a gathering write of its
     * header and its payload (and wraps it so under TLS).
     */
    private static void each(TapRuntime rt, Object socket, Object v, Transport transport, Endpoint sender,
                             ByteBuffer[] bufs, int off, int len, int[] from, long packed) {
        if (passedOver(v)) {
            return; // before any buffer is read
        }
        if (len == 1) { // one buffer: the single-buffer path
            ByteBuffer b = bufs[off];
            int start = start(b, from, packed, 0);
            int end = end(b, from, packed);
            if (end > start) {
                bytes(rt, socket, v, transport, sender, b, null, start, end);
            }
            return;
        }
        if (v instanceof TapConnection c) {
            // A tapped connection: one look-up and one lock for all the buffers.
            try {
                locked(c);
                try {
                    if (c.epoch != rt.epoch && !c.resync(rt.epoch, sender, bufs, off, len, from, packed)) {
                        return; // benchToggle: the tap was off, and this call does not start at a frame boundary
                    }
                    for (int i = 0; i < len; i++) {
                        ByteBuffer b = bufs[off + i];
                        int start = start(b, from, packed, i);
                        int end = end(b, from, packed);
                        if (end > start && !tappedLocked(rt, socket, c, sender, b, null, start, end)) {
                            forget(rt, socket, transport, sender, b, null, start, end);
                            return; // not WebSocket after all: the rest of the call is not looked at either
                        }
                    }
                } finally {
                    c.unlock();
                }
            } catch (Throwable t) {
                rt.internalError(socket, c);
            }
        } else {
            eachBuffer(rt, socket, transport, sender, bufs, off, len, from, packed); // first bytes, late attach, TLS links
        }
    }

    private static void eachBuffer(TapRuntime rt, Object socket, Transport transport, Endpoint sender,
                                   ByteBuffer[] bufs, int off, int len, int[] from, long packed) {
        for (int i = 0; i < len; i++) {
            ByteBuffer b = bufs[off + i];
            int start = start(b, from, packed, i);
            int end = end(b, from, packed);
            if (end > start) {
                bytes(rt, socket, transport, sender, b, null, start, end);
            }
        }
    }

    /**
     * Where buffer {@code i} of a call's bytes starts: {@code from[i]}, or its half of {@code packed} (one or two
     * buffers, see {@link #enterAll}), or its position now (an entry: {@code from} null, {@code packed} 0).
     */
    static int start(ByteBuffer b, int[] from, long packed, int i) {
        if (from != null) {
            return from[i];
        }
        return packed != 0 ? (int) (packed >>> (32 * i)) - 1 : b.position();
    }

    /** Where the bytes of buffer {@code b} end: its limit at an entry, or its position at an exit. */
    static int end(ByteBuffer b, int[] from, long packed) {
        return from == null && packed == 0 ? b.limit() : b.position();
    }

    // ---- ends ----

    /**
     * An SSLEngine call returned: status CLOSED means a close_notify was received (unwrap, {@code inbound}) or sent
     * (wrap): TLS's orderly close of that side, which is what the peer's application sees as the end of the stream.
     */
    public static void onTlsResult(Object engine, javax.net.ssl.SSLEngineResult result, boolean inbound) {
        TapRuntime rt = runtime;
        if (rt != null && result != null && result.getStatus() == javax.net.ssl.SSLEngineResult.Status.CLOSED) {
            Object v = rt.table.get(engine);
            if (v instanceof TapConnection c) {
                // Our close_notify is TLS's half-close: the engine may still read the peer's Close after it.
                end(rt, engine, c, inbound ? Endpoint.REMOTE : Endpoint.LOCAL, inbound ? TcpEnd.FIN : TcpEnd.HALF_CLOSE);
            }
        }
    }

    /** The stream ended: read returned -1 (the peer closed its side). */
    public static void onEof(Object socket) {
        TapRuntime rt = runtime;
        if (rt != null) {
            Object v = rt.table.get(socket);
            if (v instanceof TlsLink link) {
                deferRemoteEnd(rt, link, TcpEnd.FIN);
            } else if (v instanceof TapConnection c) {
                end(rt, socket, c, Endpoint.REMOTE, TcpEnd.FIN);
            }
        }
    }

    /** The channel under a TLS connection saw the peer end: applied when the TLS connection's side closes. */
    private static void deferRemoteEnd(TapRuntime rt, TlsLink link, TcpEnd how) {
        if (rt.table.get(link.engine()) instanceof TapConnection c) {
            c.deferRemoteEnd(how);
        }
    }

    /** A read or write threw. */
    public static void onError(Object socket, Throwable thrown) {
        TapRuntime rt = runtime;
        if (rt == null || !(thrown instanceof IOException) || thrown instanceof ClosedChannelException
                || thrown instanceof java.io.InterruptedIOException) {
            return; // a local close racing the call is reported by onClose; a read timeout ends nothing
        }
        Object v = rt.table.get(socket);
        String m = String.valueOf(thrown.getMessage()).toLowerCase(java.util.Locale.ROOT);
        boolean reset = m.contains("reset") || m.contains("broken pipe");
        if (v instanceof TlsLink link) {
            if (reset) {
                deferRemoteEnd(rt, link, TcpEnd.RESET);
            }
        } else if (v instanceof TapConnection c) {
            end(rt, socket, c, reset ? Endpoint.REMOTE : Endpoint.LOCAL, reset ? TcpEnd.RESET : TcpEnd.IO_ERROR);
        }
    }

    /**
     * shutdownOutput() of the tapped object, which succeeded: the local side sent a FIN but still reads (a half-close).
     * {@code calledAt} is the time the call began, before the FIN left.
     */
    public static void onShutdownOutput(Object socket, long calledAt) {
        TapRuntime rt = runtime;
        if (rt != null) {
            Object v = rt.table.get(socket);
            if (v instanceof TlsLink link) {
                socket = link.engine(); // the channel under a TLS connection: the TLS connection half-closes
                v = rt.table.get(socket);
            }
            if (v instanceof TapConnection c) {
                end(rt, socket, c, Endpoint.LOCAL, TcpEnd.HALF_CLOSE, calledAt);
            }
        }
    }

    /** close() of the tapped object: the local side ends TCP. Idempotent. */
    public static void onClose(Object socket) {
        TapRuntime rt = runtime;
        if (rt != null) {
            Object v = rt.table.remove(socket);
            if (v instanceof TlsLink link) {
                // The channel under a TLS connection closed: so did the TLS connection (its engine stays in the
                // table until collected, as the JDK gives no close signal from the engine itself).
                socket = link.engine();
                v = rt.table.get(socket);
            }
            if (v instanceof TapConnection c) {
                end(rt, socket, c, Endpoint.LOCAL, TcpEnd.FIN);
            }
        }
    }

    private static void end(TapRuntime rt, Object socket, TapConnection c, Endpoint who, TcpEnd how) {
        end(rt, socket, c, who, how, System.nanoTime());
    }

    private static void end(TapRuntime rt, Object socket, TapConnection c, Endpoint who, TcpEnd how, long time) {
        try {
            c.tcpClosed(who, how, time);
        } catch (Throwable t) {
            rt.internalError(socket, c);
        }
    }

    // ---- the common path ----

    private static void bytes(TapRuntime rt, Object socket, Transport transport, Endpoint sender, ByteBuffer buf,
                              byte[] array, int from, int to) {
        bytes(rt, socket, valueOf(rt, socket), transport, sender, buf, array, from, to);
    }

    /** {@code socket}'s value in the table (null with the benchmark-only copyTap, which keeps no table). */
    private static Object valueOf(TapRuntime rt, Object socket) {
        return rt.copyTap == null ? rt.table.get(socket) : null;
    }

    /** The common path, {@code v} being the socket's {@link #valueOf} (an SSLEngine call has it already). */
    private static void bytes(TapRuntime rt, Object socket, Object v, Transport transport, Endpoint sender,
                              ByteBuffer buf, byte[] array, int from, int to) {
        try {
            if (rt.copyTap != null) {
                if (transport == Transport.PLAIN) {
                    rt.copyTap.copy(buf, array, from, to); // benchmark-only: what a packet tool does, at the same hooks
                }
                return;
            }
            if (v instanceof TapConnection known) { // the common case first: one class check (the class is final)
                if (!tapped(rt, socket, known, sender, buf, array, from, to)) {
                    forget(rt, socket, transport, sender, buf, array, from, to);
                }
                return;
            }
            if (passedOver(v)) {
                return;
            }
            if (v == TLS_UNLINKED) {
                link(rt, socket, sender);
                return;
            }
            if (v instanceof PendingJoin pending) {
                if (pending.joinsAt(sender, FrameSync.tilesFrames(buf, array, from, to))) {
                    v = join(rt, socket, transport, pending);
                } else {
                    if (--pending.callsLeft <= 0) {
                        ignoreIf(rt, socket, pending);
                    }
                    return;
                }
            }
            TapConnection c = (TapConnection) v;
            if (c == null) {
                if (rt.lateAttach && !looksLikeHttp(buf, array, from)) {
                    // Perhaps opened before the agent came: wait for a call that is exactly a run of whole frames.
                    boolean tile = FrameSync.tilesFrames(buf, array, from, to);
                    if (tile && sender == Endpoint.LOCAL) {
                        c = join(rt, socket, transport, null);
                    } else {
                        Object now = rt.table.replaceIf(socket, null, new PendingJoin(tile));
                        if (!(now instanceof TapConnection other)) {
                            return;
                        }
                        c = other; // another thread joined it meanwhile
                    }
                } else {
                    c = rt.open(socket, transport, null);
                }
                if (c == null) {
                    return;
                }
                v = c;
            }
            if (!tapped(rt, socket, c, sender, buf, array, from, to)) {
                forget(rt, socket, transport, sender, buf, array, from, to);
            }
        } catch (Throwable t) {
            rt.internalError(socket, v);
        }
    }

    /**
     * A table value whose calls have nothing to see: not WebSocket, or a TLS channel (its records' plaintext is seen by
     * its engine's hooks).
     */
    private static boolean passedOver(Object v) {
        return v == IGNORED || v instanceof TlsLink;
    }

    /**
     * Not WebSocket: from now on one look-up and a return (a channel: its mark). TLS records are remembered as such,
     * to link the channel to its SSLEngine (whose plaintext the TLS hooks see).
     */
    private static void forget(TapRuntime rt, Object socket, Transport transport, Endpoint sender, ByteBuffer buf,
                               byte[] array, int from, int to) {
        if (transport == Transport.PLAIN && isTlsRecord(buf, array, from, to)) {
            rt.table.put(socket, TLS_UNLINKED);
            link(rt, socket, sender);
        } else {
            ignore(rt, socket);
        }
    }

    /**
     * {@code socket} has nothing for the tap from now on: {@link #IGNORED} in the table, and a channel's mark set (the
     * one place that does both, so that a marked channel is always an ignored one or a TLS link).
     */
    static void ignore(TapRuntime rt, Object socket) {
        rt.table.put(socket, IGNORED);
        ChannelMark.set(socket);
    }

    /**
     * {@link #ignore}, if {@code socket}'s value is still {@code expected} (null = absent): another thread may have
     * made it a connection meanwhile, which then stays in the table and unmarked.
     */
    static void ignoreIf(TapRuntime rt, Object socket, Object expected) {
        if (rt.table.replaceIf(socket, expected, IGNORED) == IGNORED) {
            ChannelMark.set(socket);
        }
    }

    /**
     * {@code [from, to)} of a connection in the table: to its engine, less what a partial write already showed. False
     * when its bytes showed it is not WebSocket (its first bytes, or a handshake without an upgrade).
     */
    private static boolean tapped(TapRuntime rt, Object socket, TapConnection c, Endpoint sender, ByteBuffer buf,
                                  byte[] array, int from, int to) {
        locked(c);
        try {
            return tappedLocked(rt, socket, c, sender, buf, array, from, to);
        } finally {
            c.unlock();
        }
    }

    /**
     * Takes {@code c}'s lock, or throws (the callers' catch then gives the connection up, counted): not obtained means
     * its other thread held it for longer than a scan can take, or this thread came back into it.
     */
    private static void locked(TapConnection c) {
        if (!c.lock()) {
            throw new IllegalStateException("wstap: connection " + c.id + ": lock not obtained");
        }
    }

    /** {@link #tapped}, the caller holding {@code c}'s lock. */
    private static boolean tappedLocked(TapRuntime rt, Object socket, TapConnection c, Endpoint sender, ByteBuffer buf,
                                        byte[] array, int from, int to) {
        if (rt.faultsOn != null && rt.faultsOn.isInstance(socket)) {
            throw new IllegalStateException("wstap fault injection (test-only option faults)");
        }
        if (c.epoch != rt.epoch && !c.resync(rt.epoch, sender, buf, array, from, to)) {
            return true; // benchToggle: the tap was off, and these bytes do not start at a frame boundary
        }
        if (sender == Endpoint.LOCAL && c.writtenAhead > 0) {
            // Bytes handed over by an earlier write that only partly went out: seen already.
            int skip = (int) Math.min(c.writtenAhead, to - from);
            c.writtenAhead -= skip;
            from += skip;
            if (from == to) {
                return true;
            }
        }
        if (buf != null) {
            c.bytes(sender, buf, from, to);
        } else {
            c.bytes(sender, array, from, to - from);
        }
        return !c.ignored();
    }

    /** Opens {@code socket}'s connection as joined mid-stream (roles from masking); null when filtered out. */
    private static TapConnection join(TapRuntime rt, Object socket, Transport transport, Object seen) {
        TapConnection c = rt.open(socket, transport, seen);
        if (c != null) {
            c.joinMidStreamOnce();
        }
        return c;
    }

    /**
     * Links a TLS channel to the SSLEngine that just wrapped on this thread, on one of the channel's writes. A thread
     * may serve many connections, so the engine must already be a tapped connection (it has seen plaintext), not be
     * linked to another channel, and name the same peer port as the channel; otherwise a later write tries again.
     */
    private static void link(TapRuntime rt, Object channel, Endpoint sender) {
        Object engine = sender == Endpoint.LOCAL ? THREAD_STATE.get().lastEngine : null;
        if (engine == null || !(rt.table.get(engine) instanceof TapConnection c) || c.linkedToChannel) {
            return;
        }
        if (!samePeerPort(engine, channel)) {
            return;
        }
        c.linkedToChannel = true;
        rt.table.put(channel, new TlsLink(channel, rt.table, engine));
        ChannelMark.set(channel); // its reads and writes are ciphertext from now on
    }

    private static boolean samePeerPort(Object engine, Object channel) {
        try {
            int enginePort = ((javax.net.ssl.SSLEngine) engine).getPeerPort();
            if (enginePort <= 0 || !(channel instanceof java.nio.channels.SocketChannel ch)) {
                return true; // the application did not tell the engine its peer: nothing to check against
            }
            return ch.getRemoteAddress() instanceof java.net.InetSocketAddress a && a.getPort() == enginePort;
        } catch (Exception e) {
            return false;
        }
    }

    /** A TLS record header: content type 20-23, then major version 3. */
    private static boolean isTlsRecord(ByteBuffer buf, byte[] array, int from, int to) {
        if (to - from < 2) {
            return false;
        }
        int type = (array != null ? array[from] : buf.get(from)) & 0xFF;
        int major = (array != null ? array[from + 1] : buf.get(from + 1)) & 0xFF;
        return type >= 20 && type <= 23 && major == 3;
    }

    /** The first byte of an HTTP method or status line ('A'-'Z'). */
    private static boolean looksLikeHttp(ByteBuffer buf, byte[] array, int from) {
        int b = (array != null ? array[from] : buf.get(from)) & 0xFF;
        return b >= 'A' && b <= 'Z';
    }
}
