package io.wstap.samples;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link NettyEchoServer} and an OkHttp WebSocket client in one JVM, on 127.0.0.1: the client sends the texts and
 * the binary of {@link Exchange} and checks each echo. Then, by default, the client closes with 1000 "bye" and Netty
 * answers; with {@code --server-closes} the server closes with 4000 "go away" after the last echo and the client
 * answers with the same code and reason.
 *
 * <pre>
 * java -cp ... io.wstap.samples.NettyServerOkHttpApp [--server-closes]
 * </pre>
 *
 * The server is NIO (a SocketChannel); OkHttp uses a blocking java.net.Socket.
 */
public final class NettyServerOkHttpApp {
    private NettyServerOkHttpApp() {
    }

    public static void main(String[] args) throws Exception {
        Exchange.watchdog("NettyServerOkHttpApp", 60);
        boolean serverCloses = args.length == 1 && args[0].equals("--server-closes");
        if (args.length > 0 && !serverCloses) {
            System.err.println("usage: NettyServerOkHttpApp [--server-closes]");
            System.exit(2);
        }
        run(serverCloses);
        System.exit(0); // OkHttp's and Netty's threads never keep the demo waiting
    }

    static void run(boolean serverCloses) throws Exception {
        long timeout = Exchange.TIMEOUT_SECONDS;
        try (NettyEchoServer server = new NettyEchoServer(serverCloses ? Exchange.MESSAGES : 0)) {
            Exchange.say("server listening on 127.0.0.1:" + server.port());
            OkHttpClient client = new OkHttpClient.Builder().build();
            Listener listener = new Listener(serverCloses);
            WebSocket ws = client.newWebSocket(new Request.Builder()
                    .url("ws://127.0.0.1:" + server.port() + "/echo").build(), listener);
            listener.opened.get(timeout, TimeUnit.SECONDS);

            for (int i = 0; i < Exchange.TEXT_SIZES.length; i++) {
                String text = Exchange.text(i);
                send(ws.send(text));
                Exchange.say("client sent text " + Exchange.utf8Length(text));
                Object echo = listener.messages.poll(timeout, TimeUnit.SECONDS);
                if (!text.equals(echo)) {
                    throw new IllegalStateException("echo " + i + " differs from what was sent");
                }
                Exchange.say("client received text " + Exchange.utf8Length(text));
            }
            byte[] binary = Exchange.binary();
            send(ws.send(ByteString.of(binary)));
            Exchange.say("client sent binary " + binary.length);
            Object echo = listener.messages.poll(timeout, TimeUnit.SECONDS);
            if (!(echo instanceof ByteString b) || !b.equals(ByteString.of(binary))) {
                throw new IllegalStateException("binary echo differs from what was sent");
            }
            Exchange.say("client received binary " + binary.length);

            if (!serverCloses) {
                send(ws.close(1000, "bye"));
                Exchange.say("client sent close 1000 bye");
            } // else the listener answers the server's Close
            String clientSaw = listener.closing.get(timeout, TimeUnit.SECONDS);
            listener.closed.get(timeout, TimeUnit.SECONDS);
            server.channelClosed.get(timeout, TimeUnit.SECONDS);
            Thread.sleep(Exchange.SETTLE_MILLIS); // let each side read the other's FIN before the server stops
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
            Exchange.say("summary: netty ws server + OkHttp: " + Exchange.MESSAGES + " messages echoed; "
                    + (serverCloses ? "server closed " + NettyEchoServer.GO_AWAY_CODE + " " + NettyEchoServer.GO_AWAY_REASON
                    : "client closed 1000 bye") + ", client saw " + clientSaw);
        }
    }

    private static void send(boolean queued) {
        if (!queued) {
            throw new IllegalStateException("OkHttp refused to queue a message (closed or queue full)");
        }
    }

    private static final class Listener extends WebSocketListener {
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        /** The peer's Close (code and reason), as OkHttp's onClosing reports it. */
        final CompletableFuture<String> closing = new CompletableFuture<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final boolean answerClose;

        Listener(boolean answerClose) {
            this.answerClose = answerClose;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            opened.complete(null);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            messages.add(text);
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            messages.add(bytes);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            Exchange.say("client received close " + code + " " + reason);
            if (answerClose) {
                // OkHttp leaves the answer to the application: echo the server's code and reason.
                webSocket.close(code, reason);
                Exchange.say("client sent close " + code + " " + reason);
            }
            closing.complete(code + " " + reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            closed.complete(null);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            Exchange.say("client error " + t);
            opened.completeExceptionally(t);
            closing.completeExceptionally(t);
            closed.completeExceptionally(t);
        }
    }
}
