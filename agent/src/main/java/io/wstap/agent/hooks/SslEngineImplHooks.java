package io.wstap.agent.hooks;

import io.wstap.agent.tap.Tap;
import net.bytebuddy.asm.Advice;

import javax.net.ssl.SSLEngineResult;
import java.nio.ByteBuffer;

/**
 * {@code sun.security.ssl.SSLEngineImpl}: TLS plaintext for NIO (the JDK HttpClient, Jetty, Netty's JDK TLS). The
 * 6-argument {@code wrap}/{@code unwrap} are hooked; the 4-argument ones call them (hooking both would count twice).
 * The engine object is the connection's key: the JDK gives no link from an engine to its channel. A result with
 * status CLOSED is TLS's own orderly close: close_notify received (unwrap) or sent (wrap).
 */
public final class SslEngineImplHooks {
    public static final String TYPE = "sun.security.ssl.SSLEngineImpl";

    private SslEngineImplHooks() {
    }

    /** {@code wrap(ByteBuffer[] srcs, int off, int len, ByteBuffer dst)}: plaintext = what was consumed of the sources. */
    public static final class WrapAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter(@Advice.Argument(0) ByteBuffer[] srcs, @Advice.Argument(1) int off, @Advice.Argument(2) int len) {
            return Tap.enterAll(srcs, off, len);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Argument(0) ByteBuffer[] srcs, @Advice.Argument(1) int off,
                         @Advice.Argument(2) int len, @Advice.Return SSLEngineResult result,
                         @Advice.Enter long entered, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                Tap.onWriteAll(self, srcs, off, len, true, entered);
                Tap.onTlsResult(self, result, false);
            }
        }
    }

    /** {@code unwrap(ByteBuffer src, ByteBuffer[] dsts, int off, int len)}: plaintext = what was produced into them. */
    public static final class UnwrapAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter(@Advice.Argument(1) ByteBuffer[] dsts, @Advice.Argument(2) int off, @Advice.Argument(3) int len) {
            return Tap.enterAll(dsts, off, len);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Argument(1) ByteBuffer[] dsts, @Advice.Argument(2) int off,
                         @Advice.Argument(3) int len, @Advice.Return SSLEngineResult result,
                         @Advice.Enter long entered, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                Tap.onReadAll(self, dsts, off, len, true, entered);
                Tap.onTlsResult(self, result, true);
            }
        }
    }
}
