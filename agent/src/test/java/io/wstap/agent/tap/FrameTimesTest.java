package io.wstap.agent.tap;

import io.wstap.capture.IgnoringSink;
import io.wstap.capture.CaptureReader;
import io.wstap.engine.Endpoint;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The times the live tap gives frames (TapConnection's EventClock): a Close frame, and a data frame after a pause,
 * are stamped within their own call; a data frame of a busy connection at most {@link TapRuntime#callsPerReading}
 * calls early; a connection's times never go back. Driven through the real hooks' entry points on a real connected
 * channel, with the real writer thread, read back from the capture file.
 */
class FrameTimesTest {
    @TempDir
    Path dir;
    private TapRuntime runtime;
    private LoopbackChannels channels;
    private SocketChannel server;
    private final List<long[]> frames = new ArrayList<>(); // {time, opcode}
    private final List<long[]> tcpEnds = new ArrayList<>(); // {time, TcpEnd ordinal}
    /** Before the opening handshake's calls, whose exact reading the first data frames may reuse. */
    private long handshakeStart;

    @BeforeEach
    void open() throws IOException {
        channels = new LoopbackChannels();
        server = channels.server;
    }

    @AfterEach
    void close() throws IOException {
        Tap.runtime = null;
        channels.close();
    }

    private Path start(boolean exactTimes) throws IOException {
        Path file = dir.resolve(exactTimes ? "exact.wstap" : "recent.wstap");
        runtime = TapRuntimes.writingTo(file, 1024, false);
        if (exactTimes) {
            runtime.readTheClockForEveryFrame();
        }
        runtime.start();
        handshakeStart = System.nanoTime();
        read("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
        return file;
    }

    private void read(String ascii) {
        ByteBuffer b = ByteBuffer.wrap(ascii.getBytes(StandardCharsets.US_ASCII));
        Tap.onRead(server, b, 0, b.limit());
    }

    private void write(String ascii) {
        ByteBuffer b = ByteBuffer.wrap(ascii.getBytes(StandardCharsets.US_ASCII));
        Tap.onWriteStart(server, b, 0, b.limit());
        Tap.onWriteEnd(server, b.limit(), b.limit());
    }

    /** The server writes one unmasked frame; returns {before, after} the call. */
    private long[] writeFrame(int opcode, byte... payload) {
        ByteBuffer b = ByteBuffer.allocate(2 + payload.length);
        b.put((byte) (0x80 | opcode)).put((byte) payload.length).put(payload).flip();
        long before = System.nanoTime();
        Tap.onWriteStart(server, b, 0, b.limit());
        Tap.onWriteEnd(server, b.limit(), b.limit());
        return new long[] {before, System.nanoTime()};
    }

    private void readBack(Path file) throws Exception {
        runtime.stop(); // drains the ring and closes the capture
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.readAll(new IgnoringSink() {
                @Override
                public void frame(long id, long t, Endpoint sender, Frame f, int stackId) {
                    frames.add(new long[] {t, f.opcode()});
                }

                @Override
                public void tcpClosed(long id, long t, Endpoint endpoint, TcpEnd how, int stackId) {
                    tcpEnds.add(new long[] {t, how.ordinal()});
                }
            });
        }
    }

    @Test
    void busyDataFramesShareAReadingForAtMostSixteenCallsAndCloseFramesAndPausesAreExact() throws Exception {
        Path file = start(false);
        int n = 200;
        List<long[]> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(writeFrame(0x2, (byte) i));
        }
        // Longer than the writer's longest sleep (100 ms, while application threads keep the tick): a wake came, and
        // the next data frame's reading is fresh.
        Thread.sleep(150);
        long[] afterPause = writeFrame(0x2, (byte) 1);
        long[] close = writeFrame(0x8, (byte) 0x03, (byte) 0xE8);
        readBack(file);

        assertEquals(n + 2, frames.size());
        int k = runtime.callsPerReading;
        long distinct = frames.stream().limit(n).mapToLong(f -> f[0]).distinct().count();
        assertTrue(distinct >= n / k, "a reading serves at most " + k + " calls: " + distinct + " distinct times in " + n);
        for (int i = 0; i < n; i++) {
            long t = frames.get(i)[0];
            assertTrue(t <= calls.get(i)[1], "frame " + i + " is not stamped after its call");
            long earliest = i >= k - 1 ? calls.get(i - (k - 1))[0] : handshakeStart;
            assertTrue(t >= earliest, "frame " + i + " is stamped before the call " + (k - 1) + " calls earlier");
            if (i > 0) {
                assertTrue(t >= frames.get(i - 1)[0], "times of a connection never go back (frame " + i + ")");
            }
        }
        long tPause = frames.get(n)[0];
        assertTrue(tPause >= afterPause[0] && tPause <= afterPause[1], "a data frame after a pause is stamped in its call");
        assertEquals(0x8, frames.get(n + 1)[1]);
        long tClose = frames.get(n + 1)[0];
        assertTrue(tClose >= close[0] && tClose <= close[1], "a Close frame is stamped in its own call");
    }

    /**
     * While the writer sleeps, an application thread's exact reading ends the tick once it is 20 ms old (so a busy
     * JVM keeps its own time), not sooner, and a reading from long ago never sets the tick back.
     */
    @Test
    void anExactReadingEndsTheTickOnceItIsTwentyMillisecondsOld() throws Exception {
        TapRuntime rt = TapRuntimes.writingTo(dir.resolve("tick.wstap"), 64, false); // not started: no writer wakes
        long now = System.nanoTime();
        rt.clockRead(now);
        long tick = rt.tick;
        rt.clockRead(now + TapRuntime.TICK_NANOS / 2);
        rt.clockRead(now - TapRuntime.TICK_NANOS * 10); // a thread that took its reading long ago
        assertEquals(tick, rt.tick, "the tick is not over before 20 ms, and an old reading does not end it");
        rt.clockRead(now + TapRuntime.TICK_NANOS);
        assertEquals(tick + 1, rt.tick, "over at 20 ms");
        rt.clockRead(now + TapRuntime.TICK_NANOS + 1);
        assertEquals(tick + 1, rt.tick, "the new tick runs from the reading that began it");
        rt.clockRead(now + 2 * TapRuntime.TICK_NANOS);
        assertEquals(tick + 2, rt.tick);
    }

    @Test
    void withExactTimesEveryDataFrameIsStampedInItsOwnCall() throws Exception {
        Path file = start(true);
        List<long[]> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(writeFrame(0x1, (byte) 'a'));
        }
        readBack(file);
        assertEquals(100, frames.size());
        for (int i = 0; i < 100; i++) {
            long t = frames.get(i)[0];
            assertTrue(t >= calls.get(i)[0] && t <= calls.get(i)[1], "frame " + i + " is stamped in its own call");
        }
    }

    /**
     * shutdownOutput() is stamped with the time its call began, taken by the hook before the FIN leaves: a peer in the
     * same JVM can read that FIN before the call returns, and must not be seen to read it before it was sent.
     */
    @Test
    void aHalfCloseIsStampedWhenItsCallBegan() throws Exception {
        Path file = start(false);
        writeFrame(0x8, (byte) 0x03, (byte) 0xE8);
        long calledAt = System.nanoTime();
        Thread.sleep(5); // the call's exit, well after its entry
        Tap.onShutdownOutput(server, calledAt);
        readBack(file);
        assertEquals(1, tcpEnds.size());
        assertEquals(TcpEnd.HALF_CLOSE.ordinal(), tcpEnds.get(0)[1]);
        assertEquals(calledAt, tcpEnds.get(0)[0], "stamped at the call's entry, not when the tap saw it");
    }

    /** An entry time before the connection's last event (another thread recorded a frame meanwhile) is kept in order. */
    @Test
    void aHalfCloseIsNeverStampedBeforeTheConnectionsLastEvent() throws Exception {
        Path file = start(false);
        long calledAt = System.nanoTime();
        Thread.sleep(2);
        writeFrame(0x8, (byte) 0x03, (byte) 0xE8); // recorded between the half-close's entry and its exit
        Tap.onShutdownOutput(server, calledAt);
        readBack(file);
        long closeFrame = frames.get(frames.size() - 1)[0];
        assertEquals(1, tcpEnds.size());
        assertTrue(closeFrame > calledAt, "the Close frame came after the entry");
        assertEquals(closeFrame, tcpEnds.get(0)[0], "the half-close is stamped with the connection's last time");
    }
}
