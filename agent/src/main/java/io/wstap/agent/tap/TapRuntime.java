package io.wstap.agent.tap;

import io.wstap.capture.CaptureWriter;
import io.wstap.capture.Transport;
import io.wstap.engine.EngineOptions;
import io.wstap.wire.Frame;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Everything the tap needs at run time, made once by the installer: the connection table, the ring, the stacks, and
 * the one writer thread that drains the ring into the capture file. Application threads never do I/O here.
 */
public final class TapRuntime {
    /** Flush the capture at least this often, so that a crash loses at most about this much. */
    static final long FLUSH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * A clock reading is reused for a data frame's time only within the tick it was taken in ({@link #tick},
     * TapConnection#dataFrameTime). A tick ends at the writer's next wake, or when an application thread's exact reading
     * finds it this old ({@link #clockRead}).
     */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * While the writer alone keeps the tick (the application's threads did not advance it during its last sleep: a
     * quiet JVM), it wakes this often, so a data frame is stamped at most a tick early. Producers wake it early when
     * the ring is half full (Recorder#claim), so a burst is not dropped for want of a drain.
     */
    private static final long PARK_NANOS = TICK_NANOS;
    /**
     * While the application's threads keep the tick themselves (they advanced it during the writer's last sleep: they
     * read the clock often, as a busy JVM's do), the writer sleeps this long. A wake is a context switch on a core the
     * application needs, about 25 us of it on this VM even when it drains nothing (docs/benchmarks.md, eleventh run).
     * This is also how early a data frame may be stamped in the worst case: at the end of a busy period, before the
     * writer's next wake, on a connection that took its last reading less than 16 calls before.
     */
    private static final long BUSY_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The ring is drained this often (at the first wake this long after the last drain), or at a wake that finds it a
     * quarter full. A drain costs the application's core far more than its records: the writer's code and state come
     * back into cache, then the application's; draining 50 times a second was a fifth of the writer's cost for small
     * messages (docs/benchmarks.md, eleventh run). The ring then holds 100 ms of records: a fraction of its default
     * size at a busy server's rates.
     */
    private static final long DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100) - PARK_NANOS / 2;

    /**
     * Starts small: every hooked call reads one slot, and a few dozen connections' slots then share four cache lines
     * that stay hot, where in 1024 slots each connection's slot was a line of its own, cold again by its next message
     * on a busy core. It grows when half full (a server with many connections pays the miss whatever the size).
     */
    final ConnectionTable table = new ConnectionTable(64);
    final Recorder recorder;
    final EngineOptions engineOptions = EngineOptions.DEFAULTS;
    final boolean lateAttach;
    /** Test-only fault injection: the hooks of objects of this type throw (Object: all of them); null when off. */
    final Class<?> faultsOn;
    /** Benchmark-only (option copyTap): the ring every byte is copied into instead of being scanned; null = off. */
    CopyTap copyTap;
    /**
     * Ticks of the clock so far ({@link #TICK_NANOS}): a clock reading taken in an earlier tick is not reused for a data
     * frame's time (see {@link TapConnection#dataFrameTime}). Advanced at every writer wake and by {@link #clockRead}.
     */
    volatile long tick;
    /** When the current tick began. */
    private volatile long tickStart;
    /**
     * Calls of one connection whose data frames may share one clock reading (see {@link TapConnection#dataFrameTime});
     * 1 with the option exactTimes: a reading per call.
     */
    int callsPerReading = 16;
    /**
     * Benchmark-only (option benchToggle): the tap is off in even windows of this many nanos of the monotonic clock
     * and on in odd ones; 0 = always on. See {@link #toggleLoop}.
     */
    private long toggleNanos;
    /**
     * How many times the tap came back on after a benchToggle window off (0 without the option). A connection or a
     * thread that saw another value has missed bytes: it starts again at a frame boundary (TapConnection#resync).
     */
    volatile int epoch;
    /** Publish JFR events (the option, and jdk.jfr present); JfrEmitter is never loaded otherwise. */
    volatile boolean jfr;
    private final Stacks stacks;
    private final Set<Integer> ports;
    private final Set<String> hosts;
    private final CaptureWriter writer;
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong tapErrors = new AtomicLong();
    /** WebSocket connection ends declared, and those ended: once per connection, never per frame. */
    private final AtomicLong connectionsOpened = new AtomicLong();
    private final AtomicLong connectionsEnded = new AtomicLong();
    private volatile boolean running = true;
    private final Thread writerThread;

    /**
     * @param writer     the capture file (owned by this runtime from now on)
     * @param ringSlots  ring capacity in slots
     * @param stackDepth frames per stack, 0 = no stacks
     * @param reasons    what the capture keeps of Close reasons: keep, hash or drop
     */
    public TapRuntime(CaptureWriter writer, int ringSlots, int stackDepth, Set<Integer> ports, Set<String> hosts,
                      boolean lateAttach, String faults, String reasons) {
        this.writer = writer;
        this.recorder = new Recorder(ringSlots, Recorder.Reasons.valueOf(reasons.toUpperCase(java.util.Locale.ROOT)));
        this.stacks = stackDepth > 0 ? new Stacks(stackDepth, recorder) : null;
        this.ports = ports;
        this.hosts = hosts;
        this.lateAttach = lateAttach;
        this.faultsOn = switch (faults) {
            case "none" -> null;
            case "channel" -> java.nio.channels.SocketChannel.class;
            case "socket" -> java.net.SocketImpl.class;
            case "sslengine" -> javax.net.ssl.SSLEngine.class;
            case "sslsocket" -> javax.net.ssl.SSLSocket.class;
            default -> Object.class;
        };
        this.writerThread = new Thread(this::writeLoop, "wstap-writer");
        writerThread.setDaemon(true);
        recorder.wakeWhenHalfFull(writerThread);
    }

    /** Access to SocketImpl's protected address getters, opened by the installer (see {@link Addresses}). */
    public static void setSocketImplAccess(java.lang.invoke.MethodHandle address, java.lang.invoke.MethodHandle port,
                                           java.lang.invoke.MethodHandle localPort) {
        Addresses.socketImplAddress = address;
        Addresses.socketImplPort = port;
        Addresses.socketImplLocalPort = localPort;
    }

    /** Turns JFR events on (the installer checked that jdk.jfr is present), with the periodic io.wstap.Stats. */
    public void enableJfr() {
        io.wstap.jfr.JfrEmitter.enable(true);
        jfr = true;
        try {
            // Read once a second on JFR's periodic thread: counters that exist anyway, nothing added per frame.
            io.wstap.jfr.JfrEmitter.registerStats(e -> {
                e.framesIn = recorder.framesIn();
                e.framesOut = recorder.framesOut();
                e.bytesIn = recorder.bytesIn();
                e.bytesOut = recorder.bytesOut();
                long opened = connectionsOpened.get();
                e.connectionsOpened = opened;
                e.openConnections = Math.max(0, opened - connectionsEnded.get());
                e.droppedRecords = recorder.dropped();
                e.tapErrors = tapErrors.get();
            });
        } catch (Throwable t) {
            System.err.println("wstap: no io.wstap.Stats event (" + t + ")"); // the other events still work
        }
    }

    /** Option exactTimes (before start): a clock read for every data frame, not one shared by a connection's calls. */
    public void readTheClockForEveryFrame() {
        callsPerReading = 1;
    }

    /** The benchmarks' copying tap: every byte seen at the socket hooks is copied, nothing is scanned (before start). */
    public void copyEveryByte() {
        copyTap = new CopyTap(16 << 20);
    }

    /** Option benchToggle (before start): the tap goes off and on in turn, in windows of {@code millis}. */
    public void toggleEvery(long millis) {
        toggleNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    void connectionOpened() {
        connectionsOpened.incrementAndGet();
    }

    void connectionEnded() {
        connectionsEnded.incrementAndGet();
    }

    /** Starts the writer thread and makes the hooks live (with benchToggle: in turn, by the toggling thread). */
    public void start() {
        writerThread.start();
        if (toggleNanos > 0) {
            Thread toggler = new Thread(this::toggleLoop, "wstap-bench-toggle");
            toggler.setDaemon(true);
            toggler.start();
        } else {
            Tap.runtime = this;
        }
    }

    /** Stops the hooks, drains the ring and closes the capture (JVM shutdown). */
    public void stop() {
        synchronized (this) { // the toggling thread must not turn the hooks back on
            Tap.runtime = null;
            running = false;
        }
        LockSupport.unpark(writerThread);
        try {
            writerThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A new tapped object whose table value was {@code seen} (null or a late-attach marker): its TapConnection, or
     * null when the filters exclude it. When another thread got there first, its connection is returned.
     */
    TapConnection open(Object socket, Transport transport, Object seen) {
        if (!ports.isEmpty() || !hosts.isEmpty()) {
            String local = Addresses.local(socket);
            String remote = Addresses.remote(socket);
            if ((!ports.isEmpty() && !ports.contains(port(local)) && !ports.contains(port(remote)))
                    || (!hosts.isEmpty() && !hosts.contains(host(remote)))) {
                Tap.ignoreIf(this, socket, seen);
                return null;
            }
        }
        TapConnection mine = new TapConnection(nextId.getAndIncrement(), this, socket, transport);
        Object winner = table.replaceIf(socket, seen, mine);
        return winner instanceof TapConnection c ? c : null;
    }

    private static int port(String address) {
        int colon = address.lastIndexOf(':');
        try {
            return Integer.parseInt(address.substring(colon + 1));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String host(String address) {
        int colon = address.lastIndexOf(':');
        String h = colon < 0 ? address : address.substring(0, colon);
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    /** The current thread's interned stack, or -1. */
    int stack() {
        return stacks == null ? -1 : stacks.current();
    }

    /** An internal error on {@code socket}: that connection is no longer tapped, and the error is counted. */
    void internalError(Object socket, Object value) {
        long n = tapErrors.incrementAndGet();
        long id = value instanceof TapConnection c ? c.id : 0;
        try {
            Tap.ignore(this, socket);
        } catch (Throwable ignored) {
            // nothing more to do without risking the host
        }
        recorder.putTapErrors(id, System.nanoTime(), n);
    }

    long tapErrors() {
        return tapErrors.get();
    }

    int openConnections() {
        return table.size();
    }

    /**
     * Benchmark-only: switches the hooks off at the start of every even window ({@code nanoTime / toggleNanos}) and on
     * at the start of every odd one, so a load generator on the same machine (CLOCK_MONOTONIC is shared by processes)
     * can count its round trips in each and compare throughput with and without capture in one JVM, one JIT state and
     * one memory layout: what separate JVMs cannot, on a machine whose speed moves by a quarter between them. Off is
     * the state of a JVM whose agent is loaded but not live: each hook reads {@link Tap#runtime} and returns.
     */
    private void toggleLoop() {
        while (true) {
            long now = System.nanoTime();
            long window = Math.floorDiv(now, toggleNanos);
            boolean on = (window & 1) == 1;
            synchronized (this) {
                if (!running) {
                    return;
                }
                if (on && Tap.runtime != this) {
                    epoch++; // before the hooks see the runtime: every call from now on knows bytes were missed
                    Tap.runtime = this;
                } else if (!on) {
                    Tap.runtime = null;
                }
            }
            LockSupport.parkNanos((window + 1) * toggleNanos - now);
        }
    }

    // ---- the writer thread ----

    // The writer thread's own state (no other thread reads it).
    private final Frame writerFrame = new Frame();
    private final byte[] closeScratch = new byte[Frame.MAX_CONTROL_PAYLOAD];
    private long lastFlush;
    private long lastDrain;
    /** The tick the writer's last wake began: a later one at its next wake means the application keeps time. */
    private long writersTick;
    /** Application threads advanced the tick during the writer's last sleep: it may sleep longer. */
    private boolean applicationKeepsTime;
    private long reportedDrops;

    /**
     * The writer thread: a wake every 20 ms, or every 100 ms while the application's threads keep the clock's tick, or
     * when the ring is half full; a drain ({@link #drainOnce}) every 100 ms or at a quarter full. The loop is kept this
     * small because a method that is called once and loops for ever is compiled only on-stack-replaced, after tens of
     * thousands of back-edges: at 50 wakes a second its body ran in the interpreter for the first twenty minutes, and
     * called the compiled drain through an interpreter-to-compiled adapter. {@code wake} is an ordinary method,
     * compiled after a few seconds of wakes.
     */
    private void writeLoop() {
        lastFlush = lastDrain = System.nanoTime();
        try {
            while (wake()) {
                recorder.writerParks(applicationKeepsTime ? BUSY_PARK_NANOS : PARK_NANOS);
            }
        } catch (IOException | RuntimeException e) {
            // The capture cannot be written (disk full, file removed): stop capturing, never disturb the host.
            synchronized (this) {
                Tap.runtime = null;
                running = false;
            }
            System.err.println("wstap: capture stopped: " + e);
        }
    }

    /**
     * One wake: begins a tick (readings from before it are not reused), and drains when a drain is due
     * ({@link #DRAIN_NANOS}, a quarter-full ring) or the runtime is stopping; false once stopped and closed.
     */
    private boolean wake() throws IOException {
        long now = System.nanoTime();
        applicationKeepsTime = tick != writersTick; // advanced by application threads while the writer slept
        advanceTick(now);
        writersTick = tick;
        if (running && now - lastDrain < DRAIN_NANOS && !recorder.quarterFull()) {
            return true;
        }
        lastDrain = now;
        return drainOnce();
    }

    /**
     * An exact clock reading was taken ({@code now}) on an application thread: it begins a new tick if the current
     * one is {@link #TICK_NANOS} old. One volatile read per exact reading, a write once a tick.
     */
    void clockRead(long now) {
        if (now - tickStart >= TICK_NANOS) {
            advanceTick(now);
        }
    }

    /**
     * Begins a tick. A compare-and-set, so that a thread that read {@link #tick} long ago cannot set it back (a reading
     * from a past tick would then pass for current); two threads that both find the tick over may advance it twice,
     * which only makes readings fresher.
     */
    private void advanceTick(long now) {
        long t = tick;
        if (TICK.compareAndSet(this, t, t + 1)) {
            tickStart = now;
        }
    }

    private static final java.lang.invoke.VarHandle TICK;

    static {
        try {
            TICK = java.lang.invoke.MethodHandles.lookup().findVarHandle(TapRuntime.class, "tick", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One wake of the writer: drains the ring, flushes once a second; false once it has stopped and closed. */
    private boolean drainOnce() throws IOException {
        boolean stopping = !running;
        recorder.drain(writer, writerFrame, closeScratch);
        long drops = recorder.dropped();
        if (drops != reportedDrops) {
            writer.lost(System.nanoTime(), drops - reportedDrops);
            reportedDrops = drops;
        }
        List<Object> collected = table.expunge(); // empty and allocation-free unless channels were collected
        for (int i = 0; i < collected.size(); i++) {
            if (collected.get(i) instanceof TapConnection c) {
                c.endOnce();
                writer.forget(c.id); // collected without close(): nothing more will come for it
            }
        }
        long now = System.nanoTime();
        if (stopping || now - lastFlush >= FLUSH_INTERVAL_NANOS) {
            writer.flush();
            lastFlush = now;
        }
        if (stopping) {
            recorder.drain(writer, writerFrame, closeScratch);
            writer.close();
            return false;
        }
        return true;
    }
}
