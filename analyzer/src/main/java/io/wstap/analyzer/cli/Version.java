package io.wstap.analyzer.cli;

import io.wstap.capture.CaptureWriter;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code wstap --version}: the tool's version (from the build), the capture format it reads, the JVM it runs on. */
public final class Version implements CommandLine.IVersionProvider {
    /** The project version, "0.1.0-SNAPSHOT"; "unknown" when run from unpackaged classes without resources. */
    public static String version() {
        try (InputStream in = Version.class.getResourceAsStream("/io/wstap/analyzer/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // unknown
        }
        return "unknown";
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "wstap " + version(),
            "reads wstap capture format version " + CaptureWriter.VERSION,
            "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
