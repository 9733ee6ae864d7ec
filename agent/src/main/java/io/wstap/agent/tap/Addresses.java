package io.wstap.agent.tap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOptions;
import java.nio.channels.SocketChannel;
import java.lang.invoke.MethodHandle;
import javax.net.ssl.SSLEngine;

/**
 * "ip:port" of each end of a tapped object, asked once per WebSocket connection (never per frame).
 * Unknown ends are "?" (an SSLEngine knows only its peer, and only if the application told it).
 */
final class Addresses {
    /** Set by the installer: SocketImpl's protected getInetAddress()/getPort()/getLocalPort(), opened to the tap. */
    static volatile MethodHandle socketImplAddress;
    static volatile MethodHandle socketImplPort;
    static volatile MethodHandle socketImplLocalPort;

    private Addresses() {
    }

    static String local(Object socket) {
        try {
            if (socket instanceof SocketChannel ch) {
                return format(ch.getLocalAddress());
            }
            if (socket instanceof java.net.Socket s) {
                return format(s.getLocalSocketAddress());
            }
            if (socket instanceof SocketOptions impl && socketImplLocalPort != null) {
                Object bound = impl.getOption(SocketOptions.SO_BINDADDR);
                int port = (int) socketImplLocalPort.invoke(socket);
                return format(bound instanceof InetAddress a ? a : null, port);
            }
        } catch (Throwable ignored) {
            // unknown
        }
        return "?";
    }

    static String remote(Object socket) {
        try {
            if (socket instanceof SocketChannel ch) {
                return format(ch.getRemoteAddress());
            }
            if (socket instanceof java.net.Socket s) {
                return format(s.getRemoteSocketAddress());
            }
            if (socket instanceof SSLEngine engine) {
                return engine.getPeerHost() == null ? "?" : engine.getPeerHost() + ":" + engine.getPeerPort();
            }
            if (socketImplAddress != null) {
                InetAddress a = (InetAddress) socketImplAddress.invoke(socket);
                int port = (int) socketImplPort.invoke(socket);
                return format(a, port);
            }
        } catch (Throwable ignored) {
            // unknown
        }
        return "?";
    }

    private static String format(SocketAddress a) {
        return a instanceof InetSocketAddress i ? format(i.getAddress(), i.getPort()) : "?";
    }

    static String format(InetAddress a, int port) {
        if (a == null) {
            return "?:" + port;
        }
        String host = a.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
