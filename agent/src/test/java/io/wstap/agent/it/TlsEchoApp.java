package io.wstap.agent.it;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link EchoApp} over wss://: the JDK HttpClient (TLS through SSLEngine) to {@link RawWebSocketServer} on an
 * SSLServerSocket (TLS through SSLSocket). Args: keystore path, password.
 */
public final class TlsEchoApp {
    public static void main(String[] args) throws Exception {
        SSLContext tls = NoiseApp.tls(Path.of(args[0]), args[1].toCharArray());
        try (RawWebSocketServer server = new RawWebSocketServer(tls)) {
            EchoListener listener = new EchoListener();
            WebSocket ws = HttpClient.newBuilder().sslContext(tls).build().newWebSocketBuilder()
                    .buildAsync(URI.create("wss://localhost:" + server.port() + "/secure"), listener).get(10, TimeUnit.SECONDS);
            List<String> sent = List.of("secret 0", "secret 1", "secret 2");
            for (String text : sent) {
                ws.sendText(text, true).get(10, TimeUnit.SECONDS);
            }
            ws.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
            System.out.println("closed " + listener.closed.get(10, TimeUnit.SECONDS));
            listener.printEchoCheck(sent);
            Thread.sleep(300);
        }
    }
}
