package io.wstap.analyzer.testing;

import io.wstap.capture.Transport;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static io.wstap.analyzer.testing.Wire.ascii;
import static io.wstap.analyzer.testing.Wire.close;
import static io.wstap.analyzer.testing.Wire.hex;
import static io.wstap.analyzer.testing.Wire.hixieClose;
import static io.wstap.analyzer.testing.Wire.hixieText;
import static io.wstap.analyzer.testing.Wire.text;

/**
 * The captures the analyzer's tests read: the seed cases of shared/seeds in one capture, and a connection set captured
 * at both ends (a client capture and a server capture). All times are scripted, so reports are byte-for-byte stable.
 */
public final class Seeds {
    public static final String CHINESE = "孩子,地球太危险了,快回火星去吧!";
    public static final String SERVER = "192.168.7.1:443";
    /** The server of {@link #pair}: another one than the seeds', so that captures read together never pair by chance. */
    public static final String PAIR_SERVER = "192.168.8.1:8443";
    public static final long MS = 1_000_000L;

    private Seeds() {
    }

    private static String client(int n) {
        return "10.0.0.2:" + (40000 + n);
    }

    private static String pairClient(int n) {
        return "10.0.1.2:" + (50000 + n);
    }

    /**
     * seeds.wstap, ids 1-10:
     * <ol>
     *   <li>client closes 1000 "bye", clean (captured at the client)</li>
     *   <li>server closes 1000 with the Chinese reason, clean (at the server)</li>
     *   <li>server drops TCP without a Close: WS301, the client saw 1006 (at the server: its close() stack)</li>
     *   <li>server closes 1002 after clean client frames: WS205 (at the server: its Close frame's stack)</li>
     *   <li>server closes 1002 after an unmasked client frame: WS101, no WS205 (at the server)</li>
     *   <li>client Close 88 80 00 00 00 00 (zero masking key): WS110 (at the client)</li>
     *   <li>hixie-76, FF 00 both ways: WS404 (at the server)</li>
     *   <li>upgrade rejected with 400 (at the client)</li>
     *   <li>client resets TCP without a Close: WS301 + WS309 (at the client)</li>
     *   <li>still open when the capture ends (at the client)</li>
     * </ol>
     */
    public static Path seeds(Path dir) throws IOException {
        Path file = dir.resolve("seeds.wstap");
        try (CaptureBuilder b = new CaptureBuilder(file)) {
            long t = CaptureBuilder.MONO + 1_000 * MS;
            b.connection(1, Role.CLIENT, client(1), SERVER, Transport.TLS, t, Script.open()
                    .client(text("hello", 0x11223344)).server(text("hello", null))
                    .after(2).client(close(1000, "bye", 0x55667788)).after(0.25).server(close(1000, "bye", null))
                    .after(0.1).tcp(Role.SERVER, TcpEnd.FIN).after(0.05).tcp(Role.CLIENT, TcpEnd.FIN));
            b.connection(2, Role.SERVER, SERVER, client(2), Transport.TLS, t += 100 * MS, Script.open()
                    .server(close(1000, CHINESE, null)).client(close(1000, CHINESE, 0x0A0B0C0D))
                    .tcp(Role.SERVER, TcpEnd.FIN));
            b.connection(3, Role.SERVER, SERVER, client(3), Transport.PLAIN, t += 100 * MS, Script.open()
                    .client(text("ping?", 0x01020304)).after(30).tcp(Role.SERVER, TcpEnd.FIN)
                    .tcp(Role.CLIENT, TcpEnd.FIN));
            b.connection(4, Role.SERVER, SERVER, client(4), Transport.PLAIN, t += 100 * MS, Script.open()
                    .client(text("v1.0", 0x21222324)).server(close(1002, "client too old", null))
                    .client(close(1002, "client too old", 0x31323334)).tcp(Role.SERVER, TcpEnd.FIN));
            b.connection(5, Role.SERVER, SERVER, client(5), Transport.PLAIN, t += 100 * MS, Script.open()
                    .client(text("v1.0", null)).server(close(1002, "unmasked frame", null))
                    .client(close(1002, "", 0x41424344)).tcp(Role.SERVER, TcpEnd.FIN));
            b.connection(6, Role.CLIENT, client(6), SERVER, Transport.PLAIN, t += 100 * MS, Script.open()
                    .client(hex("88 80 00 00 00 00")).server(hex("88 00")).tcp(Role.SERVER, TcpEnd.FIN));
            b.connection(7, Role.SERVER, "192.168.7.1:80", client(7), Transport.PLAIN, t += 100 * MS, Script.empty()
                    .client(ascii(Script.HIXIE_REQUEST)).server(ascii(Script.HIXIE_RESPONSE))
                    .client(hixieText("hello")).server(hixieText("hi")).client(hixieClose()).server(hixieClose())
                    .tcp(Role.SERVER, TcpEnd.FIN));
            b.connection(8, Role.CLIENT, client(8), SERVER, Transport.TLS, t += 100 * MS, Script.empty()
                    .client(ascii(Script.request("/admin", "Origin: https://evil.example\r\n")))
                    .server(ascii("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")).tcp(Role.SERVER, TcpEnd.FIN));
            b.connection(9, Role.CLIENT, client(9), SERVER, Transport.TLS, t += 100 * MS, Script.open()
                    .client(text("a", 0x51525354)).after(5).tcp(Role.CLIENT, TcpEnd.RESET));
            b.connection(10, Role.CLIENT, client(10), SERVER, Transport.PLAIN, t += 100 * MS, Script.open()
                    .client(text("still here", 0x61626364)).server(text("me too", null)));
        }
        return file;
    }

    /**
     * A client JVM's capture and a server JVM's capture of the same connections (their clocks differ: their monotonic
     * anchors do; their wall clocks agree):
     * <ol>
     *   <li>A clean close that the client ends by closing TCP without reading the server's FIN: the client's view says
     *       clean-client-tcp-first (WS304), the server's says clean; the server's decides.</li>
     *   <li>The server drops TCP without a Close: both views see WS301, the stack is in the server's capture.</li>
     *   <li>A connection to another server, captured at the client only.</li>
     * </ol>
     *
     * @return the server capture, then the client capture
     */
    public static List<Path> pair(Path dir) throws IOException {
        Path server = dir.resolve("server.wstap");
        Path client = dir.resolve("client.wstap");
        long serverMono = CaptureBuilder.MONO;
        long clientMono = 70_000 * MS; // another JVM, another nanoTime origin
        long wallOffset = 2 * MS; // the client's capture started 2 ms of wall clock later
        try (CaptureBuilder s = new CaptureBuilder(server, CaptureBuilder.header("server-host", 100, CaptureBuilder.WALL,
                serverMono), 0)) {
            long t = serverMono + 1_000 * MS;
            s.connection(1, Role.SERVER, PAIR_SERVER, pairClient(1), Transport.PLAIN, t, Script.open()
                    .client(text("hello", 0x11223344)).server(text("hello", null))
                    .client(close(1000, "done", 0x55667788)).after(0.2).server(close(1000, "done", null))
                    .after(0.1).tcp(Role.SERVER, TcpEnd.FIN));
            s.connection(2, Role.SERVER, PAIR_SERVER, pairClient(2), Transport.PLAIN, t + 50 * MS, Script.open()
                    .client(text("hello", 0x11223345)).after(10).tcp(Role.SERVER, TcpEnd.FIN));
        }
        try (CaptureBuilder c = new CaptureBuilder(client, CaptureBuilder.header("client-host", 200,
                CaptureBuilder.WALL + wallOffset, clientMono), 0)) {
            // the same instants as the server's, 0.1 ms network delay each way, in the client's clock
            long t = clientMono + 1_000 * MS - wallOffset - MS / 10;
            c.connection(5, Role.CLIENT, pairClient(1), PAIR_SERVER, Transport.PLAIN, t, Script.empty()
                    .client(ascii(Script.request("/chat", ""))).after(1.2).server(ascii(Script.response(""))).after(0.8).client(text("hello", 0x11223344))
                    .after(1.2).server(text("hello", null)).after(0.8).client(close(1000, "done", 0x55667788))
                    .after(0.4).server(close(1000, "done", null)).after(0.05).tcp(Role.CLIENT, TcpEnd.FIN));
            c.connection(6, Role.CLIENT, pairClient(2), PAIR_SERVER, Transport.PLAIN, t + 50 * MS, Script.empty()
                    .client(ascii(Script.request("/chat", ""))).after(1.2).server(ascii(Script.response(""))).after(0.8).client(text("hello", 0x11223345))
                    .after(10.2).tcp(Role.SERVER, TcpEnd.FIN).tcp(Role.CLIENT, TcpEnd.FIN));
            c.connection(7, Role.CLIENT, pairClient(3), "203.0.113.9:443", Transport.TLS, t + 80 * MS, Script.open()
                    .client(close(1001, "going away", 0x71727374)).server(close(1001, "going away", null))
                    .tcp(Role.SERVER, TcpEnd.FIN).tcp(Role.CLIENT, TcpEnd.FIN));
        }
        return List.of(server, client);
    }
}
