package io.wstap.analyzer.remote;

import jdk.jfr.Configuration;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The wstap.jfc that ships in the agent jar (and so in wstap.jar): the settings watch and record ask the target for. */
public final class WstapSettings {
    private WstapSettings() {
    }

    /** wstap.jfc's text. */
    public static String jfc() {
        try (InputStream in = WstapSettings.class.getResourceAsStream("/wstap.jfc")) {
            if (in == null) {
                throw new IllegalStateException("wstap.jfc is missing from the classpath (a broken build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read wstap.jfc", e);
        }
    }

    /**
     * wstap.jfc as JFR settings ("io.wstap.Close#enabled" = "true"), plus jdk.JVMInformation (the recording's JVM and
     * pid in reports).
     */
    public static Map<String, String> settings() {
        try (Reader r = new InputStreamReader(new java.io.ByteArrayInputStream(jfc().getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)) {
            Map<String, String> s = new LinkedHashMap<>(Configuration.create(r).getSettings());
            s.put("jdk.JVMInformation#enabled", "true");
            s.put("jdk.JVMInformation#period", "beginChunk");
            return s;
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("cannot parse wstap.jfc", e);
        }
    }

    /** wstap.jfc with jdk.JVMInformation added, as a .jfc text for FlightRecorderMXBean.setConfiguration. */
    public static String jfcWithJvmInformation() {
        return jfc().replace("</configuration>", "  <event name=\"jdk.JVMInformation\">\n"
                + "    <setting name=\"enabled\">true</setting>\n    <setting name=\"period\">beginChunk</setting>\n"
                + "  </event>\n</configuration>");
    }
}
