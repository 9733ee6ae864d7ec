package io.wstap.agent.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many connections on 127.0.0.1 against {@link LoadServerApp} in its own JVM under the real agent; the clients are
 * this JVM's (no agent). The agent's state is read two ways: its connection table (size and capacity, through
 * reflection inside the server) and the server's live objects of wstap's classes ({@code jcmd GC.class_histogram},
 * from outside, which counts the relocated Byte Buddy too). The heap the agent adds is the server's heap after a full
 * GC with the agent minus the same run without it.
 *
 * <p>{@code wstap.load.cycles} connections are opened and closed one after another (10 000 by default, 100 000 under
 * {@code -Pload}). Clients close with SO_LINGER 0 after the Close handshake: a reset leaves no TIME_WAIT on either
 * side, so ports are never exhausted whatever the count.
 */
class LoadIT {
    static final int OPEN = 10_000;
    static final int CYCLES = Integer.getInteger("wstap.load.cycles", 10_000);
    static final List<String> SERVER_JVM = List.of("-XX:+UseSerialGC", "-Xmx1g");

    @TempDir
    Path dir;

    @Test
    void tenThousandOpenConnectionsCostTheAgentABoundedAmountEach() throws Exception {
        assertEnoughFileDescriptors();
        long[] withAgent;
        try (Server server = new Server(dir, "file=" + dir.resolve("open.wstap"))) {
            Stats before = server.stats();
            Map<String, long[]> histBefore = server.histogram();
            List<Socket> clients = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < OPEN; i++) {
                clients.add(openWebSocket(server.nioPort));
            }
            long openMillis = (System.nanoTime() - t0) / 1_000_000;
            Stats open = server.stats();
            Map<String, long[]> histOpen = server.histogram();
            assertEquals(OPEN, open.open, "the server holds every connection");
            assertEquals(before.table + OPEN, open.table, "one table entry per open WebSocket connection");
            assertEquals(OPEN, count(histOpen, "io.wstap.agent.tap.TapConnection"), "one tap connection each");
            assertEquals(OPEN, count(histOpen, "io.wstap.engine.Connection"), "one engine connection each");
            long wstapBytes = wstapBytes(histOpen) - wstapBytes(histBefore);
            for (Socket s : clients) {
                closeWebSocket(s);
            }
            Stats after = server.awaitTable(server.awaitOpen(0), before);
            Map<String, long[]> histAfter = server.histogram();
            assertEquals(before.table, after.table, "every closed connection left the table");
            assertEquals(before.capacity, after.capacity, "the table shrank back to its initial size");
            assertEquals(0, count(histAfter, "io.wstap.agent.tap.TapConnection"));
            assertEquals(0, count(histAfter, "io.wstap.engine.Connection"));
            withAgent = new long[] {open.heap - before.heap, wstapBytes, before.heap};
            report("with agent, idle: wstap objects %d bytes", wstapBytes(histBefore));
            report("with agent: %d connections opened in %d ms; table %d -> %d entries (capacity %d -> %d);"
                            + " wstap objects +%d bytes (%d per connection); heap after GC +%d bytes",
                    OPEN, openMillis, before.table, open.table, before.capacity, open.capacity, wstapBytes,
                    wstapBytes / OPEN, open.heap - before.heap);
            report("wstap classes at %d open: %s", OPEN, top(histOpen, 12));
        }
        long withoutAgent;
        long idleWithout;
        try (Server server = new Server(dir, null)) {
            Stats before = server.stats();
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < OPEN; i++) {
                clients.add(openWebSocket(server.nioPort));
            }
            Stats open = server.stats();
            assertEquals(-1, open.table, "no agent in the baseline run");
            withoutAgent = open.heap - before.heap;
            idleWithout = before.heap;
            for (Socket s : clients) {
                closeWebSocket(s);
            }
            server.awaitOpen(0);
        }
        long agentHeap = withAgent[0] - withoutAgent;
        report("without agent: heap after GC +%d bytes; the agent's share: %d bytes in all, %d per open connection;"
                + " idle heap with the agent %d bytes more than without", withoutAgent, agentHeap, agentHeap / OPEN,
                withAgent[2] - idleWithout);
        // What docs/reliability.md states (about 2.6 KB each): bounded, with a margin for JDK and GC differences.
        assertTrue(agentHeap / OPEN < 4096, "agent heap per open connection: " + agentHeap / OPEN);
        assertTrue(withAgent[1] / OPEN < 4096, "wstap objects per open connection: " + withAgent[1] / OPEN);
    }

    @Test
    void connectionsOpenedAndClosedLeaveTheTableAsItWas() throws Exception {
        try (Server server = new Server(dir, "file=" + dir.resolve("cycles.wstap"))) {
            Stats before = server.stats();
            long t0 = System.nanoTime();
            for (int i = 0; i < CYCLES; i++) {
                closeWebSocket(openWebSocket(server.nioPort));
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            Stats after = server.awaitTable(server.awaitOpen(0), before);
            Map<String, long[]> hist = server.histogram();
            report("%d connections opened and closed in %d ms (%d/s); table %d -> %d (capacity %d -> %d);"
                            + " capture writer entries still lingering: %d", CYCLES, millis, CYCLES * 1000L / Math.max(1, millis),
                    before.table, after.table, before.capacity, after.capacity,
                    count(hist, "io.wstap.capture.CaptureWriter$Conn"));
            assertEquals(before.table, after.table);
            assertEquals(before.capacity, after.capacity);
            assertEquals(0, count(hist, "io.wstap.agent.tap.TapConnection"));
            assertEquals(0, count(hist, "io.wstap.engine.Connection"));
        }
    }

    @Test
    void socketsDroppedWithoutCloseAreReclaimedFromTheTable() throws Exception {
        int n = 1000;
        try (Server server = new Server(dir, "file=" + dir.resolve("dropped.wstap"))) {
            Stats before = server.stats();
            for (int i = 0; i < n; i++) {
                // The server reads one frame and forgets the socket; this side leaves with a reset.
                Socket s = openWebSocket(server.blockingPort);
                s.setSoLinger(true, 0);
                s.close();
            }
            // Only the garbage collector ends them (stats runs a full GC; the writer thread then reclaims entries).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Stats now = server.stats();
            while (now.table != before.table && System.nanoTime() < deadline) {
                now = server.stats();
            }
            now = server.awaitTable(now, before);
            Map<String, long[]> hist = server.histogram();
            report("%d sockets dropped without close(): table %d -> %d after GC (capacity %d -> %d)", n,
                    before.table, now.table, before.capacity, now.capacity);
            assertEquals(before.table, now.table, "collected sockets are reclaimed from the table");
            assertEquals(before.capacity, now.capacity);
            assertEquals(0, count(hist, "io.wstap.agent.tap.TapConnection"));
        }
    }

    @Test
    void nonWebSocketConnectionsHoldNoEngineState() throws Exception {
        int n = 1000;
        try (Server server = new Server(dir, "file=" + dir.resolve("plain.wstap"))) {
            Stats before = server.stats();
            Map<String, long[]> idle = server.histogram();
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                clients.add(exchange(server.nioPort, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(), 40));
                // A database-like binary greeting (length, sequence, protocol version 10 ...).
                clients.add(exchange(server.nioPort, new byte[] {0x4a, 0, 0, 0, 0x0a, 0x38, 0x2e, 0x30}, 7));
            }
            Stats open = server.stats();
            Map<String, long[]> hist = server.histogram();
            report("%d plain HTTP and binary connections open: table %d -> %d, tap connections %d, engine connections"
                            + " %d, wstap objects %d bytes (idle: %d)", 2 * n, before.table, open.table,
                    count(hist, "io.wstap.agent.tap.TapConnection"), count(hist, "io.wstap.engine.Connection"),
                    wstapBytes(hist), wstapBytes(idle));
            assertEquals(2 * n, open.open);
            assertEquals(0, count(hist, "io.wstap.agent.tap.TapConnection"), "no tap state for them");
            assertEquals(0, count(hist, "io.wstap.engine.Connection"), "no engine state for them");
            assertEquals(0, count(hist, "io.wstap.wire.FrameScanner"));
            assertEquals(0, count(hist, "io.wstap.wire.HttpHeadParser"));
            // What remains is one weak entry each, marking them ignored: a later call is one look-up and a return.
            assertEquals(before.table + 2L * n, open.table);
            for (Socket s : clients) {
                s.setSoLinger(true, 0);
                s.close();
            }
            Stats after = server.awaitTable(server.awaitOpen(0), before);
            assertEquals(before.table, after.table);
        }
    }

    // ---- clients (this JVM, no agent) ----

    static Socket openWebSocket(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        out.write(("GET /load HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        int matched = 0;
        while (matched < 4) { // up to the blank line ending the 101 response
            int b = in.read();
            if (b < 0) {
                throw new IOException("eof in the server's head");
            }
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        out.write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2});
        byte[] echo = in.readNBytes(2);
        if (echo.length != 2 || (echo[0] & 0xFF) != 0x81) {
            throw new IOException("no echo");
        }
        in.readNBytes(echo[1] & 0x7F);
        return s;
    }

    /** Close 1000, wait for the server's Close, then leave with a reset (no TIME_WAIT). */
    static void closeWebSocket(Socket s) throws IOException {
        s.getOutputStream().write(new byte[] {(byte) 0x88, (byte) 0x82, 5, 6, 7, 8, 0x03 ^ 5, (byte) (0xE8 ^ 6)});
        byte[] close = s.getInputStream().readNBytes(4);
        if (close.length != 4 || (close[0] & 0x0F) != 0x8) {
            throw new IOException("no Close from the server");
        }
        s.setSoLinger(true, 0);
        s.close();
    }

    /** Sends {@code request}, reads {@code replyBytes} back, keeps the connection open. */
    static Socket exchange(int port, byte[] request, int replyBytes) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        s.getOutputStream().write(request);
        if (s.getInputStream().readNBytes(replyBytes).length != replyBytes) {
            throw new IOException("short reply");
        }
        return s;
    }

    static void assertEnoughFileDescriptors() {
        // The JVM raises its soft limit to the hard one by itself (-XX:+MaxFDLimit); .ci/run raises the shell's too.
        long max = ((com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        assertTrue(max >= OPEN + 1000, "this test needs " + (OPEN + 1000) + " file descriptors per JVM; the limit is "
                + max + " (raise it: ulimit -n " + (OPEN + 1000) + ")");
    }

    // ---- the server JVM ----

    record Stats(long table, long capacity, long heap, long open) {
        static final Pattern LINE = Pattern.compile("STATS table=(-?\\d+) capacity=(-?\\d+) heap=(\\d+) open=(\\d+)");
    }

    static final class Server implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final PrintStream in;
        final int nioPort;
        final int blockingPort;
        final Path err;

        Server(Path dir, String agentOptions) throws Exception {
            err = java.nio.file.Files.createTempFile(dir, "server", ".err");
            List<String> cmd = new ArrayList<>();
            cmd.add(ForkedJvm.java());
            cmd.addAll(SERVER_JVM);
            if (agentOptions != null) {
                cmd.add("-javaagent:" + ForkedJvm.agentJar().toAbsolutePath() + "=" + agentOptions);
            }
            cmd.addAll(List.of("-cp", ForkedJvm.testClasses(), LoadServerApp.class.getName()));
            process = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            String ports = line("PORTS ");
            String[] p = ports.split(" ");
            nioPort = Integer.parseInt(p[1]);
            blockingPort = Integer.parseInt(p[2]);
        }

        Stats stats() throws IOException {
            in.println("stats");
            Matcher m = Stats.LINE.matcher(line("STATS "));
            assertTrue(m.matches());
            return new Stats(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)));
        }

        /** Stats once the server has seen {@code open} connections left (it closes on the peer's reset). */
        /**
         * {@code s}, or later stats once the table's size and capacity are back to {@code before}'s (within 30 s): the
         * writer thread shrinks the table at its next drain, up to 100 ms after the entries left.
         */
        Stats awaitTable(Stats s, Stats before) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((s.table != before.table || s.capacity != before.capacity) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                s = stats();
            }
            return s;
        }

        Stats awaitOpen(long open) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Stats s = stats();
            while (s.open != open && System.nanoTime() < deadline) {
                Thread.sleep(100);
                s = stats();
            }
            assertEquals(open, s.open, "connections the server still holds");
            return s;
        }

        /** Live objects by class name: {instances, bytes} (jcmd's histogram runs a full GC first). */
        Map<String, long[]> histogram() throws IOException, InterruptedException {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "GC.class_histogram").redirectErrorStream(true).start();
            String text = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS) && jcmd.exitValue() == 0, text);
            Map<String, long[]> h = new LinkedHashMap<>();
            Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)").matcher(text);
            while (m.find()) {
                h.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
            assertTrue(h.size() > 100, text);
            return h;
        }

        private String line(String prefix) throws IOException {
            for (String l; (l = out.readLine()) != null; ) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
            throw new AssertionError("server ended: " + java.nio.file.Files.readString(err));
        }

        @Override
        public void close() throws Exception {
            in.println("quit");
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static long count(Map<String, long[]> hist, String className) {
        long[] v = hist.get(className);
        return v == null ? 0 : v[0];
    }

    /** Bytes of every live object of the agent's classes (the relocated Byte Buddy included; not this test's app). */
    static long wstapBytes(Map<String, long[]> hist) {
        return hist.entrySet().stream().filter(e -> isAgentClass(e.getKey())).mapToLong(e -> e.getValue()[1]).sum();
    }

    static boolean isAgentClass(String name) {
        return name.startsWith("io.wstap.") && !name.startsWith("io.wstap.agent.it.");
    }

    static String top(Map<String, long[]> hist, int n) {
        return hist.entrySet().stream().filter(e -> isAgentClass(e.getKey()))
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(n)
                .map(e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1] + "B").toList().toString();
    }

    static void report(String format, Object... args) {
        System.out.println("LoadIT: " + String.format(format, args));
    }
}
