package io.wstap.agent.it;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

/**
 * Besides one WebSocket exchange ({@link EchoApp}), talks plain HTTP, HTTPS and a binary protocol to non-WebSocket
 * peers on loopback: none of them may appear in the capture. Args: keystore path, password.
 */
public final class NoiseApp {
    public static void main(String[] args) throws Exception {
        SSLContext tls = tls(Path.of(args[0]), args[1].toCharArray());
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", x -> {
            byte[] body = "plain".getBytes();
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        http.start();
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/", x -> {
            byte[] body = "secret".getBytes();
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        https.start();
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
            for (int i = 0; i < 3; i++) {
                String a = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.getAddress().getPort()
                        + "/x")).build(), HttpResponse.BodyHandlers.ofString()).body();
                String b = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + https.getAddress().getPort()
                        + "/y")).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (!a.equals("plain") || !b.equals("secret")) {
                    throw new IllegalStateException(a + " " + b);
                }
            }
            binaryProtocol(http.getAddress().getPort());
            EchoApp.main(new String[0]);
        } finally {
            http.stop(0);
            https.stop(0);
        }
    }

    /** A peer that speaks binary first (like a database greeting), to an HTTP server that just drops it. */
    private static void binaryProtocol(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(new byte[] {0x4a, 0, 0, 0, 0x0a, 0x38, 0x2e, 0x30, (byte) 0x82, 0x05});
            s.getOutputStream().flush();
            s.setSoTimeout(2000);
            InputStream in = s.getInputStream();
            try {
                while (in.read() >= 0) {
                    // drain until the server gives up on us
                }
            } catch (java.net.SocketTimeoutException ignored) {
                // fine: it waited for more
            }
        }
    }

    static SSLContext tls(Path keystore, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
