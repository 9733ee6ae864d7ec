package io.wstap.agent.tap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a TLS channel finds its SSLEngine (the JDK gives no link between them): at one of the channel's writes, the
 * engine this thread wrapped with last. Two real engines made without a peer (as a Netty server makes them, so the
 * peer-port check cannot tell them apart) and two real loopback connections, one thread serving both, as an event
 * loop does; the hooks' entry points are called directly, in the order a server's calls make them.
 */
class TlsLinkTest {
    @TempDir
    Path dir;
    private TapRuntime runtime;
    private LoopbackChannels a, b;
    private SSLEngine engineA, engineB;

    @BeforeEach
    void open() throws Exception {
        runtime = TapRuntimes.writingTo(dir.resolve("link.wstap"), 1024, false);
        runtime.start();
        a = new LoopbackChannels();
        b = new LoopbackChannels();
        engineA = SSLContext.getDefault().createSSLEngine();
        engineB = SSLContext.getDefault().createSSLEngine();
        // Engine A carries a WebSocket upgrade in plaintext: it is a tapped connection, not linked to a channel yet.
        unwrap(engineA, LoopbackChannels.ascii(LoopbackChannels.UPGRADE_REQUEST));
        wrap(engineA, LoopbackChannels.ascii(LoopbackChannels.UPGRADE_RESPONSE));
        assertFalse(tapped(engineA).linkedToChannel);
    }

    @AfterEach
    void close() throws IOException {
        runtime.stop();
        Tap.runtime = null;
        a.close();
        b.close();
    }

    @Test
    void anotherEnginesHandshakeRecordsDoNotTakeTheLink() {
        // Between A's wrap and its channel's write, the thread makes B's handshake records (a wrap that consumes no
        // plaintext) and writes them to B's channel: B's channel must not be linked to A.
        wrap(engineB, ByteBuffer.allocate(0));
        channelWrites(b);
        assertSame(Tap.TLS_UNLINKED, runtime.table.get(b.server));
        assertFalse(tapped(engineA).linkedToChannel);

        // A's next wrap and its channel's write: linked to each other.
        wrap(engineA, ByteBuffer.wrap(new byte[] {(byte) 0x81, 2, 'h', 'i'}));
        channelWrites(a);
        assertTrue(runtime.table.get(a.server) instanceof Tap.TlsLink link && link.engine() == engineA);
        assertTrue(tapped(engineA).linkedToChannel);
    }

    @Test
    void anUnwrapThatProducesNothingDoesNotStandBetweenAWrapAndItsWrite() {
        // B's unwrap underflows (no plaintext) between A's wrap and A's channel's write: A's channel still links to A.
        wrap(engineA, ByteBuffer.wrap(new byte[] {(byte) 0x81, 2, 'h', 'i'}));
        unwrap(engineB, ByteBuffer.allocate(0));
        channelWrites(a);
        assertTrue(runtime.table.get(a.server) instanceof Tap.TlsLink link && link.engine() == engineA);
    }

    @Test
    void anotherEnginesUnwrapDoesNotStandBetweenAWrapAndItsWrite() {
        // An event loop may unwrap B's request (plaintext: B is then a tapped connection, unlinked) between A's wrap
        // and A's flush: A's channel links to A, and B stays free for its own channel.
        wrap(engineA, ByteBuffer.wrap(new byte[] {(byte) 0x81, 2, 'h', 'i'}));
        unwrap(engineB, LoopbackChannels.ascii(LoopbackChannels.UPGRADE_REQUEST));
        channelWrites(a);
        assertTrue(runtime.table.get(a.server) instanceof Tap.TlsLink link && link.engine() == engineA);
        assertFalse(tapped(engineB).linkedToChannel);
    }

    /** {@code engine.wrap} as the hooks see it: {@code plaintext} consumed whole. */
    private static void wrap(SSLEngine engine, ByteBuffer plaintext) {
        ByteBuffer[] srcs = {plaintext};
        long entered = Tap.enterAll(srcs, 0, 1);
        plaintext.position(plaintext.limit());
        Tap.onWriteAll(engine, srcs, 0, 1, true, entered);
    }

    /** {@code engine.unwrap} as the hooks see it: {@code plaintext} produced into the destination. */
    private static void unwrap(SSLEngine engine, ByteBuffer plaintext) {
        ByteBuffer[] dsts = {ByteBuffer.allocate(4096)};
        long entered = Tap.enterAll(dsts, 0, 1);
        dsts[0].put(plaintext);
        Tap.onReadAll(engine, dsts, 0, 1, true, entered);
    }

    /** The server end's channel writes a TLS record (application data, TLS 1.2 framing), as after a wrap. */
    private static void channelWrites(LoopbackChannels c) {
        ByteBuffer record = ByteBuffer.wrap(new byte[] {23, 3, 3, 0, 4, 1, 2, 3, 4});
        Tap.onWriteStart(c.server, record, 0, record.limit());
        Tap.onWriteEnd(c.server, record.limit(), record.limit());
    }

    private TapConnection tapped(SSLEngine engine) {
        return (TapConnection) runtime.table.get(engine);
    }
}
