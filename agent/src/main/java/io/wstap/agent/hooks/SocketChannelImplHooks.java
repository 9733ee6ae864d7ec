package io.wstap.agent.hooks;

import io.wstap.agent.tap.Tap;
import net.bytebuddy.asm.Advice;

import java.nio.ByteBuffer;

/**
 * {@code sun.nio.ch.SocketChannelImpl}: NIO sockets (Jetty, Netty NIO, Tomcat, Undertow, the JDK HttpClient), and
 * the socket adaptor's streams through the byte[] paths. Each advice marks {@code [position before, position after)}
 * and calls the {@link Tap}; it is inlined into the JDK class, so it has no fields or constants of its own.
 */
public final class SocketChannelImplHooks {
    public static final String TYPE = "sun.nio.ch.SocketChannelImpl";

    private SocketChannelImplHooks() {
    }

    /**
     * {@code int write(ByteBuffer)}. Written bytes are handed to the tap on entry, before they can reach the peer, so
     * that the peer's answer is never seen before them (a reader thread can run between the syscall and the exit);
     * the exit reports how many were really written, for partial writes.
     */
    public static final class WriteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int enter(@Advice.This Object self, @Advice.Argument(0) ByteBuffer src) {
            int position = src.position();
            Tap.onWriteStart(self, src, position, src.limit());
            return position;
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Argument(0) ByteBuffer src, @Advice.Enter int before,
                         @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                Tap.onError(self, thrown);
            }
            Tap.onWriteEnd(self, src.limit() - before, src.position() - before);
        }
    }

    /** {@code long write(ByteBuffer[], int, int)}: gathering (the JDK HttpClient writes this way). */
    public static final class GatheringWriteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter(@Advice.This Object self, @Advice.Argument(0) ByteBuffer[] srcs, @Advice.Argument(1) int off,
                          @Advice.Argument(2) int len) {
            return Tap.onWriteStartAll(self, srcs, off, len);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Enter long requested, @Advice.Return long n,
                         @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                Tap.onError(self, thrown);
            }
            Tap.onWriteEnd(self, requested, Math.max(n, 0));
        }
    }

    /** {@code private int tryWrite(byte[], int, int)}: the socket adaptor's output stream. */
    public static final class TryWriteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object self, @Advice.Argument(0) byte[] b, @Advice.Argument(1) int off,
                          @Advice.Argument(2) int len) {
            Tap.onWriteStart(self, b, off, len);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Argument(2) int len, @Advice.Return int n,
                         @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                Tap.onError(self, thrown);
            }
            Tap.onWriteEnd(self, len, Math.max(n, 0));
        }
    }

    /** {@code int read(ByteBuffer)}. */
    public static final class ReadAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int enter(@Advice.Argument(0) ByteBuffer dst) {
            return dst.position();
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Argument(0) ByteBuffer dst, @Advice.Enter int before,
                         @Advice.Return int n, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                Tap.onError(self, thrown);
            } else if (n > 0) {
                Tap.onRead(self, dst, before, dst.position());
            } else if (n < 0) {
                Tap.onEof(self);
            }
        }
    }

    /** {@code long read(ByteBuffer[], int, int)}: scattering. */
    public static final class ScatteringReadAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter(@Advice.Argument(0) ByteBuffer[] dsts, @Advice.Argument(1) int off, @Advice.Argument(2) int len) {
            return Tap.enterAll(dsts, off, len);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Argument(0) ByteBuffer[] dsts, @Advice.Argument(1) int off,
                         @Advice.Argument(2) int len, @Advice.Return long n, @Advice.Enter long entered,
                         @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                Tap.onError(self, thrown);
            } else if (n > 0) {
                Tap.onReadAll(self, dsts, off, len, false, entered);
            } else if (n < 0) {
                Tap.onEof(self);
            }
        }
    }

    /** {@code int blockingRead(byte[], int, int, long)}: the socket adaptor's input stream. */
    public static final class BlockingReadAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Argument(0) byte[] b, @Advice.Argument(1) int off,
                         @Advice.Return int n, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                Tap.onError(self, thrown);
            } else if (n > 0) {
                Tap.onRead(self, b, off, n);
            } else if (n < 0) {
                Tap.onEof(self);
            }
        }
    }

    /** {@code protected void implCloseSelectableChannel()}: called once per channel. */
    public static final class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object self) {
            Tap.onClose(self);
        }
    }

    /**
     * {@code SocketChannel shutdownOutput()}: a half-close (a FIN on the wire) while the channel still reads; Jetty
     * does this right after every Close frame it sends, and only calls close() later. Stamped with the time at entry,
     * before the FIN leaves (a peer in the same JVM may read it before this method returns), recorded only if it
     * succeeded.
     */
    public static final class ShutdownOutputAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter() {
            return System.nanoTime();
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Enter long calledAt, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                Tap.onShutdownOutput(self, calledAt);
            }
        }
    }
}
