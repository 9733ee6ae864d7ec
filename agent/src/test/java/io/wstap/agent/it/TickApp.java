package io.wstap.agent.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@code args[0]} text messages ("tick i"), one every millisecond, each awaited before the next, to
 * {@link RawWebSocketServer} (which echoes them, reading through a buffer) through the JDK HttpClient, then closes
 * with 1000. Prints "echoed N" once the server's Close came, then whether the echoes were the messages sent: the
 * application must see its traffic whole whatever the agent does.
 */
public final class TickApp {
    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        EchoListener listener = new EchoListener();
        List<String> sent = new ArrayList<>();
        try (RawWebSocketServer server = new RawWebSocketServer(null, true)) { // buffered: its reads are whole frames
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/tick"), listener)
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < messages; i++) {
                String text = "tick " + i;
                sent.add(text);
                ws.sendText(text, true).get(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (listener.echoes() <= i && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                Thread.sleep(1);
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
            listener.closed.get(10, TimeUnit.SECONDS);
            System.out.println("echoed " + listener.echoes());
            listener.printEchoCheck(sent);
        }
    }
}
