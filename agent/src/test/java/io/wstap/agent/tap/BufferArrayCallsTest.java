package io.wstap.agent.tap;

import io.wstap.capture.CaptureReader;
import io.wstap.capture.IgnoringSink;
import io.wstap.engine.Endpoint;
import io.wstap.wire.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Calls over buffer arrays (an SSLEngine's wrap and unwrap, gathering writes and scattering reads) as the hooks make
 * them: the entry takes the buffers' positions ({@link Tap#enterAll}: one or two buffers packed into the value Byte
 * Buddy hands from entry to exit, more in the thread's state), the exit hands over what each buffer gained or gave
 * since. Buffers start at positions far from 0 and beyond 2^16, so that a position read from the wrong half or
 * shifted shows as frames lost or misread. Read back from the capture file.
 */
class BufferArrayCallsTest {
    @TempDir
    Path dir;
    private LoopbackChannels channels;
    private SocketChannel server;
    private TapRuntime runtime;
    private Path file;
    private final List<String> frames = new ArrayList<>(); // "out|in opcode length"

    @BeforeEach
    void open() throws IOException {
        channels = new LoopbackChannels();
        server = channels.server;
        file = dir.resolve("arrays.wstap");
        runtime = TapRuntimes.writingTo(file, 1024, false);
        runtime.start();
        channels.serverUpgrades();
    }

    @AfterEach
    void close() throws IOException {
        Tap.runtime = null;
        channels.close();
    }

    @Test
    void writesOverOneTwoAndThreeBuffersAreEachSeenWhole() throws Exception {
        // A server's binary frame of n payload bytes over n buffers: its header first, its payload after.
        byte[][][] calls = {
                {{(byte) 0x82, 1, 7}},
                {{(byte) 0x82, 2}, {1, 9}},
                {{(byte) 0x82, 3}, {1}, {2, 9}},
        };
        for (byte[][] call : calls) {
            ByteBuffer[] srcs = new ByteBuffer[call.length];
            for (int i = 0; i < call.length; i++) {
                srcs[i] = ByteBuffer.allocate(70_000 + 8 * i);
                srcs[i].position(65_537 + 3 * i);
                put(srcs[i], call[i]);
            }
            long entered = Tap.enterAll(srcs, 0, srcs.length);
            for (ByteBuffer b : srcs) {
                b.position(b.limit()); // the wrap consumed everything
            }
            Tap.onWriteAll(server, srcs, 0, srcs.length, false, entered);
        }
        readBack();
        assertEquals(List.of("out 2 1", "out 2 2", "out 2 3"), frames);
    }

    @Test
    void readsIntoOneTwoAndThreeBuffersAreEachSeenWhole() throws Exception {
        // Client frames (masked, key 0): a header's 6 bytes split across the buffers, then payload.
        byte[][] frameBytes = {
                {(byte) 0x81, (byte) 0x81, 0, 0, 0, 0, 'a'},
                {(byte) 0x82, (byte) 0x82, 0, 0, 0, 0, 1, 2},
                {(byte) 0x89, (byte) 0x83, 0, 0, 0, 0, 'x', 'y', 'z'},
        };
        for (int buffers = 1; buffers <= 3; buffers++) {
            byte[] bytes = frameBytes[buffers - 1];
            ByteBuffer[] dsts = new ByteBuffer[buffers];
            for (int i = 0; i < buffers; i++) {
                dsts[i] = ByteBuffer.allocate(70_000);
                dsts[i].position(65_536 + 5 * i);
            }
            long entered = Tap.enterAll(dsts, 0, buffers);
            // The unwrap fills the buffers in turn: 3 bytes into each but the last, which takes the rest.
            int k = 0;
            for (int i = 0; i < buffers; i++) {
                int n = i == buffers - 1 ? bytes.length - k : 3;
                dsts[i].put(bytes, k, n);
                k += n;
            }
            Tap.onReadAll(server, dsts, 0, buffers, false, entered);
        }
        readBack();
        assertEquals(List.of("in 1 1", "in 2 2", "in 9 3"), frames);
    }

    @Test
    void aCallThatMovesNothingIsPassedOverAndOneThatFillsOnlyItsSecondBufferIsSeen() throws Exception {
        // An unwrap that underflows (no plaintext) is passed over before any look-up; the next one leaves its first
        // buffer as it was (full) and fills the second: the skip must look at both positions.
        byte[] frame = {(byte) 0x82, (byte) 0x82, 0, 0, 0, 0, 1, 2};
        for (int call = 0; call < 2; call++) {
            ByteBuffer[] dsts = {ByteBuffer.allocate(70_000), ByteBuffer.allocate(70_000)};
            dsts[0].position(65_536);
            dsts[1].position(65_541);
            long entered = Tap.enterAll(dsts, 0, 2);
            if (call == 1) {
                dsts[1].put(frame);
            }
            Tap.onReadAll(server, dsts, 0, 2, true, entered);
        }
        readBack();
        assertEquals(List.of("in 2 2"), frames);
    }

    private void readBack() throws Exception {
        runtime.stop();
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.readAll(new IgnoringSink() {
                @Override
                public void frame(long id, long t, Endpoint sender, Frame f, int stackId) {
                    frames.add((sender == Endpoint.LOCAL ? "out " : "in ") + f.opcode() + " " + f.payloadLength());
                }
            });
        }
    }

    private static void put(ByteBuffer b, byte... bytes) {
        int at = b.position();
        b.put(bytes);
        b.limit(b.position()).position(at); // [position, limit) is what the call offers
    }
}
