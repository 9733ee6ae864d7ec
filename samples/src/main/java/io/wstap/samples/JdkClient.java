package io.wstap.samples;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The JDK {@code java.net.http} WebSocket client as one side of a scenario: it connects, runs a script, and reports
 * how the connection ended as its application saw it ({@code closed CODE "REASON"}, {@code error ... (1006)} or
 * {@code handshake refused: HTTP STATUS}).
 */
public final class JdkClient {
    /** What the client's application does once connected. */
    @FunctionalInterface
    public interface Script {
        void run(WebSocket ws) throws Exception;
    }

    private JdkClient() {
    }

    /**
     * Connects to {@code uri} (wss:// with {@code tls}, trusting its certificate), runs {@code script}, waits for the
     * end. {@code answerClose} false: the application never lets the client answer a Close (the peer waits in vain).
     */
    public static String run(URI uri, SSLContext tls, Script script, boolean answerClose) throws Exception {
        CompletableFuture<String> closed = new CompletableFuture<>();
        HttpClient http = tls == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(tls).build();
        WebSocket ws;
        try {
            ws = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
                    closed.complete("closed " + code + (reason.isEmpty() ? "" : " \"" + reason + "\""));
                    // Completing the stage lets the client answer the Close; a stage that never completes means the
                    // application never lets it.
                    return answerClose ? null : new CompletableFuture<Void>();
                }

                @Override
                public void onError(WebSocket webSocket, Throwable error) {
                    closed.complete("error " + error.getClass().getSimpleName() + " (1006)");
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return "handshake refused: HTTP " + h.getResponse().statusCode();
            }
            throw e;
        }
        script.run(ws);
        String result = closed.get(10, TimeUnit.SECONDS);
        Thread.sleep(500); // let TCP finish closing while the capture runs
        if (!answerClose) {
            ws.abort();
        }
        return result;
    }
}
