package io.wstap.samples;

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
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Netty 4.2 WebSocket echo server on 127.0.0.1 (ephemeral port), NIO transport (the JDK's SocketChannel):
 * {@link WebSocketServerProtocolHandler} does the opening handshake and answers Close frames (then closes TCP); the
 * handler echoes every text and binary frame. With {@code closeAfter > 0} the server itself closes with 4000
 * "go away" once it has echoed that many messages.
 *
 * <p>Run alone ({@code main}): serves {@code ws://127.0.0.1:PORT/echo} until stdin closes.
 */
public final class NettyEchoServer implements AutoCloseable {
    /** The server-initiated Close of the {@code --server-closes} variant. */
    static final int GO_AWAY_CODE = 4000;
    static final String GO_AWAY_REASON = "go away";

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel listener;
    /** Completes when the (first) WebSocket connection's channel has closed. */
    final CompletableFuture<Void> channelClosed = new CompletableFuture<>();

    NettyEchoServer(int closeAfter) throws InterruptedException {
        WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/echo")
                .maxFramePayloadLength(1 << 20) // the default (65 536) would refuse the 70 000-byte text with 1009
                .build();
        listener = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.closeFuture().addListener(f -> channelClosed.complete(null));
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536),
                                new WebSocketServerProtocolHandler(ws), new Echo(closeAfter));
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Echoes data frames (Netty decodes each frame whole: no fragmentation here). */
    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final int closeAfter;
        private int echoed;

        Echo(int closeAfter) {
            this.closeAfter = closeAfter;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            // Netty hands over each data frame as decoded off the wire (masked: its decoder refuses unmasked frames).
            int opcode = frame instanceof TextWebSocketFrame ? 1 : frame instanceof BinaryWebSocketFrame ? 2
                    : frame instanceof ContinuationWebSocketFrame ? 0 : -1;
            if (opcode >= 0) {
                Exchange.say("server received frame " + Exchange.frame(opcode, frame.isFinalFragment(), true,
                        frame.content().readableBytes()));
            }
            if (frame instanceof TextWebSocketFrame text) {
                String s = text.text();
                int n = Exchange.utf8Length(s);
                Exchange.say("server received text " + n);
                Exchange.say("server sent text " + n);
                ctx.writeAndFlush(new TextWebSocketFrame(s));
            } else if (frame instanceof BinaryWebSocketFrame binary) {
                int n = binary.content().readableBytes();
                Exchange.say("server received binary " + n);
                Exchange.say("server sent binary " + n);
                ctx.writeAndFlush(new BinaryWebSocketFrame(binary.content().retain()));
            } else {
                return; // pings are answered by the protocol handler
            }
            if (++echoed == closeAfter) {
                Exchange.say("server sent close " + GO_AWAY_CODE + " " + GO_AWAY_REASON);
                ctx.writeAndFlush(new CloseWebSocketFrame(GO_AWAY_CODE, GO_AWAY_REASON));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange.say("server error " + cause);
            ctx.close();
        }
    }

    @Override
    public void close() {
        try {
            listener.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        try (NettyEchoServer s = new NettyEchoServer(0)) {
            System.out.println("serving ws://127.0.0.1:" + s.port() + "/echo until stdin closes");
            while (System.in.read() >= 0) {
                // serve
            }
        }
    }
}
