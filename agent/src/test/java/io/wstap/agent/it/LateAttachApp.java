package io.wstap.agent.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.TimeUnit;

/**
 * Opens a WebSocket connection (JDK HttpClient to {@link RawWebSocketServer}) and exchanges two messages BEFORE the
 * agent is attached; prints READY and waits for GO on stdin; then three more messages and a clean close.
 */
public final class LateAttachApp {
    public static void main(String[] args) throws Exception {
        try (RawWebSocketServer server = new RawWebSocketServer()) {
            EchoListener listener = new EchoListener();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/late"), listener)
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 2; i++) {
                ws.sendText("before " + i, true).get(10, TimeUnit.SECONDS);
            }
            waitFor(() -> listener.echoes() == 2);
            System.out.println("READY " + ProcessHandle.current().pid());
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
            String line = stdin.readLine();
            if (!"GO".equals(line)) {
                throw new IllegalStateException("expected GO, got " + line);
            }
            for (int i = 0; i < 3; i++) {
                ws.sendText("after " + i, true).get(10, TimeUnit.SECONDS);
            }
            waitFor(() -> listener.echoes() == 5);
            ws.sendClose(1000, "late bye").get(10, TimeUnit.SECONDS);
            System.out.println("closed " + listener.closed.get(10, TimeUnit.SECONDS));
            Thread.sleep(200);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(5);
        }
    }
}
