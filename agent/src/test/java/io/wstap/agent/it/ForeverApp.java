package io.wstap.agent.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.TimeUnit;

/** Sends a message every 2 ms until killed: the crash-safety test kills it with SIGKILL mid-stream. */
public final class ForeverApp {
    public static void main(String[] args) throws Exception {
        try (RawWebSocketServer server = new RawWebSocketServer()) {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/forever"), new WebSocket.Listener() {
                    }).get(10, TimeUnit.SECONDS);
            System.out.println("SENDING");
            System.out.flush();
            for (long i = 0; ; i++) {
                ws.sendText("tick " + i, true).get(10, TimeUnit.SECONDS);
                Thread.sleep(2);
            }
        }
    }
}
