package io.wstap.analyzer.testing;

import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One connection's traffic as the capturing JVM saw it: real bytes per direction and TCP ends, by role, with times.
 * The first step is at 0; each later one 1 ms after the previous unless {@link #after} says otherwise.
 */
public final class Script {
    public static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    public static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    public static final String HIXIE_REQUEST = "GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nSec-WebSocket-Protocol: sample\r\nUpgrade: WebSocket\r\n"
            + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nOrigin: http://example.com\r\n\r\n^n:ds[4U";
    public static final String HIXIE_RESPONSE = "HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Origin: http://example.com\r\n"
            + "Sec-WebSocket-Location: ws://example.com/demo\r\nSec-WebSocket-Protocol: sample\r\n\r\n8jKS'y:G*Co,Wxa-";

    /** Bytes from a role, or a TCP end by a role, at a time (nanos from the script's start). */
    public record Step(long timeNanos, Role from, byte[] bytes, TcpEnd tcp) {
    }

    private final List<Step> steps = new ArrayList<>();
    private long now;
    private boolean pause;

    public static String request(String path, String extraHeaders) {
        return "GET " + path + " HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    public static String response(String extraHeaders) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n" + extraHeaders + "\r\n";
    }

    /** An RFC 6455 connection to /chat opened with the RFC's sample handshake. */
    public static Script open() {
        return empty().client(Wire.ascii(request("/chat", ""))).server(Wire.ascii(response("")));
    }

    public static Script empty() {
        return new Script();
    }

    /** The next step comes {@code millis} after the previous one (instead of 1 ms). */
    public Script after(double millis) {
        now += (long) (millis * 1e6);
        pause = true;
        return this;
    }

    public Script client(byte[]... chunks) {
        return send(Role.CLIENT, chunks);
    }

    public Script server(byte[]... chunks) {
        return send(Role.SERVER, chunks);
    }

    private void tick() {
        if (!steps.isEmpty() && !pause) {
            now += TimeUnit.MILLISECONDS.toNanos(1);
        }
        pause = false;
    }

    private Script send(Role from, byte[]... chunks) {
        tick();
        for (byte[] c : chunks) {
            steps.add(new Step(now, from, c, null));
        }
        return this;
    }

    public Script tcp(Role who, TcpEnd how) {
        tick();
        steps.add(new Step(now, who, null, how));
        return this;
    }

    public List<Step> steps() {
        return steps;
    }

    /** Time of the last step. */
    public long duration() {
        return now;
    }
}
