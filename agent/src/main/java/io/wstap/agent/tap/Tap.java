package io.wstap.agent.tap;

import io.wstap.capture.Transport;
import io.wstap.engine.Endpoint;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.FrameSync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * What the hooks call. Loaded by the bootstrap class loader (the hooks are inlined into JDK classes), so it depends
 * on java.base and wstap's bootstrap packages only.
 *
 * <p>Contract: never throws (the advice also suppresses), never blocks on I/O, allocates nothing per call on
 * connections already known. A non-WebSocket connection costs one table look-up and a return. An internal error
 * stops the tap for that connection only and is counted.
 *
 * <p>Directions: bytes written by this JVM are {@link Endpoint#LOCAL}'s, bytes read are {@link Endpoint#REMOTE}'s.
 */
public final class Tap {
    /** The table's value for objects that are not (or no longer) tapped. */
    static final Object IGNORED = new Object();

    /** Null until the installer is done, and again after shutdown: every hook returns at once. */
    static volatile TapRuntime runtime;

    /** Per-thread positions of a gathering or scattering call's buffers at entry, reused (no allocation per call). */
    private static final ThreadLocal<int[]> POSITIONS = ThreadLocal.withInitial(() -> new int[16]);

    private Tap() {
    }

    // ---- single buffers ----

    /** A write of {@code buf[from, to)} on {@code socket} (plain TCP; TLS records are recognised and ignored). */
    public static void onWrite(Object socket, ByteBuffer buf, int from, int to) {
        TapRuntime rt = runtime;
        if (rt != null && to > from) {
            bytes(rt, socket, Transport.PLAIN, Endpoint.LOCAL, buf, null, from, to);
        }
    }

    public static void onRead(Object socket, ByteBuffer buf, int from, int to) {
        TapRuntime rt = runtime;
        if (rt != null && to > from) {
            bytes(rt, socket, Transport.PLAIN, Endpoint.REMOTE, buf, null, from, to);
        }
    }

    public static void onWrite(Object socket, byte[] buf, int off, int len) {
        TapRuntime rt = runtime;
        if (rt != null && len > 0) {
            bytes(rt, socket, Transport.PLAIN, Endpoint.LOCAL, null, buf, off, off + len);
        }
    }

    public static void onRead(Object socket, byte[] buf, int off, int len) {
        TapRuntime rt = runtime;
        if (rt != null && len > 0) {
            bytes(rt, socket, Transport.PLAIN, Endpoint.REMOTE, null, buf, off, off + len);
        }
    }

    /** TLS plaintext written through an SSLSocket's app stream (the owning socket is the key). */
    public static void onTlsWrite(Object socket, byte[] buf, int off, int len) {
        TapRuntime rt = runtime;
        if (rt != null && len > 0) {
            bytes(rt, socket, Transport.TLS, Endpoint.LOCAL, null, buf, off, off + len);
        }
    }

    public static void onTlsRead(Object socket, byte[] buf, int off, int len) {
        TapRuntime rt = runtime;
        if (rt != null && len > 0) {
            bytes(rt, socket, Transport.TLS, Endpoint.REMOTE, null, buf, off, off + len);
        }
    }

    // ---- gathering / scattering (and SSLEngine wrap/unwrap, whose plaintext is in buffer arrays) ----

    /** Enter of a call over {@code bufs[off, off+len)}: keeps their positions for {@link #onWriteAll}/{@link #onReadAll}. */
    public static void enterAll(ByteBuffer[] bufs, int off, int len) {
        if (runtime == null) {
            return;
        }
        int[] p = POSITIONS.get();
        if (p.length < len) {
            p = new int[Math.max(len, p.length * 2)];
            POSITIONS.set(p);
        }
        for (int i = 0; i < len; i++) {
            p[i] = bufs[off + i].position();
        }
    }

    /** Exit of a gathering write (or SSLEngine.wrap: {@code tls}): each buffer's consumed part, in order. */
    public static void onWriteAll(Object socket, ByteBuffer[] bufs, int off, int len, boolean tls) {
        all(socket, bufs, off, len, tls, Endpoint.LOCAL);
    }

    /** Exit of a scattering read (or SSLEngine.unwrap: {@code tls}): each buffer's filled part, in order. */
    public static void onReadAll(Object socket, ByteBuffer[] bufs, int off, int len, boolean tls) {
        all(socket, bufs, off, len, tls, Endpoint.REMOTE);
    }

    private static void all(Object socket, ByteBuffer[] bufs, int off, int len, boolean tls, Endpoint sender) {
        TapRuntime rt = runtime;
        if (rt == null) {
            return;
        }
        int[] p = POSITIONS.get();
        if (p.length < len) {
            return; // entered before the tap was live
        }
        Transport transport = tls ? Transport.TLS : Transport.PLAIN;
        for (int i = 0; i < len; i++) {
            ByteBuffer b = bufs[off + i];
            int from = p[i];
            int to = b.position();
            if (to > from) {
                bytes(rt, socket, transport, sender, b, null, from, to);
            }
        }
    }

    // ---- ends ----

    /** The stream ended: read returned -1 (the peer closed its side). */
    public static void onEof(Object socket) {
        TapRuntime rt = runtime;
        if (rt != null) {
            Object v = rt.table.get(socket);
            if (v instanceof TapConnection c) {
                end(rt, socket, c, Endpoint.REMOTE, TcpEnd.FIN);
            }
        }
    }

    /** A read or write threw. */
    public static void onError(Object socket, Throwable thrown) {
        TapRuntime rt = runtime;
        if (rt == null || !(thrown instanceof IOException) || thrown instanceof ClosedChannelException) {
            return; // a local close racing the call is reported by onClose
        }
        Object v = rt.table.get(socket);
        if (v instanceof TapConnection c) {
            String m = String.valueOf(thrown.getMessage()).toLowerCase(java.util.Locale.ROOT);
            boolean reset = m.contains("reset") || m.contains("broken pipe");
            end(rt, socket, c, reset ? Endpoint.REMOTE : Endpoint.LOCAL, reset ? TcpEnd.RESET : TcpEnd.IO_ERROR);
        }
    }

    /** close() of the tapped object: the local side ends TCP. Idempotent. */
    public static void onClose(Object socket) {
        TapRuntime rt = runtime;
        if (rt != null) {
            Object v = rt.table.remove(socket);
            if (v instanceof TapConnection c) {
                end(rt, socket, c, Endpoint.LOCAL, TcpEnd.FIN);
            }
        }
    }

    private static void end(TapRuntime rt, Object socket, TapConnection c, Endpoint who, TcpEnd how) {
        try {
            c.tcpClosed(who, how);
        } catch (Throwable t) {
            rt.internalError(socket, c);
        }
    }

    // ---- the common path ----

    private static void bytes(TapRuntime rt, Object socket, Transport transport, Endpoint sender, ByteBuffer buf,
                              byte[] array, int from, int to) {
        Object v = null;
        try {
            v = rt.table.get(socket);
            if (v == IGNORED) {
                return;
            }
            TapConnection c = (TapConnection) v;
            if (c == null) {
                c = rt.open(socket, transport);
                if (c == null) {
                    return;
                }
                v = c;
                if (rt.lateAttach && !looksLikeHttp(buf, array, from) && FrameSync.tilesFrames(buf, array, from, to)) {
                    c.joinMidStream(); // opened before the agent came: pick it up at this frame boundary
                }
            }
            if (rt.faults) {
                throw new IllegalStateException("wstap fault injection (test-only option faults=true)");
            }
            if (buf != null) {
                c.bytes(sender, buf, from, to);
            } else {
                c.bytes(sender, array, from, to - from);
            }
            if (c.ignored()) {
                rt.table.put(socket, IGNORED); // not WebSocket: from now on one look-up and a return
            }
        } catch (Throwable t) {
            rt.internalError(socket, v);
        }
    }

    /** The first byte of an HTTP method or status line ('A'-'Z'). */
    private static boolean looksLikeHttp(ByteBuffer buf, byte[] array, int from) {
        int b = (array != null ? array[from] : buf.get(from)) & 0xFF;
        return b >= 'A' && b <= 'Z';
    }
}
