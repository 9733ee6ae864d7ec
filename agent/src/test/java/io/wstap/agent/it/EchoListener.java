package io.wstap.agent.it;

import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The echo apps' client listener: collects the echoed texts (so an app can say whether its traffic came back
 * byte-identical under the agent) and the Close code. Also reports any exception that escaped a thread, which the
 * agent must never cause.
 */
final class EchoListener implements WebSocket.Listener {
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final List<String> echoed = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();

    static {
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> System.out.println("UNCAUGHT in " + t.getName() + ": " + e));
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (echoed) {
            partial.append(data);
            if (last) {
                echoed.add(partial.toString());
                partial.setLength(0);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    /** Echoes received whole so far. */
    int echoes() {
        synchronized (echoed) {
            return echoed.size();
        }
    }

    /** Prints {@code echoed identical} when the echoes are exactly {@code sent}, in order. */
    void printEchoCheck(List<String> sent) {
        synchronized (echoed) {
            System.out.println(sent.equals(echoed) ? "echoed identical" : "echoed DIFFERENT: " + echoed + " for " + sent);
        }
    }
}
