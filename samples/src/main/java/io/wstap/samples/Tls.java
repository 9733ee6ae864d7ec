package io.wstap.samples;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

/**
 * An SSLContext from one PKCS12 keystore holding a self-signed certificate (for localhost and 127.0.0.1): the server
 * presents it and the client trusts it. Make one with {@code keytool -genkeypair -keyalg RSA -dname CN=localhost
 * -ext san=ip:127.0.0.1,dns:localhost -validity 2 -storetype PKCS12 -keystore KS -storepass PW -keypass PW}.
 */
final class Tls {
    private Tls() {
    }

    static SSLContext context(Path keystore, char[] password) throws Exception {
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
