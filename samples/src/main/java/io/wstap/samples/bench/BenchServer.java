package io.wstap.samples.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wstap.samples.JettyEchoServer;
import io.wstap.samples.Tls;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The server JVM of {@link HostOverheadBenchmark}: a lean WebSocket echo server on 127.0.0.1 on Jetty 12 or Netty 4.2
 * (their NIO transports, the JDK's SocketChannel; wss:// through the JDK's SSLEngine), printing nothing per message.
 * Protocol on stdin/stdout: prints {@code PORT n}; the line {@code MARK} (end of the client's warm-up) starts the
 * allocation count; {@code STOP} prints {@code ALLOCATED app writer cpu}, the bytes allocated since MARK by the threads
 * that carry the traffic and by wstap's writer thread, and the nanoseconds of CPU the whole JVM used; then it serves until stdin closes.
 * With {@code -Dwstap.bench.asprof=FILE} it also profiles CPU from MARK to STOP ({@link WindowProfile}).
 *
 * <p>Args: {@code jetty|netty} and a PKCS12 keystore (password {@value #PASSWORD}) for TLS, or {@code -} for plain.
 */
public final class BenchServer {
    static final String PASSWORD = "changeit";
    /** Every traffic thread's name starts with this (Jetty's pool and Netty's event loops alike). */
    private static final String THREADS = "echo-";
    /** One frame of the 64 KiB runs, whole: both libraries' defaults allow 64 KiB of payload and nothing more. */
    private static final int MAX_MESSAGE = 1 << 20;

    public static void main(String[] args) throws Exception {
        SSLContext tls = args[1].equals("-") ? null : Tls.context(Path.of(args[1]), PASSWORD.toCharArray());
        AutoCloseable server;
        int port;
        if (args[0].equals("jetty")) {
            Jetty j = new Jetty(tls);
            server = j;
            port = j.port();
        } else if (args[0].equals("netty")) {
            Netty n = new Netty(tls);
            server = n;
            port = n.port();
        } else {
            throw new IllegalArgumentException("server " + args[0] + ": expected jetty or netty");
        }
        try (server) {
            // The management beans (and the profiler) load and link many classes on first use, and a class loaded
            // can deoptimize hot code (a JIT log showed IOUtil.read recompiled in the window): first use them now, so
            // the measured window, which starts by reading them, does not pay for that in either arm.
            allocated(false);
            allocated(true);
            cpuNanos();
            WindowProfile profile = WindowProfile.loadIfAsked();
            System.out.println("PORT " + port);
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            stdin.readLine(); // MARK
            if (profile != null) {
                profile.start();
            }
            long app = allocated(false);
            long writer = allocated(true);
            long cpu = cpuNanos();
            stdin.readLine(); // STOP
            if (profile != null) {
                profile.stop();
            }
            System.out.println("ALLOCATED " + (allocated(false) - app) + " " + (allocated(true) - writer) + " "
                    + (cpuNanos() - cpu));
            System.out.flush();
            while (stdin.readLine() != null) {
                // serve until the benchmark closes stdin (the client closes its connections meanwhile)
            }
        }
    }

    /**
     * CPU time this whole JVM has used (every thread: traffic, wstap's writer, JIT, GC): per message, the cost of
     * serving it, which unlike throughput does not depend on how the 2 cores were shared with the client.
     */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Bytes allocated so far by the live traffic threads, or by wstap's writer thread alone. */
    private static long allocated(boolean writerOnly) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            String name = info == null ? "" : info.getThreadName();
            if (writerOnly ? name.equals("wstap-writer") : name.startsWith(THREADS)) {
                sum += Math.max(0, threads.getThreadAllocatedBytes(info.getThreadId()));
            }
        }
        return sum;
    }

    /** Jetty 12's core WebSocket API on a plain Server: echoes each binary message with the buffer Jetty gave it. */
    static final class Jetty implements AutoCloseable {
        private final Server server;
        private final ServerConnector connector;

        Jetty(SSLContext tls) throws Exception {
            QueuedThreadPool pool = new QueuedThreadPool(64, 8);
            pool.setName(THREADS + "jetty");
            server = new Server(pool);
            connector = JettyEchoServer.loopbackConnector(server, tls);
            server.addConnector(connector);
            ContextHandler context = new ContextHandler("/");
            context.setHandler(WebSocketUpgradeHandler.from(server, context, container -> {
                container.setMaxBinaryMessageSize(MAX_MESSAGE);
                container.setMaxFrameSize(MAX_MESSAGE);
                container.addMapping("/echo", (request, response, callback) -> new Echo());
            }));
            server.setHandler(context);
            server.start();
        }

        int port() {
            return connector.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.stop();
        }

        /** Public: Jetty binds the listener's methods with MethodHandles. */
        public static final class Echo extends Session.Listener.AbstractAutoDemanding {
            @Override
            public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
                getSession().sendBinary(payload, callback); // Jetty's buffer is released once the echo is sent
            }
        }
    }

    /** Netty 4.2's websocketx server codec on its NIO transport, two event loops: echoes each binary frame. */
    static final class Netty implements AutoCloseable {
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2,
                new DefaultThreadFactory(THREADS + "netty"), NioIoHandler.newFactory());
        private final Channel listener;

        Netty(SSLContext tls) throws InterruptedException {
            WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath("/echo").maxFramePayloadLength(MAX_MESSAGE).build();
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                SSLEngine engine = tls.createSSLEngine();
                                engine.setUseClientMode(false);
                                ch.pipeline().addLast(new SslHandler(engine));
                            }
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536),
                                    new WebSocketServerProtocolHandler(ws), new Echo());
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) listener.localAddress()).getPort();
        }

        @Override
        public void close() throws InterruptedException {
            listener.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }

        private static final class Echo extends SimpleChannelInboundHandler<BinaryWebSocketFrame> {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, BinaryWebSocketFrame frame) {
                ctx.writeAndFlush(new BinaryWebSocketFrame(frame.content().retain()));
            }
        }
    }
}
