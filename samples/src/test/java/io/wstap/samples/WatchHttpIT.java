package io.wstap.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wstap watch --http}: the live page, in headless Chromium, shows the figures of a real target (LiveTraffic
 * under the agent) that the page got by server-sent events; the server listens on the address given only and refuses
 * a foreign Host header. A missing Chromium is a failure (CI installs it), as for the HTML report.
 */
class WatchHttpIT {
    private static final String CHROMIUM = "/usr/bin/chromium";

    @TempDir
    Path dir;

    @Test
    void thePageShowsTheLiveFiguresInChromium() throws Exception {
        assertTrue(Files.isExecutable(Path.of(CHROMIUM)), CHROMIUM + " is missing: apt-get install chromium");
        LiveTarget.Wstap w;
        try (LiveTarget target = LiveTarget.start(dir, "quiet=true,file=" + dir.resolve("h.wstap"), true)) {
            // long enough for a loaded machine; the target's end (closing it below) ends the watch
            w = new LiveTarget.Wstap("watch", "--duration", "180s", "--http", "127.0.0.1:0",
                    "127.0.0.1:" + target.jmxPort);
            w.awaitErr("live page at ");
            Matcher m = Pattern.compile("live page at (http://127\\.0\\.0\\.1:(\\d+)/)").matcher(w.err());
            assertTrue(m.find(), w.err());
            String url = m.group(1);
            int port = Integer.parseInt(m.group(2));
            target.tell("round", "round done");
            target.tell("hold 2", "holding 2");
            JsonNode snap = awaitSnapshot(url);
            assertEquals(4, snap.get("open").asLong(), snap.toString());

            String dom = chromium(url, "--dump-dom");
            assertTrue(dom.contains("<div class=\"v\" id=\"open\">4</div>"), dom);
            assertTrue(dom.contains("<td>1000 normal closure</td><td class=\"n\">6</td><td class=\"n\">6</td>"), dom);
            assertTrue(dom.contains("<td>4000 private use</td><td class=\"n\">2</td><td class=\"n\">2</td>"), dom);
            assertTrue(dom.contains("<td>abrupt</td><td class=\"n\">2</td>"), dom);
            assertTrue(dom.contains("<td>clean</td><td class=\"n\">12</td>"), dom);
            assertTrue(dom.contains("WS301 missing-close-frame (error, server)"), dom);
            assertTrue(dom.contains("at io.wstap.samples.raw.RawServer.serve(RawServer.java:"), dom);
            // the chart: one bar per outcome and second with closes, coloured by outcome
            assertTrue(dom.contains("fill=\"#2a9d3a\""), "a clean bar: " + dom);
            assertTrue(dom.contains("fill=\"#d62828\""), "an abrupt bar: " + dom);

            Path png = Path.of("target", "watch-page.png").toAbsolutePath();
            Files.deleteIfExists(png);
            chromium(url, "--screenshot=" + png);
            assertTrue(Files.exists(png), "no screenshot: " + Files.readString(Path.of("target", "chromium-watch.log")));
            assertTrue(Files.size(png) > 10_000, "a rendered page, not a blank one");

            // Only the address asked for, and only requests naming it.
            assertEquals(403, rawGet(port, "evil.example:" + port));
            assertEquals(200, rawGet(port, "127.0.0.1:" + port));
            assertEquals(200, rawGet(port, "localhost:" + port));
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        assertThrows(ConnectException.class, () -> {
                            try (Socket s = new Socket()) {
                                s.connect(new InetSocketAddress(a, port), 2000);
                            }
                        }, "listening on " + a + " too");
                    }
                }
            }
        }
        assertEquals(0, w.join(), w.err());
    }

    /** /snapshot.json once the round and the held connections are in (the stream has a second or two of latency). */
    private static JsonNode awaitSnapshot(String url) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode snap = null;
        while (System.nanoTime() < end) {
            String body = http.send(HttpRequest.newBuilder(URI.create(url + "snapshot.json")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            snap = new ObjectMapper().readTree(body);
            if (snap != null && !snap.isNull() && snap.get("outcomes").path("clean").asLong() == 12
                    && snap.get("open").asLong() == 4 && snap.get("findings").size() > 0) {
                return snap;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the page's data never had the round: " + snap);
    }

    /**
     * Headless Chromium on the page, which stops its event stream after 2 updates ({@code ?messages=2}): an open stream
     * would keep the network busy and the virtual-time budget from ever expiring.
     */
    private String chromium(String url, String what) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium");
        Path out = dir.resolve("chromium-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1100,1000",
                "--virtual-time-budget=5000", what, url + "?messages=2")
                .redirectOutput(out.toFile()).redirectError(Path.of("target", "chromium-watch.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** The status of GET / with this Host header (a browser's fetch could not forge it; a rebinding page sends its own). */
    private static int rawGet(int port, String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream o = s.getOutputStream();
            o.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            o.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}
