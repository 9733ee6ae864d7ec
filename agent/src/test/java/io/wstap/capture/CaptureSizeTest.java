package io.wstap.capture;

import io.wstap.engine.Connection;
import io.wstap.engine.EngineOptions;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Outcome;
import io.wstap.engine.Protocol;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.Frames;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** How compact the format is, how fast it reads, and that neither side allocates per frame. */
class CaptureSizeTest {
    private static final String REQUEST = "GET /chat HTTP/1.1\r\nHost: chat.example.com\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Origin: https://chat.example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n\r\n";
    private static final String RESPONSE = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n";

    @TempDir
    Path dir;

    /**
     * 20 connections interleaved, each opened by a real handshake, then 64-byte text frames both ways (client frames
     * masked with fresh random keys) 50 µs apart on average, flushed once per second of capture time as the agent
     * does, then closed cleanly. Everything is counted: header, handshakes, block headers, closes.
     */
    @Test
    void aRealisticMixTakesAtMost16BytesPerFrame() throws Exception {
        int connections = 20;
        int frames = 200_000;
        Path file = dir.resolve("mix.wstap");
        Random random = new Random(2026);
        byte[][] payloads = new byte[64][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = ("{\"type\":\"msg\",\"room\":" + (1000 + i) + ",\"text\":\"hello there, how are you?\"}   ")
                    .substring(0, 64).getBytes(StandardCharsets.US_ASCII);
        }
        long t = 1_234_567_890_123L;
        Connection[] c = new Connection[connections];
        long beforeFrames;
        int clientFrames = 0;
        Map<Long, Reconstruction> live = new java.util.HashMap<>();
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            LiveCapture.Forward forward = new LiveCapture.Forward(w);
            for (int i = 0; i < connections; i++) {
                long id = 100_000 + 7L * i; // ids of a long-running agent
                w.connection(id, t, "10.1.2." + (i + 10) + ":" + (50_000 + i), "10.9.8.7:443", Transport.TLS);
                c[i] = new Connection(id, EngineOptions.DEFAULTS, forward);
                byte[] req = REQUEST.getBytes(StandardCharsets.US_ASCII);
                byte[] res = RESPONSE.getBytes(StandardCharsets.US_ASCII);
                c[i].onBytes(Endpoint.LOCAL, t += 300_000, req, 0, req.length);
                c[i].onBytes(Endpoint.REMOTE, t += 2_000_000, res, 0, res.length);
            }
            w.flush();
            beforeFrames = w.bytesWritten();
            long lastFlush = t;
            for (int n = 0; n < frames; n++) {
                t += (long) (-Math.log(1 - random.nextDouble()) * 50_000); // exponential gaps, mean 50 µs
                int i = random.nextInt(connections);
                byte[] bytes;
                Endpoint from;
                if (random.nextBoolean()) {
                    bytes = Frames.text(new String(payloads[random.nextInt(64)], StandardCharsets.US_ASCII), random.nextInt());
                    from = Endpoint.LOCAL;
                    clientFrames++;
                } else {
                    bytes = Frames.frame(true, Opcode.TEXT, null, payloads[random.nextInt(64)]);
                    from = Endpoint.REMOTE;
                }
                c[i].onBytes(from, t, bytes, 0, bytes.length);
                if (t - lastFlush >= 1_000_000_000L) {
                    w.flush();
                    lastFlush = t;
                }
            }
            w.flush();
            long dataBytes = w.bytesWritten() - beforeFrames;
            for (int i = 0; i < connections; i++) {
                byte[] close = Frames.close(1000, "bye", random.nextInt());
                c[i].onBytes(Endpoint.LOCAL, t += 10_000, close, 0, close.length);
                byte[] echo = Frames.close(1000, "bye", null);
                c[i].onBytes(Endpoint.REMOTE, t += 10_000, echo, 0, echo.length);
                c[i].onTcpClosed(Endpoint.REMOTE, TcpEnd.FIN, t += 10_000);
                c[i].onTcpClosed(Endpoint.LOCAL, TcpEnd.FIN, t += 10_000);
            }
            w.endOfCapture(t += 1_000_000);
            for (Connection k : c) {
                k.onEndOfCapture(t);
                live.put(k.id(), k.reconstruction());
            }
            System.out.printf("frames alone: %.2f bytes/frame (%d client, %d server frames)%n",
                    (double) dataBytes / frames, clientFrames, frames - clientFrames);
        }
        long size = Files.size(file);
        double perFrame = (double) size / (frames + 2 * connections);
        System.out.printf("capture of %d connections, %d frames: %d bytes, %.2f bytes/frame all included%n",
                connections, frames + 2 * connections, size, perFrame);
        assertTrue(perFrame <= 16, perFrame + " bytes per frame");

        CaptureReplay replay = new CaptureReplay();
        ReadReport report = Captures.read(file, replay);
        assertTrue(report.clean());
        assertEquals(live, replay.finish().reconstructions());
        assertTrue(live.values().stream().allMatch(r -> r.outcome() == Outcome.CLEAN && r.findings().isEmpty()));
    }

    /** A capture of {@code frames} frames over 20 connections, offsets consistent, written with one reused view. */
    private static Path bigCapture(Path file, int frames) throws Exception {
        Frame f = new Frame();
        long[][] offsets = new long[20][2];
        Random random = new Random(1);
        long t = 0;
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            for (int i = 0; i < 20; i++) {
                w.connection(i, t, "a:" + i, "b:443", Transport.PLAIN);
                w.joinedMidStream(i, t, Role.CLIENT, Protocol.RFC6455);
            }
            for (int n = 0; n < frames; n++) {
                int i = n % 20;
                int d = (n / 20) & 1;
                t += 1000 + (n & 0xFFF);
                boolean client = d == 0;
                f.set(true, 0, Opcode.TEXT, client, client ? random.nextInt() : 0, 64, client ? 6 : 2, offsets[i][d],
                        false, false, false, null, 0, 0);
                offsets[i][d] += 64 + (client ? 6 : 2);
                w.frame(i, t, client ? Endpoint.LOCAL : Endpoint.REMOTE, f, -1);
            }
            w.endOfCapture(t);
        }
        return file;
    }

    private static final class Counter extends IgnoringSink {
        long frames;
        long bytes;

        @Override
        public void frame(long id, long t, Endpoint sender, Frame frame, int stackId) {
            frames++;
            bytes += frame.payloadLength();
        }
    }

    @Test
    void readerSpeed() throws Exception {
        int frames = 4_000_000;
        Path file = bigCapture(dir.resolve("big.wstap"), frames);
        double best = 0;
        for (int round = 0; round < 5; round++) {
            Counter counter = new Counter();
            long start = System.nanoTime();
            try (CaptureReader r = CaptureReader.open(file)) {
                r.readAll(counter);
            }
            long elapsed = System.nanoTime() - start;
            assertEquals(frames, counter.frames);
            best = Math.max(best, frames / (elapsed / 1e9));
        }
        System.out.printf("reader: %.1f M frames/s (%d frames, %.2f bytes/frame, best of 5)%n", best / 1e6, frames,
                (double) Files.size(file) / frames);
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void neitherTheWriterNorTheReaderAllocatesPerFrame() throws Exception {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean tmx
                && tmx.isThreadAllocatedMemorySupported() && tmx.isThreadAllocatedMemoryEnabled());
        Frame f = new Frame();
        int frames = 1_000_000;
        Path file = dir.resolve("alloc.wstap");
        long writerBytes;
        try (CaptureWriter w = CaptureWriter.create(file, Captures.header(), 0)) {
            long[] offsets = new long[40];
            for (int i = 0; i < 20; i++) {
                w.connection(i, 0, "a:" + i, "b:443", Transport.PLAIN);
            }
            long t = 0;
            long before = 0;
            for (int n = 0; n < 2 * frames; n++) {
                if (n == frames) {
                    before = allocated(); // warmed up
                }
                int i = n % 40;
                boolean client = i < 20;
                f.set(true, 0, Opcode.BINARY, client, n, 64, client ? 6 : 2, offsets[i], false, false, false, null, 0, 0);
                offsets[i] += 64 + (client ? 6 : 2);
                w.frame(i % 20, t += 5000, client ? Endpoint.LOCAL : Endpoint.REMOTE, f, -1);
                if ((n & 0x3FFF) == 0) {
                    w.flush();
                }
            }
            writerBytes = allocated() - before;
        }
        Counter counter = new Counter();
        try (CaptureReader r = CaptureReader.open(file)) {
            r.readAll(counter); // warm up
        }
        long before = allocated();
        try (CaptureReader r = CaptureReader.open(file)) {
            r.readAll(counter);
        }
        long readerBytes = allocated() - before;
        System.out.printf("allocation: writer %.4f, reader %.4f bytes/frame%n", (double) writerBytes / frames,
                (double) readerBytes / (2 * frames));
        // An object per frame would cost 16 bytes or more per frame; a reader's fixed buffers (decode buffer,
        // connection map: about 100 KB per open) and the per-block work stay far below a quarter byte.
        assertTrue(writerBytes < frames / 4, "writer: " + writerBytes + " bytes for " + frames + " frames");
        assertTrue(readerBytes < 2 * frames / 4, "reader: " + readerBytes + " bytes for " + 2 * frames + " frames");
    }
}
