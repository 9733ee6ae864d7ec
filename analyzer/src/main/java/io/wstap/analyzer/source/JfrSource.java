package io.wstap.analyzer.source;

import io.wstap.capture.CaptureHeader;
import io.wstap.capture.CaptureReplay;
import io.wstap.capture.Damage;
import io.wstap.capture.ReadReport;
import io.wstap.capture.StackCut;
import io.wstap.capture.Transport;
import io.wstap.engine.CloseEvent;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Finding;
import io.wstap.engine.Outcome;
import io.wstap.engine.Protocol;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.Rule;
import io.wstap.engine.Severity;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.HttpHead;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a JFR recording holding the wstap agent's events (io.wstap.*, docs/jfr.md) into the same report a capture gives.
 *
 * <p>Why not replay it through the engine like a capture: a recording holds no handshake bytes and, unless the
 * per-frame event was on, no frames, so the engine could not rebuild the story. But the live engine already told it:
 * {@code ConnectionClosed} is its reconstruction at the first TCP close, {@code Finding} its findings, {@code Close} the
 * Close frames with the stack that wrote them. Those are put together into a {@link Reconstruction} per connection and
 * handed to the report through {@link CaptureReplay#put}. Frame counts come from {@code Frame} events when the
 * recording has them, else from {@code ConnectionClosed} (frames up to the first TCP close).
 *
 * <p>Events are read one by one ({@link RecordingFile#readEvent()}); only the few per connection are kept. A damaged or
 * cut recording keeps what was read before the damage; the damage is reported like a capture's.
 */
public final class JfrSource {
    static final String PREFIX = "io.wstap.";

    /** Frames kept per stack, as the agent's default stackDepth (12) keeps in a capture. */
    static final int STACK_DEPTH = 12;

    private JfrSource() {
    }

    /** What one connection's events said. */
    private static final class Conn {
        final long id;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        String local = "?";
        String remote = "?";
        Role localRole;
        RecordedEvent handshake;
        RecordedEvent closed;
        final List<RecordedEvent> closes = new ArrayList<>(2); // the first Close each way
        final List<RecordedEvent> findings = new ArrayList<>(2);
        long framesOut;
        long framesIn;
        boolean sawFrames;

        Conn(long id) {
            this.id = id;
        }

        void seen(long t) {
            first = Math.min(first, t);
            last = Math.max(last, t);
        }
    }

    /**
     * The parser threads (daemons): a finished parse's thread takes the next recording (starting a thread costs
     * ~0.4 ms here, as much as parsing a small recording); a stuck one is left to its loop and a new thread is made.
     */
    private static final java.util.concurrent.ExecutorService PARSERS = new java.util.concurrent.ThreadPoolExecutor(0,
            Integer.MAX_VALUE, 10, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
            r -> {
                Thread t = new Thread(r, "wstap-jfr-parser");
                t.setDaemon(true);
                return t;
            });

    /** A parse that reads no event for this long is stuck (the JDK's parser can loop on a damaged event). */
    static final long STALL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /**
     * Reads {@code file}; throws only when not even the recording's start could be read, when its framing would make
     * the JDK's parser wait or loop ({@link JfrFraming}, checked first), or when the parser stops making progress
     * anyway. The parse runs on a daemon thread watched for progress (events read), not for total time, so a large
     * healthy recording is never cut. That watch is the backstop for a loop JfrFraming does not know: a stuck parser
     * thread is left behind (it cannot be stopped); the analyzer exits anyway.
     */
    static CaptureInput read(int index, Path file, Progress progress) throws InputException {
        java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.FutureTask<CaptureInput> task = new java.util.concurrent.FutureTask<>(
                () -> readWatched(index, file, progress, seen));
        PARSERS.execute(task);
        long last = -1;
        long since = System.nanoTime();
        while (true) {
            try {
                return task.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                long n = seen.get();
                if (n != last) {
                    last = n;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since > STALL_NANOS) {
                    throw InputException.at(file, 0, "expected a JFR recording the JDK's parser can read, but it made"
                            + " no progress for " + STALL_NANOS / 1_000_000_000L + " s after " + n + " events (a damaged"
                            + " event); nothing was analysed");
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof InputException ie) {
                    throw ie;
                }
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw InputException.at(file, 0, "interrupted while reading the JFR recording");
            }
        }
    }

    /** Where the first chunk's metadata event starts (its header's metadata offset), 0 if unreadable. */
    private static long firstMetadataOffset(Path file) {
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8);
            return ch.read(b, 24) == 8 ? b.getLong(0) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static CaptureInput readWatched(int index, Path file, Progress progress,
                                            java.util.concurrent.atomic.AtomicLong seen) throws InputException {
        Map<Long, Conn> conns = new TreeMap<>();
        long events = 0;
        long wstapEvents = 0;
        long start = Long.MAX_VALUE;
        List<Damage> damage = new ArrayList<>();
        boolean truncated = false;
        String jvm = null;
        long pid = -1;
        RecordingFile rf;
        InputException waited = JfrFraming.check(file);
        if (waited != null) {
            throw waited;
        }
        try {
            rf = new RecordingFile(file);
        } catch (IOException | RuntimeException | InternalError | StackOverflowError e) {
            // The JDK parser reads the metadata and constant pools here and throws what damage leads it to
            // (IndexOutOfBounds..., InternalError for a constant pool it finds inconsistent, StackOverflowError for
            // a type damaged into containing itself: found by JfrFuzzTest; the stack is unwound, the thread reusable).
            if (e instanceof StackOverflowError) {
                throw InputException.at(file, firstMetadataOffset(file), "expected JFR metadata whose types do not"
                        + " contain themselves, found a type the JDK's parser recursed into until its stack overflowed"
                        + " (damaged metadata)");
            }
            throw InputException.at(file, 0, "expected a JFR recording (chunk header), got " + oneLine(e));
        }
        try (rf) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                events++;
                seen.lazySet(events);
                if ((events & 0xFFFF) == 0) {
                    progress.events(events);
                }
                String name = e.getEventType().getName();
                if (name.equals("jdk.JVMInformation") && jvm == null) {
                    jvm = e.getString("jvmName") + " " + e.getString("jvmVersion");
                    pid = e.getLong("pid");
                }
                if (!name.startsWith(PREFIX) || !e.hasField("connectionId")) {
                    continue;
                }
                wstapEvents++;
                long t = nanos(e.getStartTime());
                start = Math.min(start, t);
                Conn c = conns.computeIfAbsent(e.getLong("connectionId"), Conn::new);
                c.seen(t);
                if (e.hasField("local") && e.getString("local") != null) {
                    c.local = e.getString("local");
                    c.remote = e.getString("remote");
                }
                switch (name.substring(PREFIX.length())) {
                    case "Handshake" -> {
                        c.handshake = e;
                        c.localRole = role(e.getString("role"));
                    }
                    case "Close" -> {
                        boolean out = "out".equals(e.getString("direction"));
                        if (c.closes.stream().noneMatch(x -> x.getString("direction").equals(e.getString("direction")))) {
                            c.closes.add(e);
                        }
                        Role sender = role(e.getString("role"));
                        if (sender != null && c.localRole == null) {
                            c.localRole = out ? sender : sender.other();
                        }
                    }
                    case "ConnectionClosed" -> {
                        if (c.closed == null) {
                            c.closed = e;
                        }
                        if (e.hasField("localRole") && role(e.getString("localRole")) != null) {
                            c.localRole = role(e.getString("localRole"));
                        }
                    }
                    case "Finding" -> c.findings.add(e);
                    case "Frame" -> {
                        c.sawFrames = true;
                        if ("out".equals(e.getString("direction"))) {
                            c.framesOut++;
                        } else {
                            c.framesIn++;
                        }
                    }
                    default -> {
                        // an event of a later agent: ignored
                    }
                }
            }
        } catch (IOException | RuntimeException | InternalError | StackOverflowError e) {
            // A cut or damaged recording: what was read so far stands (as a capture's torn tail does). The JDK parser
            // throws InternalError for an inconsistent constant pool in a later chunk, StackOverflowError for a type
            // that contains itself.
            truncated = true;
            long size = size(file);
            damage.add(new Damage(0, size, "the recording is damaged or cut short after " + events
                    + " events (" + oneLine(e) + "): the events before it were analysed"));
        }
        progress.events(events);

        CaptureReplay replay = new CaptureReplay();
        Map<Long, ConnectionLog> logs = new TreeMap<>();
        long end = Long.MIN_VALUE;
        for (Conn c : conns.values()) {
            ConnectionLog log = new ConnectionLog();
            try {
                Transport transport = c.closed == null ? null : "tls".equals(str(c.closed, "transport", ""))
                        ? Transport.TLS : "plain".equals(str(c.closed, "transport", "")) ? Transport.PLAIN : null;
                replay.put(reconstruction(c, log), new CaptureReplay.Endpoints(c.local, c.remote, transport),
                        closeFrameStack(c), closeCallStack(c));
            } catch (RuntimeException e) {
                // Its events lack a field or have another type (damaged metadata renames them): the others stand.
                damage.add(new Damage(0, 0, "connection " + c.id + " left out: its events do not have wstap's fields ("
                        + oneLine(e) + ")"));
                continue;
            }
            logs.put(c.id, log);
            end = Math.max(end, c.last);
        }
        long anchor = start == Long.MAX_VALUE ? 1 : start;
        // Times are epoch nanos; an anchor with wall == monotonic makes the report's wall clock the times themselves.
        CaptureHeader header = new CaptureHeader(0, null, pid, jvm, anchor, anchor, null);
        ReadReport report = new ReadReport(0, wstapEvents, damage, truncated, truncated ? 0 : size(file));
        return new CaptureInput(index, file, InputKind.JFR, List.of(file), header, report, replay, logs, end);
    }

    private static Reconstruction reconstruction(Conn c, ConnectionLog log) {
        Endpoint client = c.localRole == null ? null : c.localRole == Role.CLIENT ? Endpoint.LOCAL : Endpoint.REMOTE;
        RecordedEvent cc = c.closed;
        RecordedEvent hs = c.handshake;
        log.seen(c.first);
        log.seen(c.last);

        HttpHead request = null;
        HttpHead response = null;
        long hsTime = -1;
        if (hs != null) {
            hsTime = nanos(hs.getStartTime());
            request = new HttpHead(true, str(hs, "method", "GET"), hs.getString("path"), 0, null, str(hs, "host", null),
                    "websocket", "Upgrade", str(hs, "key", null), str(hs, "version", null), str(hs, "offeredProtocols", null),
                    str(hs, "offeredExtensions", null), null, null, null, str(hs, "origin", null), null, 0);
            response = new HttpHead(false, null, null, hs.getInt("status"), str(hs, "reason", null), null, null, null,
                    null, null, hs.getString("subprotocol"), hs.getString("extensions"), null, null, null, null, null, 0);
            if (client != null) {
                log.handshake(hsTime, client, request);
                log.handshake(hsTime, client.other(), response);
            }
        }

        Protocol protocol = cc != null && "hixie-76".equals(str(cc, "protocol", "")) ? Protocol.HIXIE76 : Protocol.RFC6455;
        List<CloseRecord> closeFrames = new ArrayList<>(2);
        c.closes.sort(Comparator.comparing(RecordedEvent::getStartTime));
        for (RecordedEvent e : c.closes) {
            Endpoint from = "out".equals(e.getString("direction")) ? Endpoint.LOCAL : Endpoint.REMOTE;
            long t = nanos(e.getStartTime());
            int code = e.getInt("code");
            String reason = e.getString("reason") == null ? "" : e.getString("reason");
            // frameIndex (agents since the watch issue) lets a framing finding on this very Close take its stack
            long index = e.hasField("frameIndex") ? e.getLong("frameIndex") : -1;
            closeFrames.add(new CloseRecord(from, roleOf(from, client), code, reason, t, index));
            log.close(t, from, code, reason, reason.isEmpty() && code < 0 ? 0 : 2 + reason.length(),
                    protocol == Protocol.HIXIE76, -1);
        }

        Endpoint initiator = null;
        Endpoint tcpClosedBy = null;
        TcpEnd tcpEnd = null;
        long tcpTime = -1;
        Outcome outcome = Outcome.OPEN; // no ConnectionClosed: TCP was still open when the recording ended
        CloseEvent clientSaw = null;
        CloseEvent serverSaw = null;
        long localFrames = c.sawFrames ? c.framesOut : -1;
        long remoteFrames = c.sawFrames ? c.framesIn : -1;
        if (cc != null) {
            initiator = endpoint(role(cc.getString("initiator")), client);
            tcpClosedBy = endpoint(role(cc.getString("tcpClosedBy")), client);
            tcpEnd = tcpEnd(cc.getString("tcpEnd"));
            if (tcpEnd == TcpEnd.FIN && cc.hasField("tcpHalfClose") && cc.getBoolean("tcpHalfClose")) {
                tcpEnd = TcpEnd.HALF_CLOSE;
            }
            // the close's own time: which end of a connection closed first (both in this JVM) is decided by it
            tcpTime = nanos(cc.getStartTime()) - (cc.hasField("sinceTcpClose") ? cc.getLong("sinceTcpClose") : 0);
            outcome = outcome(cc.getString("outcome"));
            if (cc.getInt("clientSawCode") != 0) {
                clientSaw = new CloseEvent(cc.getInt("clientSawCode"), nz(cc.getString("clientSawReason")),
                        cc.hasField("clientSawClean") && cc.getBoolean("clientSawClean"));
            }
            if (cc.getInt("serverSawCode") != 0) {
                serverSaw = new CloseEvent(cc.getInt("serverSawCode"), nz(cc.getString("serverSawReason")),
                        cc.hasField("serverSawClean") && cc.getBoolean("serverSawClean"));
            }
            if (!c.sawFrames && cc.hasField("localFrames")) {
                localFrames = cc.getLong("localFrames");
                remoteFrames = cc.getLong("remoteFrames");
            }
            if (tcpClosedBy != null && tcpEnd != null) {
                log.tcp(tcpTime, tcpClosedBy, tcpEnd, -1);
            }
        } else if (!closeFrames.isEmpty()) {
            initiator = closeFrames.get(0).from();
        }
        boolean joined = cc != null && cc.hasField("joinedMidStream") && cc.getBoolean("joinedMidStream");

        List<Finding> findings = new ArrayList<>();
        c.findings.sort(Comparator.comparing(RecordedEvent::getStartTime));
        for (RecordedEvent e : c.findings) {
            Rule rule = Rule.find(nz(e.getString("rule")));
            if (rule == null) {
                continue; // a rule of a later agent
            }
            Role side = role(e.getString("side"));
            String ep = str(e, "endpoint", "");
            Endpoint at = ep.equals("local") ? Endpoint.LOCAL : ep.equals("remote") ? Endpoint.REMOTE
                    : endpoint(side, client);
            findings.add(Finding.of(rule, severity(e.getString("severity"), rule), c.id, at, side,
                    nanos(e.getStartTime()), e.hasField("frameIndex") ? e.getLong("frameIndex") : -1,
                    e.hasField("code") ? e.getInt("code") : -1, e.hasField("offset") ? e.getLong("offset") : -1,
                    nz(e.getString("message"))));
        }
        return new Reconstruction(c.id, true, protocol, client, joined, request, hsTime, response, hsTime,
                List.copyOf(closeFrames), initiator, tcpClosedBy, tcpEnd, tcpTime, outcome, clientSaw, serverSaw,
                localFrames, remoteFrames, List.copyOf(findings));
    }

    /** The stack of the first Close frame this JVM sent. */
    private static List<String> closeFrameStack(Conn c) {
        for (RecordedEvent e : c.closes) {
            if ("out".equals(e.getString("direction"))) {
                return stack(e.getStackTrace());
            }
        }
        return List.of();
    }

    /** The stack of this JVM's close(): ConnectionClosed is committed in it when this JVM closed TCP first. */
    private static List<String> closeCallStack(Conn c) {
        if (c.closed == null || c.localRole == null
                || role(c.closed.getString("tcpClosedBy")) != c.localRole) {
            return List.of();
        }
        return stack(c.closed.getStackTrace());
    }

    /**
     * A JFR stack as the agent writes one into a capture ({@link StackCut}: the same frames left out and cut), at most
     * {@link #STACK_DEPTH} entries as {@code StackTraceElement.toString()} has them. JFR keeps no source file name: it
     * is taken to be the top-level class's simple name + ".java", as javac names it.
     */
    public static List<String> stack(RecordedStackTrace st) {
        if (st == null) {
            return List.of();
        }
        return StackCut.keep(st.getFrames().iterator(), JfrSource::javaClass, JfrSource::frameText, STACK_DEPTH);
    }

    /**
     * The frame's class, or null when it is not a Java frame with a known method, or a lambda's hidden class (which
     * StackWalker, and so the capture's stacks, leave out too).
     */
    private static String javaClass(RecordedFrame f) {
        if (!f.isJavaFrame() || f.getMethod() == null || f.getMethod().getType() == null) {
            return null;
        }
        String cls = f.getMethod().getType().getName();
        return cls.contains("$$Lambda") ? null : cls;
    }

    private static String frameText(RecordedFrame f) {
        String cls = f.getMethod().getType().getName();
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        int dollar = simple.indexOf('$');
        String source = (dollar > 0 ? simple.substring(0, dollar) : simple) + ".java";
        int line = f.getLineNumber();
        return cls + "." + f.getMethod().getName() + "(" + source + (line > 0 ? ":" + line : "") + ")";
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static Role role(String label) {
        return "client".equals(label) ? Role.CLIENT : "server".equals(label) ? Role.SERVER : null;
    }

    private static Role roleOf(Endpoint e, Endpoint client) {
        return client == null ? null : e == client ? Role.CLIENT : Role.SERVER;
    }

    private static Endpoint endpoint(Role r, Endpoint client) {
        return r == null || client == null ? null : r == Role.CLIENT ? client : client.other();
    }

    private static TcpEnd tcpEnd(String label) {
        for (TcpEnd t : TcpEnd.values()) {
            if (t.label().equals(label)) {
                return t;
            }
        }
        return null;
    }

    private static Outcome outcome(String label) {
        for (Outcome o : Outcome.values()) {
            if (o.label().equals(label)) {
                return o;
            }
        }
        return null;
    }

    private static Severity severity(String label, Rule rule) {
        for (Severity s : Severity.values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        return rule.severity();
    }

    private static String str(RecordedEvent e, String field, String dflt) {
        if (!e.hasField(field)) {
            return dflt; // a recording of an agent before the field was added
        }
        String s = e.getString(field);
        return s == null ? dflt : s;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' ').replace('\r', ' '));
    }
}
