package io.wstap.agent.it;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@link EchoApp} over wss://: the JDK HttpClient (TLS through SSLEngine) to {@link RawWebSocketServer} on an
 * SSLServerSocket (TLS through SSLSocket). Args: keystore path, password.
 */
public final class TlsEchoApp {
    public static void main(String[] args) throws Exception {
        SSLContext tls = NoiseApp.tls(Path.of(args[0]), args[1].toCharArray());
        try (RawWebSocketServer server = new RawWebSocketServer(tls)) {
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            WebSocket ws = HttpClient.newBuilder().sslContext(tls).build().newWebSocketBuilder()
                    .buildAsync(URI.create("wss://localhost:" + server.port() + "/secure"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            closed.complete(statusCode);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                ws.sendText("secret " + i, true).get(10, TimeUnit.SECONDS);
            }
            ws.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
            System.out.println("closed " + closed.get(10, TimeUnit.SECONDS));
            Thread.sleep(300);
        }
    }
}
