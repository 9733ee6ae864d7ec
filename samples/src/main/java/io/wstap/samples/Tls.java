package io.wstap.samples;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

/**
 * An SSLContext from one PKCS12 keystore holding a self-signed certificate (for localhost and 127.0.0.1): the server
 * presents it and the client trusts it. {@link #selfSignedKeystore} makes one with the JDK's own keytool, so a sample
 * or a test needs no certificate checked in.
 */
public final class Tls {
    private Tls() {
    }

    public static SSLContext context(Path keystore, char[] password) throws Exception {
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

    /** {@code DIR/localhost.p12}: a fresh RSA key and a certificate for localhost and 127.0.0.1, valid two days. */
    public static Path selfSignedKeystore(Path dir, String password) throws IOException, InterruptedException {
        Path ks = dir.resolve("localhost.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "localhost", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", ks.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output.strip());
        }
        return ks;
    }

    /** A self-signed context in a temporary directory removed at exit: for samples that run on their own. */
    public static SSLContext selfSigned() throws Exception {
        Path dir = Files.createTempDirectory("wstap-tls");
        String password = "changeit";
        Path ks = selfSignedKeystore(dir, password);
        try {
            return context(ks, password.toCharArray());
        } finally {
            Files.deleteIfExists(ks);
            Files.deleteIfExists(dir);
        }
    }
}
