package io.wstap.agent.tap;

import io.wstap.capture.Transport;
import io.wstap.engine.Connection;
import io.wstap.engine.ConnectionObserver;
import io.wstap.engine.EventClock;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.StreamDecoder;
import io.wstap.engine.Finding;
import io.wstap.engine.TcpEnd;
import io.wstap.jfr.JfrEmitter;
import io.wstap.wire.Frame;
import io.wstap.wire.FrameSync;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;

import java.nio.ByteBuffer;

/**
 * One tapped connection: the engine's {@link Connection}, run live, and the recording of what it sees.
 *
 * <p>Nothing is recorded until the connection shows it is WebSocket (an upgrade request, or a join mid-stream):
 * other connections leave no trace in the capture. Calls from the connection's reader and writer threads are
 * serialised by its lock ({@link #lock}); the critical section is the in-place scan, never I/O.
 */
final class TapConnection extends ConnectionTable.Entry implements ConnectionObserver, EventClock {
    final long id;
    final Connection engine;
    /** The engine's decoders of what this JVM sends and what it reads, kept here so they load next to the engine. */
    private final StreamDecoder sent, received;
    private final TapRuntime runtime;
    private final Transport transport;
    /**
     * Bytes handed to the engine on a write's entry that the write did not send; the application's next write offers
     * them again and they are skipped. Writes of one socket are serialised by the JDK, so a plain field suffices.
     */
    long writtenAhead;
    /**
     * Benchmark-only (benchToggle): the runtime's epoch both directions are in step with, the one they are catching
     * up to, and which directions still wait for a frame boundary (bit 0 local, bit 1 remote).
     */
    int epoch;
    private int resyncEpoch;
    private int unsynced;
    /** TLS (SSLEngine) only: a channel has been linked to this connection's engine. */
    volatile boolean linkedToChannel;
    /**
     * The thread holding the lock, null when it is free (see {@link #lock}): one field is both the lock and what tells
     * a thread that it holds it already.
     */
    private volatile Thread owner;
    /**
     * The connection's last clock reading, the runtime's tick it was taken in, and how many more calls' data frames may
     * reuse it (see {@link #dataFrameTime}). Only exact readings are kept, so a connection's times never go back.
     */
    private long reading = Long.MIN_VALUE; // no reading yet (System.nanoTime() may be negative)
    private long readingTick = -1;
    private int readingsLeft;
    /** The connection event was recorded (it is WebSocket). */
    private boolean declared;
    /** "ip:port" of each end, asked once at declaration. */
    private String local = "?";
    private String remote = "?";
    /** The ConnectionClosed event was emitted (at the first TCP close). */
    private boolean closedEventSent;
    /** A TCP end was seen but the outcome waits for a Close answer (see {@link #closedEventIfDecided}). */
    private boolean closedEventPending;
    /** This end left the open-connections count (first TCP close, or collected without close()). */
    private boolean ended;
    /**
     * TLS only: the channel under this connection reached EOF or a reset. Seen at the socket, that can come before the
     * SSLEngine has unwrapped the last records (another thread does it), so it is applied when this side closes.
     */
    private TcpEnd deferredRemoteEnd;

    /**
     * The connection of {@code socket}, as its own entry in the runtime's table (to be put there): the tapped JDK object
     * is its weak referent ({@link #get}), never a strong reference, which would keep a channel dropped without
     * close() reachable for ever.
     */
    TapConnection(long id, TapRuntime runtime, Object socket, Transport transport) {
        super(socket, runtime.table);
        this.id = id;
        this.runtime = runtime;
        this.transport = transport;
        this.engine = new Connection(id, runtime.engineOptions, this);
        this.sent = engine.decoderOf(Endpoint.LOCAL);
        this.received = engine.decoderOf(Endpoint.REMOTE);
        this.epoch = this.resyncEpoch = runtime.epoch;
    }

    /**
     * Benchmark-only (benchToggle): the tap was off since this connection's last bytes, so each direction starts
     * again at its first call that is exactly a run of whole frames ({@link FrameSync#tilesFrames}, the late-attach
     * test: a call that merely starts like a header is not evidence enough, a one-byte read can look like one). True
     * when these bytes are to be scanned. The caller holds the lock ({@link #lock}), as for the other resync.
     */
    boolean resync(int now, Endpoint sender, ByteBuffer buf, byte[] array, int from, int to) {
        return synced(now, sender) || restartIf(now, sender, FrameSync.tilesFrames(buf, array, from, to));
    }

    /**
     * As {@link #resync(int, Endpoint, ByteBuffer, byte[], int, int)} for the buffers of one gathering or scattering
     * call over several buffers, whose bytes are tested as one run (Jetty writes a frame as its header's buffer and its
     * payload's). They are copied for the test, only until the direction is in step again (a write: its first call);
     * a call over one buffer takes the single-buffer path and is tested in place. {@code from} and {@code packed} say
     * where each buffer's bytes start, as for {@link Tap#start}.
     */
    boolean resync(int now, Endpoint sender, ByteBuffer[] bufs, int off, int len, int[] from, long packed) {
        if (synced(now, sender)) {
            return true;
        }
        long total = 0;
        for (int i = 0; i < len; i++) {
            total += Math.max(0, Tap.end(bufs[off + i], from, packed) - Tap.start(bufs[off + i], from, packed, i));
        }
        if (total > MAX_RESYNC_COPY) {
            return false;
        }
        byte[] run = new byte[(int) total];
        int n = 0;
        for (int i = 0; i < len; i++) {
            ByteBuffer b = bufs[off + i];
            int start = Tap.start(b, from, packed, i);
            int end = Tap.end(b, from, packed);
            if (end > start) {
                b.get(start, run, n, end - start);
                n += end - start;
            }
        }
        return restartIf(now, sender, FrameSync.tilesFrames(null, run, 0, n));
    }

    private static final int MAX_RESYNC_COPY = 1 << 18;

    /** True when {@code sender} is in step with the runtime's epoch {@code now} (a new epoch: neither direction is). */
    private boolean synced(int now, Endpoint sender) {
        if (resyncEpoch != now) {
            resyncEpoch = now;
            unsynced = 3;
            writtenAhead = 0;
        }
        return (unsynced & bit(sender)) == 0;
    }

    private boolean restartIf(int now, Endpoint sender, boolean atFrameBoundary) {
        if (atFrameBoundary) {
            engine.restartAtFrame(sender);
            unsynced &= ~bit(sender);
            if (unsynced == 0) {
                epoch = now;
            }
        }
        return atFrameBoundary;
    }

    private static int bit(Endpoint sender) {
        return sender == Endpoint.LOCAL ? 1 : 2;
    }

    /** {@code buf[from, to)} from {@code sender}; the caller holds the lock ({@link #lock}). */
    void bytes(Endpoint sender, ByteBuffer buf, int from, int to) {
        engine.onBytes(decoder(sender), this, buf, from, to); // the clock is read only if these bytes complete an event
        if (closedEventPending) {
            closedEventIfDecided();
        }
    }

    /** {@code buf[off, off+len)} from {@code sender}; the caller holds the lock ({@link #lock}). */
    void bytes(Endpoint sender, byte[] buf, int off, int len) {
        engine.onBytes(decoder(sender), this, buf, off, len);
        if (closedEventPending) {
            closedEventIfDecided();
        }
    }

    private StreamDecoder decoder(Endpoint sender) {
        return sender == Endpoint.LOCAL ? sent : received;
    }

    // ---- EventClock: called by the engine inside bytes() (and by tcpClosed), under the connection's lock ----

    /**
     * A data frame's time: the connection's last clock reading, reused for up to {@link TapRuntime#callsPerReading}
     * calls (16) and only within the clock's tick it was taken in ({@link TapRuntime#tick}: 20 ms, ended by the first
     * exact reading of any thread after that, or by the writer's next wake), so a data frame is stamped at most about a
     * tick early (100 ms in the worst case, docs/agent.md "Times") and exactly after a pause. A clock read costs about
     * 25 ns, as much as scanning and recording a small frame, and an echo server would pay two per message. Option
     * exactTimes makes it one call per reading.
     */
    @Override
    public long dataFrameTime() {
        if (readingTick != runtime.tick || --readingsLeft < 0) {
            return exactTime();
        }
        return reading;
    }

    /** Now: handshakes, control frames, findings and TCP ends, which the engine judges by time. */
    @Override
    public long exactTime() {
        return exactTime(System.nanoTime());
    }

    private long exactTime(long now) {
        runtime.clockRead(now);
        reading = now;
        readingTick = runtime.tick;
        readingsLeft = runtime.callsPerReading - 1;
        return reading;
    }

    /** Joins mid-stream unless already joined (two threads may find the same connection at once). */
    void joinMidStreamOnce() {
        if (!lock()) {
            return;
        }
        try {
            if (engine.phase() == Connection.Phase.AWAITING_REQUEST) {
                engine.joinMidStream(null, Protocol.RFC6455);
            }
        } finally {
            unlock();
        }
    }

    /**
     * A TCP end at {@code time} (a call's entry, taken before it sent anything), kept no earlier than this connection's
     * last event so its times stay in order.
     */
    void tcpClosed(Endpoint who, TcpEnd how, long time) {
        if (!lock()) {
            return;
        }
        try {
            tcpClosedLocked(who, how, time);
        } finally {
            unlock();
        }
    }

    private void tcpClosedLocked(Endpoint who, TcpEnd how, long time) {
        long now = exactTime(Math.max(time, reading));
        if (who == Endpoint.LOCAL && deferredRemoteEnd != null) {
            engine.onTcpClosed(Endpoint.REMOTE, deferredRemoteEnd, now); // the peer had ended first
        }
        engine.onTcpClosed(who, how, now);
        endOnceLocked();
        if (declared && runtime.jfr && !closedEventSent) {
            closedEventPending = true;
            closedEventIfDecided();
        }
    }

    /**
     * The ConnectionClosed event, once the outcome is decided: at the first TCP close, or later when that close was a
     * half-close and the Close answer (or the other side's close) came after it.
     */
    private void closedEventIfDecided() {
        if (engine.closingDecided()) {
            closedEventPending = false;
            closedEventSent = true;
            JfrEmitter.connectionClosed(engine.reconstruction(), local, remote, transport);
        }
    }

    /** Counts this end out of the open connections, once (a connection's first TCP close decides). */
    void endOnce() {
        if (!lock()) {
            return;
        }
        try {
            endOnceLocked();
        } finally {
            unlock();
        }
    }

    private void endOnceLocked() {
        if (declared && !ended) {
            ended = true;
            runtime.connectionEnded();
        }
    }

    /** See {@link #deferredRemoteEnd}. */
    void deferRemoteEnd(TcpEnd how) {
        if (!lock()) {
            return;
        }
        try {
            if (deferredRemoteEnd == null) {
                deferredRemoteEnd = how;
            }
        } finally {
            unlock();
        }
    }

    // ---- the connection's lock ----

    /**
     * Takes this connection's lock: its reader and writer threads take it for each call's in-place scan, and its ends
     * for their records. False when it was not obtained ({@link #LOCK_PATIENCE_NANOS}, or this very thread holds it:
     * a call back into the tap from inside it, which would be a bug): the caller gives the connection up rather than
     * wait longer, and never waits on itself.
     *
     * <p>Not a monitor: entering and leaving one are an atomic instruction each, and on a busy server an atomic
     * instruction waits until the application's pending stores are done. Here the release is a plain store (x86 keeps
     * it after the critical section's stores; elsewhere the VarHandle's release orders it), one atomic instruction less
     * per call: about 20 ns per echoed small message on Jetty (docs/benchmarks.md, eleventh run).
     */
    boolean lock() {
        Thread me = Thread.currentThread();
        return OWNER.compareAndSet(this, null, me) || lockContended(me);
    }

    void unlock() {
        OWNER.setRelease(this, null);
    }

    /**
     * The other thread of the connection holds the lock for a scan of bytes in memory (microseconds): spin briefly,
     * then yield the core (the holder may be waiting for it, on a small machine), then sleep in short naps.
     */
    private boolean lockContended(Thread me) {
        long deadline = 0;
        for (int tries = 0; ; tries++) {
            Thread holder = owner;
            if (holder == me) {
                return false; // only this thread sets itself there, and clears it when it releases
            }
            if (holder == null && OWNER.compareAndSet(this, null, me)) {
                return true;
            }
            if (tries < 64) {
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (deadline == 0) {
                deadline = now + LOCK_PATIENCE_NANOS;
            } else if (now - deadline > 0) {
                return false;
            }
            if (tries < 1024) {
                Thread.yield();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
        }
    }

    /**
     * How long a thread waits for the connection's other thread to finish its scan before it gives the connection up
     * (counted as a tap error). A scan takes microseconds; only a holder stopped from outside (a debugger, SIGSTOP)
     * takes this long.
     */
    static final long LOCK_PATIENCE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final java.lang.invoke.VarHandle OWNER;

    static {
        try {
            OWNER = java.lang.invoke.MethodHandles.lookup().findVarHandle(TapConnection.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    boolean ignored() {
        return engine.isIgnored();
    }

    private void declare(long time) {
        if (!declared) {
            declared = true;
            Object s = get(); // reachable: the engine is called from one of its hooks
            local = s == null ? "?" : Addresses.local(s);
            remote = s == null ? "?" : Addresses.remote(s);
            runtime.recorder.putConnection(id, time, local, remote, transport);
            runtime.connectionOpened();
        }
    }

    // ---- ConnectionObserver: what the engine saw goes to the ring ----

    @Override
    public void onJoinedMidStream(Connection c, Role localRole, Protocol protocol) {
        long now = exactTime();
        declare(now);
        runtime.recorder.putJoined(id, now, localRole, protocol);
    }

    @Override
    public void onHandshake(Connection c, Endpoint sender, long time, HttpHead head) {
        if (head.isWebSocketUpgrade()) {
            declare(time);
        }
        if (declared) {
            runtime.recorder.putHandshake(id, time, sender, head);
            if (!head.request()) {
                if (runtime.jfr) {
                    JfrEmitter.handshake(id, sender == Endpoint.REMOTE, c.reconstruction().request(), head, local, remote);
                }
            }
        }
    }

    @Override
    public void onFrame(Connection c, Endpoint sender, long time, Frame frame) {
        if (declared) {
            // The stack that wrote a Close frame is what lets a report name the line that sent 1002.
            int stack = frame.opcode() == Opcode.CLOSE && sender == Endpoint.LOCAL ? runtime.stack() : -1;
            runtime.recorder.putFrame(id, time, sender, frame, stack);
            boolean jfr = runtime.jfr;
            if (jfr) {
                JfrEmitter.frame(id, sender == Endpoint.LOCAL, frame);
            }
            if (jfr && frame.opcode() == Opcode.CLOSE) {
                Endpoint client = c.clientEndpoint();
                Role role = client == null ? null : sender == client ? Role.CLIENT : Role.SERVER;
                JfrEmitter.close(id, sender == Endpoint.LOCAL, role, frame, c.framesFrom(sender), local, remote);
            }
        }
    }

    @Override
    public void onInvalidText(Connection c, Endpoint sender, long time, long offset) {
        if (declared) {
            runtime.recorder.putInvalidText(id, time, sender, offset);
        }
    }

    @Override
    public void onTcpClosed(Connection c, Endpoint endpoint, TcpEnd how, long time) {
        if (declared) {
            int stack = endpoint == Endpoint.LOCAL ? runtime.stack() : -1;
            runtime.recorder.putTcpClosed(id, time, endpoint, how, stack);
        }
    }

    @Override
    public void onFinding(Connection c, Finding finding) {
        if (declared && runtime.jfr) {
            JfrEmitter.finding(finding);
        }
    }
}
