package io.wstap.agent.tap;

import io.wstap.capture.CaptureReader;
import io.wstap.capture.IgnoringSink;
import io.wstap.capture.Transport;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tapped connection's lock (TapConnection#lock): its reader and writer threads exclude each other, a waiter gets it
 * when the holder lets go, a thread never waits on itself, and a holder that never lets go is given up on after the
 * patience. The last test drives one real channel's hooks from two threads at once and reads every frame back.
 */
class ConnectionLockTest {
    @TempDir
    Path dir;
    private LoopbackChannels channels;
    private TapRuntime runtime;
    private Path file;

    @BeforeEach
    void open() throws IOException {
        channels = new LoopbackChannels();
        file = dir.resolve("lock.wstap");
        runtime = TapRuntimes.writingTo(file, 1 << 16, false);
        runtime.start();
    }

    @AfterEach
    void close() throws IOException {
        Tap.runtime = null;
        channels.close();
    }

    private TapConnection connection() {
        return new TapConnection(1, runtime, channels.server, Transport.PLAIN);
    }

    @Test
    void twoThreadsNeverHoldItTogether() throws Exception {
        TapConnection c = connection();
        int rounds = 100_000;
        CountDownLatch go = new CountDownLatch(2);
        AtomicInteger inside = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicLong refused = new AtomicLong();
        Runnable work = () -> {
            go.countDown();
            await(go); // both threads start together
            for (int i = 0; i < rounds; i++) {
                if (!c.lock()) {
                    refused.incrementAndGet();
                    continue;
                }
                if (inside.incrementAndGet() != 1) {
                    overlapped.set(true);
                }
                long before = c.writtenAhead; // a plain field: an update lost shows as a count missing
                for (int k = 0; k < 20; k++) {
                    Thread.onSpinWait(); // a critical section long enough for the other thread to try
                }
                c.writtenAhead = before + 1;
                inside.decrementAndGet();
                c.unlock();
            }
        };
        Thread a = new Thread(work);
        Thread b = new Thread(work);
        a.start();
        b.start();
        a.join(TimeUnit.SECONDS.toMillis(60));
        b.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals(0, refused.get(), "a holder scanning for microseconds is always waited for");
        assertFalse(overlapped.get(), "both threads held the lock at once");
        assertEquals(2L * rounds, c.writtenAhead, "updates lost: the lock let both threads in");
    }

    @Test
    void aWaiterGetsItWhenTheHolderLetsGo() throws Exception {
        TapConnection c = connection();
        assertTrue(c.lock());
        AtomicLong waitedNanos = new AtomicLong(-1);
        Thread waiter = new Thread(() -> {
            long t0 = System.nanoTime();
            if (c.lock()) {
                waitedNanos.set(System.nanoTime() - t0);
                c.unlock();
            }
        });
        waiter.start();
        Thread.sleep(50);
        c.unlock();
        waiter.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(waitedNanos.get() >= TimeUnit.MILLISECONDS.toNanos(40), "waited " + waitedNanos.get() + " ns");
        assertTrue(waitedNanos.get() < TapConnection.LOCK_PATIENCE_NANOS, "waited " + waitedNanos.get() + " ns");
    }

    @Test
    void aThreadComingBackIntoItIsRefusedAtOnce() {
        TapConnection c = connection();
        assertTrue(c.lock());
        long t0 = System.nanoTime();
        assertFalse(c.lock(), "the holder itself must not be let in again, nor wait on itself");
        assertTrue(System.nanoTime() - t0 < TapConnection.LOCK_PATIENCE_NANOS / 2, "refused without waiting");
        c.unlock();
        assertTrue(c.lock(), "free again once released");
        c.unlock();
    }

    @Test
    void aHolderThatNeverLetsGoIsGivenUpOnAfterThePatience() throws Exception {
        TapConnection c = connection();
        Thread holder = new Thread(c::lock);
        holder.start();
        holder.join();
        long t0 = System.nanoTime();
        assertFalse(c.lock());
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= TapConnection.LOCK_PATIENCE_NANOS, "gave up after " + waited + " ns");
        assertTrue(waited < 3 * TapConnection.LOCK_PATIENCE_NANOS, "gave up after " + waited + " ns");
    }

    /**
     * A server channel whose reader thread reads the client's frames while its writer thread writes its own, through
     * the hooks' entry points: both directions' frames are all in the capture, in each direction's order.
     */
    @Test
    void aConnectionsReaderAndWriterThreadsAreBothCapturedWhole() throws Exception {
        SocketChannel server = channels.server;
        channels.serverUpgrades();

        int frames = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            await(go);
            ByteBuffer in = ByteBuffer.allocate(8); // a masked binary frame of 2 bytes; its length byte counts
            for (int i = 0; i < frames; i++) {
                in.clear();
                in.put((byte) 0x82).put((byte) 0x82).putInt(i).put((byte) 0).put((byte) 0).flip();
                Tap.onRead(server, in, 0, in.limit());
            }
        });
        Thread writer = new Thread(() -> {
            await(go);
            ByteBuffer header = ByteBuffer.allocate(2);
            ByteBuffer payload = ByteBuffer.allocate(1);
            ByteBuffer[] both = {header, payload};
            for (int i = 0; i < frames; i++) { // as Jetty writes: a gathering write of a header and a payload
                header.clear();
                header.put((byte) 0x82).put((byte) 1).flip();
                payload.clear();
                payload.put((byte) i).flip();
                long n = Tap.onWriteStartAll(server, both, 0, 2);
                Tap.onWriteEnd(server, n, n);
            }
        });
        reader.start();
        writer.start();
        go.countDown();
        reader.join(TimeUnit.SECONDS.toMillis(60));
        writer.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals(0, runtime.tapErrors(), "no connection was given up");
        runtime.stop();

        long[] count = new long[2];
        long[] lastMaskKey = {-1};
        try (CaptureReader r = CaptureReader.open(file)) {
            r.readAll(new IgnoringSink() {
                @Override
                public void frame(long id, long t, Endpoint sender, Frame f, int stackId) {
                    if (sender == Endpoint.REMOTE) {
                        assertTrue(f.masked());
                        assertEquals(lastMaskKey[0] + 1, f.maskKey(), "the reader's frames in their order");
                        lastMaskKey[0] = f.maskKey();
                        assertEquals(2, f.payloadLength());
                    } else {
                        assertFalse(f.masked());
                        assertEquals(1, f.payloadLength());
                    }
                    count[sender == Endpoint.REMOTE ? 1 : 0]++;
                }
            });
        }
        assertEquals(frames, count[1], "frames read");
        assertEquals(frames, count[0], "frames written");
    }

    private static void await(CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
