package io.wstap.analyzer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wstap.analyzer.testing.Seeds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runnable jar, analyzer/target/wstap.jar, run as {@code java -jar wstap.jar ...} in a forked JVM. */
class WstapJarIT {
    static Path jar;

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    @BeforeAll
    static void findJar() {
        String p = System.getProperty("wstap.jar");
        jar = Path.of(p != null ? p : "target/wstap.jar");
        assertTrue(Files.isRegularFile(jar), "missing " + jar.toAbsolutePath() + " (mvn package builds it)");
    }

    static Result java(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        Collections.addAll(cmd, args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LC_ALL", "C"); // output is UTF-8 whatever the locale
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null").exists()
                ? new java.io.File("/dev/null") : new java.io.File("NUL")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "wstap did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void analyzesACaptureAndExits1OnErrors() throws Exception {
        Path seeds = Seeds.seeds(dir);
        Result r = java("analyze", seeds.toString());
        assertEquals(ExitCodes.FINDINGS, r.exit(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("wstap · 1 capture · 10 connections"), r.out());
        assertTrue(r.out().contains("\"" + Seeds.CHINESE + "\""), "UTF-8 even under LC_ALL=C: " + r.out());
        assertTrue(r.out().contains("WS301 missing-close-frame · server"), r.out());
    }

    @Test
    void writesJsonAndHonoursFailOn() throws Exception {
        Path seeds = Seeds.seeds(dir);
        Path report = dir.resolve("report.json");
        Result r = java("analyze", "--format", "json", "--fail-on", "never", "-o", report.toString(), seeds.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertEquals("", r.out());
        JsonNode json = new ObjectMapper().readTree(Files.readString(report, StandardCharsets.UTF_8));
        assertEquals(10, json.get("connections").size());
        assertEquals(Seeds.CHINESE, json.get("connections").get(1).get("closeFrames").get(0).get("reason").asText());
    }

    @Test
    void refusesABadInputInOneLine() throws Exception {
        Path pcap = Files.write(dir.resolve("trace.pcap"), new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0});
        Result r = java("analyze", pcap.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit());
        assertEquals(pcap + ": at byte 0: expected a 24-byte pcap file header, found 8 bytes and the end of the file\n",
                r.err().replace("\r\n", "\n"));
        Result missing = java("analyze", dir.resolve("gone.wstap").toString());
        assertEquals(ExitCodes.BAD_INPUT, missing.exit());
        assertEquals(1, missing.err().lines().count(), missing.err());
    }

    @Test
    void usageVersionAndHowTo() throws Exception {
        Result version = java("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("wstap "), version.out());
        assertFalse(version.out().startsWith("wstap unknown"), "the version comes from the build: " + version.out());
        Result none = java();
        assertEquals(0, none.exit());
        assertTrue(none.out().startsWith("wstap: see how WebSocket connections close inside the JVM."), none.out());
        Result bad = java("analyze", "--format", "xml", "x.wstap");
        assertEquals(ExitCodes.USAGE, bad.exit());
        assertTrue(bad.err().contains("invalid value for --format: 'xml' (expected text, json or html)"), bad.err());
    }

    @Test
    void theJarHoldsTheEngineAndPicocliButNeitherAgentNorByteBuddy() throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            assertEquals("io.wstap.analyzer.cli.Main", j.getManifest().getMainAttributes().getValue("Main-Class"));
            assertNotNull(j.getEntry("picocli/CommandLine.class"));
            assertNotNull(j.getEntry("io/wstap/engine/Connection.class"));
            assertNotNull(j.getEntry("io/wstap/capture/CaptureReader.class"));
            assertNotNull(j.getEntry("io/wstap/wire/FrameScanner.class"));
            assertTrue(j.stream().noneMatch(e -> e.getName().startsWith("io/wstap/agent/")), "agent classes");
            assertTrue(j.stream().noneMatch(e -> e.getName().contains("bytebuddy")), "Byte Buddy");
            assertTrue(j.stream().noneMatch(e -> e.getName().startsWith("com/fasterxml/")), "test-only Jackson");
        }
    }
}
