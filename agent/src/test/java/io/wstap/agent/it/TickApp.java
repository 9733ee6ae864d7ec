package io.wstap.agent.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends {@code args[0]} text messages ("tick i"), one every millisecond, each awaited before the next, to
 * {@link RawWebSocketServer} (which echoes them, reading through a buffer) through the JDK HttpClient, then closes with 1000. Prints
 * "echoed N" once the server's Close came: the application must see every echo whatever the agent does.
 */
public final class TickApp {
    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        AtomicInteger echoed = new AtomicInteger();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        try (RawWebSocketServer server = new RawWebSocketServer(null, true)) { // buffered: its reads are whole frames
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/tick"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            echoed.incrementAndGet();
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            closed.complete(null);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < messages; i++) {
                int before = echoed.get();
                ws.sendText("tick " + i, true).get(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (echoed.get() == before && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                Thread.sleep(1);
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
            closed.get(10, TimeUnit.SECONDS);
            System.out.println("echoed " + echoed.get());
        }
    }
}
