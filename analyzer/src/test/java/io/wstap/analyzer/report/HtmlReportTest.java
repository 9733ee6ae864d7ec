package io.wstap.analyzer.report;

import io.wstap.analyzer.cli.ExitCodes;
import io.wstap.analyzer.testing.CaptureBuilder;
import io.wstap.analyzer.testing.Cli;
import io.wstap.analyzer.testing.Script;
import io.wstap.analyzer.testing.Seeds;
import io.wstap.capture.Transport;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.wstap.analyzer.testing.Wire.close;
import static io.wstap.analyzer.testing.Wire.frame;
import static io.wstap.analyzer.testing.Wire.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wstap analyze --format html} on real captures of the seed scenarios: the page parses as XML, each connection
 * has its sequence diagram with the right arrows and finding markers, captured text stays text, and long runs of data
 * frames are one arrow. When Chromium is installed, the page is also rendered to a PNG.
 */
class HtmlReportTest {
    private static final String SVG = "http://www.w3.org/2000/svg";
    private static final String CHROMIUM = "/usr/bin/chromium";

    @TempDir
    Path dir;

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder b = f.newDocumentBuilder();
        return b.parse(new org.xml.sax.InputSource(new StringReader(html)));
    }

    private static Element section(Document d, String id) throws Exception {
        Element e = (Element) XPathFactory.newInstance().newXPath()
                .evaluate("//*[@id='" + id + "']", d, XPathConstants.NODE);
        assertNotNull(e, "no element with id " + id);
        return e;
    }

    /** The arrows (SVG groups with a line) of a connection's diagrams: their text, and whether they point left. */
    private record Arrow(String label, String cls, boolean fromServer) {
    }

    private static List<Arrow> arrows(Element section) {
        List<Arrow> l = new ArrayList<>();
        NodeList gs = section.getElementsByTagNameNS(SVG, "g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            NodeList lines = g.getElementsByTagNameNS(SVG, "line");
            NodeList texts = g.getElementsByTagNameNS(SVG, "text");
            if (lines.getLength() == 0 || texts.getLength() == 0 || g.getAttribute("class").equals("note")) {
                continue;
            }
            Element line = (Element) lines.item(0);
            boolean fromServer = Double.parseDouble(line.getAttribute("x1")) > Double.parseDouble(line.getAttribute("x2"));
            l.add(new Arrow(texts.item(0).getTextContent(), g.getAttribute("class"), fromServer));
        }
        return l;
    }

    private static List<String> badges(Element section) {
        List<String> l = new ArrayList<>();
        NodeList as = section.getElementsByTagNameNS(SVG, "a");
        for (int i = 0; i < as.getLength(); i++) {
            Node text = ((Element) as.item(i)).getElementsByTagNameNS(SVG, "text").item(0);
            l.add(text.getTextContent());
        }
        return l;
    }

    @Test
    void seedsDiagrams() throws Exception {
        Path out = dir.resolve("seeds.html");
        Cli.Run run = Cli.run("analyze", "--format", "html", "-o", out, Seeds.seeds(dir));
        assertEquals(ExitCodes.FINDINGS, run.exit(), run.toString());
        String html = Files.readString(out, StandardCharsets.UTF_8);
        assertFalse(html.contains("<script"), "no script");
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/", "").contains("http://"),
                "no external asset");
        Document d = parse(html);

        Element summary = section(d, "summary");
        assertTrue(summary.getTextContent().contains("WS205"), summary.getTextContent());
        assertTrue(summary.getTextContent().contains("application-used-1002"));
        assertTrue(summary.getTextContent().contains("2 abrupt") || summary.getTextContent().contains("1 abrupt"),
                summary.getTextContent());

        // 1: handshake, data both ways, clean close started by the client
        List<Arrow> c1 = arrows(section(d, "c-1"));
        assertTrue(c1.get(0).label().startsWith("upgrade request GET /chat") && !c1.get(0).fromServer(), c1.toString());
        assertEquals("101 Switching Protocols", c1.get(1).label());
        assertTrue(c1.get(1).fromServer());
        assertTrue(c1.stream().anyMatch(a -> a.label().equals("text frame (5 B)") && !a.fromServer()), c1.toString());
        assertTrue(c1.stream().anyMatch(a -> a.label().equals("text frame (5 B)") && a.fromServer()), c1.toString());
        assertTrue(c1.stream().anyMatch(a -> a.label().equals("Close 1000 (normal closure) \"bye\"") && !a.fromServer()));
        assertTrue(c1.stream().anyMatch(a -> a.label().equals("server closed TCP (fin)") && a.fromServer()), c1.toString());
        assertTrue(badges(section(d, "c-1")).isEmpty());

        // 3: the server drops TCP: abrupt, WS301 on the server's FIN, with the close() stack
        Element s3 = section(d, "c-3");
        assertTrue(s3.getTextContent().contains("the server closed TCP (fin) with no Close frame exchanged"));
        assertTrue(badges(s3).contains("WS301 missing-close-frame"), badges(s3).toString());
        Arrow fin = arrows(s3).stream().filter(a -> a.label().startsWith("server closed TCP")).findFirst().orElseThrow();
        assertTrue(fin.fromServer());
        assertTrue(s3.getTextContent().contains("com.example.chat.ChatEndpoint.drop(ChatEndpoint.java:120)"));
        assertTrue(s3.getTextContent().contains("CloseEvent 1006 (abnormal closure) · not clean"));
        badgeOnArrow(s3, "WS301", "server closed TCP (fin)");

        // 4: the server's application closes with 1002: WS205 on that very arrow
        Element s4 = section(d, "c-4");
        List<Arrow> c4 = arrows(s4);
        Arrow close1002 = c4.stream().filter(a -> a.label().startsWith("Close 1002")).findFirst().orElseThrow();
        assertTrue(close1002.fromServer(), c4.toString());
        assertEquals("Close 1002 (protocol error) \"client too old\"", close1002.label());
        assertTrue(badges(s4).contains("WS205 application-used-1002"), badges(s4).toString());
        screenshot(out, "seeds");
        badgeOnArrow(s4, "WS205", "Close 1002 (protocol error) \"client too old\"");

        // 8: rejected upgrade; 10: still open
        assertTrue(arrows(section(d, "c-8")).stream().anyMatch(a -> a.label().startsWith("403 Forbidden (upgrade rejected)")));
        assertTrue(section(d, "c-10").getTextContent().contains("capture ended, connection still open"));

        // lanes say which JVM captured them
        assertTrue(section(d, "c-4").getTextContent().contains("captured here: capture 1 · test-host · pid 4242"));
        assertTrue(section(d, "c-4").getTextContent().contains("192.168.7.1:443"));
        screenshot(out, "seeds");
    }

    /** The badge of {@code rule} sits on the row of the arrow labelled {@code label} (same height, within a row). */
    private static void badgeOnArrow(Element section, String rule, String label) {
        double arrowY = Double.NaN;
        NodeList gs = section.getElementsByTagNameNS(SVG, "g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            NodeList texts = g.getElementsByTagNameNS(SVG, "text");
            NodeList lines = g.getElementsByTagNameNS(SVG, "line");
            if (lines.getLength() > 0 && texts.getLength() > 0 && texts.item(0).getTextContent().equals(label)) {
                arrowY = Double.parseDouble(((Element) lines.item(0)).getAttribute("y1"));
                break; // the first such arrow (an echoed Close has the same label)
            }
        }
        assertFalse(Double.isNaN(arrowY), "no arrow " + label);
        NodeList as = section.getElementsByTagNameNS(SVG, "a");
        for (int i = 0; i < as.getLength(); i++) {
            Element a = (Element) as.item(i);
            if (a.getElementsByTagNameNS(SVG, "text").item(0).getTextContent().startsWith(rule + " ")) {
                double y = Double.parseDouble(((Element) a.getElementsByTagNameNS(SVG, "rect").item(0)).getAttribute("y"));
                assertTrue(Math.abs(y - arrowY) < 30, rule + " badge at " + y + ", arrow at " + arrowY);
                return;
            }
        }
        throw new AssertionError("no badge " + rule);
    }

    @Test
    void bothEndsShowBothViews() throws Exception {
        List<Path> pair = Seeds.pair(dir);
        Cli.Run run = Cli.run("analyze", "--format", "html", pair.get(0), pair.get(1));
        assertEquals(ExitCodes.FINDINGS, run.exit(), run.toString());
        Document d = parse(run.out());
        Element merged = section(d, "c-1-1_2-5");
        assertEquals(2, merged.getElementsByTagNameNS(SVG, "svg").getLength());
        String t = merged.getTextContent();
        assertTrue(t.contains("captured here: capture 1 · server-host · pid 100"), t);
        assertTrue(t.contains("also captured: capture 2 · client-host · pid 200"), t);
        assertTrue(t.contains("superseded here: WS304"), t);
    }

    @Test
    void capturedTextStaysText() throws Exception {
        String reason = "<script>alert('x')</script>&\u0007\"";
        Path file = dir.resolve("evil.wstap");
        try (CaptureBuilder b = new CaptureBuilder(file)) {
            b.connection(1, Role.CLIENT, "10.0.0.2:40001", "192.168.7.1:443", Transport.PLAIN,
                    CaptureBuilder.MONO + 1_000 * Seeds.MS, Script.open()
                            .server(close(4000, reason.substring(0, 29), null)).client(close(4000, "ok</text>", 0x01020304))
                            .tcp(Role.SERVER, TcpEnd.FIN));
        }
        Cli.Run run = Cli.run("analyze", "--format", "html", file);
        assertFalse(run.out().contains("<script"), run.out());
        assertFalse(run.out().contains("ok</text>"), run.out());
        assertTrue(run.out().contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;\\u0007"), run.out());
        Document d = parse(run.out());
        List<Arrow> arrows = arrows(section(d, "c-1"));
        assertTrue(arrows.stream().anyMatch(a -> a.label().startsWith("Close 4000 (private use 4000-4999) "
                + "\"<script>alert('x')</scrip")), arrows.toString());
        assertTrue(section(d, "c-1").getTextContent().contains("Close 4000 (private use 4000-4999) "
                + "\"<script>alert('x')</script>&\\u0007\" at +2.000 ms"), "the whole reason is in the tooltip");
        assertTrue(arrows.stream().anyMatch(a -> a.label().contains("\"ok</text>\"")), arrows.toString());
        assertEquals(0, d.getElementsByTagName("script").getLength()
                + d.getElementsByTagNameNS("http://www.w3.org/1999/xhtml", "script").getLength());
    }

    @Test
    void longRunsOfDataFramesAreOneArrow() throws Exception {
        int n = 200_000;
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        ByteArrayOutputStream server = new ByteArrayOutputStream();
        byte[] c = text("tick", 0x11223344);
        byte[] s = frame(true, Opcode.BINARY, null, new byte[] {1, 2, 3});
        for (int i = 0; i < n; i++) {
            client.write(c);
            server.write(s);
        }
        Path file = dir.resolve("busy.wstap");
        try (CaptureBuilder b = new CaptureBuilder(file)) {
            b.connection(1, Role.SERVER, "192.168.7.1:443", "10.0.0.2:40001", Transport.PLAIN,
                    CaptureBuilder.MONO + 1_000 * Seeds.MS, Script.open()
                            .client(client.toByteArray()).server(server.toByteArray())
                            .client(frame(true, Opcode.PING, 0x01020304, new byte[] {7})).server(frame(true, Opcode.PONG, null,
                                    new byte[] {7}))
                            .client(c).server(close(1001, "bye", null)).client(close(1001, "bye", 0x01020304))
                            .tcp(Role.SERVER, TcpEnd.FIN));
        }
        Path out = dir.resolve("busy.html");
        Cli.Run run = Cli.run("analyze", "--format", "html", "-o", out, file);
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
        String html = Files.readString(out);
        assertTrue(html.length() < 40_000, "a million frames stay small: " + html.length() + " chars");
        List<Arrow> arrows = arrows(section(parse(html), "c-1"));
        List<String> labels = arrows.stream().map(Arrow::label).toList();
        assertEquals(List.of("upgrade request GET /chat (Host server.example.com)", "101 Switching Protocols",
                "200,000 text frames (781.3 KiB)", "200,000 binary frames (585.9 KiB)", "Ping (1 B)", "Pong (1 B)",
                "text frame (4 B)", "Close 1001 (going away) \"bye\"", "Close 1001 (going away) \"bye\"",
                "server closed TCP (fin)"), labels);
        assertTrue(arrows.get(3).fromServer() && !arrows.get(2).fromServer());
        screenshot(out, "busy");
        assertTrue(arrows.get(2).cls().startsWith("run "), arrows.get(2).cls()); // WS110: one masking key
    }

    /** Renders the page with headless Chromium when it is installed, and checks that the PNG is not blank. */
    private void screenshot(Path html, String name) throws Exception {
        Files.copy(html, Path.of("target", "html-report-" + name + ".html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            // A developer without Chromium still runs the rest; CI (.ci/run installs it) must render.
            assertTrue(System.getenv("CI") == null, CHROMIUM + " is missing: .ci/run should have installed chromium");
            return;
        }
        Path png = Path.of("target", "html-report-" + name + ".png").toAbsolutePath();
        Files.deleteIfExists(png);
        Path profile = Files.createTempDirectory(dir, "chromium");
        Process p = new ProcessBuilder(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=1200,1600",
                html.toUri().toString()).redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        assertTrue(Files.exists(png), "no screenshot: " + Files.readString(dir.resolve("chromium.log")));
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(1200, img.getWidth());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 7) {
            for (int x = 0; x < img.getWidth(); x += 7) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 20, "the page rendered as " + colours.size() + " colours");
    }

    @Test
    void escapeKeepsXmlWellFormed() throws Exception {
        String s = HtmlReport.escape("a<b>&\"' \u0000 \uD800 \uFFFE \uD83D\uDE00");
        assertEquals("a&lt;b&gt;&amp;&quot;&#39; \\u0000 \uFFFD \uFFFD \uD83D\uDE00", s);
        parse("<p xmlns=\"http://www.w3.org/1999/xhtml\">" + s + "</p>");
    }
}
