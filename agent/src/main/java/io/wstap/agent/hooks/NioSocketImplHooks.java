package io.wstap.agent.hooks;

import io.wstap.agent.tap.Tap;
import net.bytebuddy.asm.Advice;

/**
 * {@code sun.nio.ch.NioSocketImpl}: the {@code java.net.Socket} implementation since JDK 13 (OkHttp, Java-WebSocket
 * in blocking mode, plain sockets). Under an SSLSocket these bytes are TLS records, which the tap recognises and
 * leaves to {@link SslSocketImplHooks}.
 */
public final class NioSocketImplHooks {
    public static final String TYPE = "sun.nio.ch.NioSocketImpl";

    private NioSocketImplHooks() {
    }

    /** {@code private int implWrite(byte[], int, int)}: bytes handed over on entry, the count written on exit. */
    public static final class WriteAdvice {
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

    /** {@code private int read(byte[], int, int)} ({@code implRead} changed arity between 17 and 25: not hooked). */
    public static final class ReadAdvice {
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

    /** {@code protected void close()}: idempotent in the JDK; the tap counts only the first. */
    public static final class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object self) {
            Tap.onClose(self);
        }
    }

    /**
     * {@code protected void shutdownOutput()}: a half-close; the socket still reads. Stamped with the time at entry,
     * before the FIN leaves, so a peer in the same JVM never reads it before it was sent; recorded only if it succeeded.
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
