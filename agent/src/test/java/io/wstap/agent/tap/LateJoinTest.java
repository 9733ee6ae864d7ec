package io.wstap.agent.tap;

import io.wstap.capture.CaptureReplay;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Late attach (the agent came after the upgrade): where a connection is picked up. Driven through the real hooks'
 * entry points on a real connected channel, as a blocking server that reads a frame in pieces (header bytes, masking
 * key, payload: RawWebSocketServer, java.net.Socket without a buffer) would call them, read back from the capture.
 */
class LateJoinTest {
    @TempDir
    Path dir;
    private LoopbackChannels channels;
    private SocketChannel server;
    private TapRuntime runtime;
    private Path file;

    @BeforeEach
    void open() throws IOException {
        channels = new LoopbackChannels();
        server = channels.server;
        file = dir.resolve("late.wstap");
        runtime = TapRuntimes.writingTo(file, 1024, true);
        runtime.start();
    }

    @AfterEach
    void close() throws IOException {
        Tap.runtime = null;
        channels.close();
    }

    /**
     * A client's masked text frame, read by the server as its header's two bytes, its key and its payload. The key is
     * chosen so that its 4 bytes, read alone, look like a whole unmasked binary frame of 2 bytes (about one key in
     * 5 000 does); joined there, the client's frames would have been taken for the server's.
     */
    private void serverReadsInPieces(String text, byte[] key) {
        byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= key[i % 4];
        }
        Tap.onRead(server, new byte[] {(byte) 0x81}, 0, 1);
        Tap.onRead(server, new byte[] {(byte) (0x80 | payload.length)}, 0, 1);
        Tap.onRead(server, key, 0, 4);
        Tap.onRead(server, payload, 0, payload.length);
    }

    private void serverWrites(String text) {
        byte[] frame = new byte[2 + text.length()];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) text.length();
        System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, frame, 2, text.length());
        Tap.onWriteStart(server, frame, 0, frame.length);
    }

    private Reconstruction onlyConnection() throws Exception {
        runtime.stop();
        CaptureReplay replay = new CaptureReplay();
        CaptureReplay.replay(file, replay);
        Map<Long, Reconstruction> connections = replay.reconstructions();
        assertEquals(1, connections.size(), connections.toString());
        return connections.values().iterator().next();
    }

    @Test
    void aReadThatLooksLikeAFrameByChanceIsNotWhereTheConnectionIsJoined() throws Exception {
        byte[] plausibleKey = {(byte) 0x82, 0x02, 0x10, 0x20}; // binary, FIN, unmasked, length 2: 0x10 0x20
        serverReadsInPieces("after 0", plausibleKey);
        serverWrites("after 0"); // the echo: a write of one whole frame, where it is joined
        serverReadsInPieces("after 1", new byte[] {0x11, 0x22, 0x33, 0x44});
        serverWrites("after 1");

        Reconstruction r = onlyConnection();
        assertTrue(r.joinedMidStream(), r.toString());
        assertEquals(Endpoint.REMOTE, r.clientEndpoint(), "the peer is the client: it masks\n" + r);
        assertEquals(1, r.framesFrom(Role.CLIENT), r.toString());
        assertEquals(2, r.framesFrom(Role.SERVER), r.toString());
        assertEquals(List.of(), r.findings().stream().map(f -> f.rule().id()).toList(), r.toString());
    }

    @Test
    void twoReadsInARowOfWholeFramesJoinAReadOnlyConnection() throws Exception {
        // A client that only listens, its library reading whole frames: the first such read could be chance, the
        // second confirms it. The frames are joined from the second read on.
        for (int i = 0; i < 3; i++) {
            byte[] frame = {(byte) 0x81, 0x02, 'h', (byte) ('0' + i)};
            Tap.onRead(channels.client, frame, 0, frame.length);
        }
        Reconstruction r = onlyConnection();
        assertTrue(r.joinedMidStream(), r.toString());
        assertEquals(Endpoint.LOCAL, r.clientEndpoint(), "the peer sends unmasked frames: it is the server\n" + r);
        assertEquals(2, r.framesFrom(Role.SERVER), "joined at the second read\n" + r);
    }
}
