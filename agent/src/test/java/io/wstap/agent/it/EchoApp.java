package io.wstap.agent.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Run under the agent by {@link AgentIT}: the JDK HttpClient (NIO SocketChannel) talks to {@link RawWebSocketServer}
 * (blocking java.net sockets) in the same JVM: three text messages, then the client closes with 1000 "done", the
 * server echoes the Close and closes TCP. Also opens a plain HTTP-ish connection that must leave no trace.
 */
public final class EchoApp {
    public static void main(String[] args) throws Exception {
        try (RawWebSocketServer server = new RawWebSocketServer()) {
            plainTcpNoise(server.port());
            EchoListener listener = new EchoListener();
            HttpClient client = HttpClient.newHttpClient();
            WebSocket ws = client.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), listener).get(10, TimeUnit.SECONDS);
            List<String> sent = List.of("hello 0", "hello 1", "hello 2");
            for (String text : sent) {
                ws.sendText(text, true).get(10, TimeUnit.SECONDS);
            }
            ws.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
            int code = listener.closed.get(10, TimeUnit.SECONDS);
            Thread.sleep(200); // let the client see the server's FIN
            System.out.println("closed " + code);
            listener.printEchoCheck(sent);
            // JfrIT: stay past a period of the 1 s io.wstap.Stats event, so one carries the final counters
            Thread.sleep(Long.getLong("echo.linger", 0));
        }
    }

    /** A connection that speaks something else first: the agent must ignore it. */
    private static void plainTcpNoise(int port) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            s.getOutputStream().flush();
        }
    }
}
