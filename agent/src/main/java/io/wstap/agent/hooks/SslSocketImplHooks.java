package io.wstap.agent.hooks;

import io.wstap.agent.tap.Tap;
import net.bytebuddy.asm.Advice;

/**
 * {@code sun.security.ssl.SSLSocketImpl}: TLS plaintext of blocking sockets, at its application streams; the owning
 * SSLSocketImpl (the inner classes' {@code this$0}) is the connection's key.
 */
public final class SslSocketImplHooks {
    public static final String SOCKET = "sun.security.ssl.SSLSocketImpl";
    public static final String OUTPUT = "sun.security.ssl.SSLSocketImpl$AppOutputStream";
    public static final String INPUT = "sun.security.ssl.SSLSocketImpl$AppInputStream";

    private SslSocketImplHooks() {
    }

    /** {@code AppOutputStream.write(byte[], int, int)}: blocking, all or an exception; handed over on entry. */
    public static final class WriteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("this$0") Object socket, @Advice.Argument(0) byte[] b,
                          @Advice.Argument(1) int off, @Advice.Argument(2) int len) {
            Tap.onTlsWriteStart(socket, b, off, len);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.FieldValue("this$0") Object socket, @Advice.Argument(2) int len,
                         @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                Tap.onError(socket, thrown);
            }
            Tap.onWriteEnd(socket, len, thrown == null ? len : 0);
        }
    }

    /** {@code AppInputStream.read(byte[], int, int)}. */
    public static final class ReadAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.FieldValue("this$0") Object socket, @Advice.Argument(0) byte[] b,
                         @Advice.Argument(1) int off, @Advice.Return int n, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                Tap.onError(socket, thrown);
            } else if (n > 0) {
                Tap.onTlsRead(socket, b, off, n);
            } else if (n < 0) {
                Tap.onEof(socket);
            }
        }
    }

    /** {@code SSLSocketImpl.close()}. */
    public static final class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object self) {
            Tap.onClose(self);
        }
    }
}
