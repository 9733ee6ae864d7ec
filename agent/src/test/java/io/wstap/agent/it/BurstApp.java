package io.wstap.agent.it;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Overload: one write call carrying {@code args[0]} masked frames and a Close, to {@link RawWebSocketServer} (which
 * echoes each). The tap scans them all inside that one call, far faster than the writer thread drains a tiny ring.
 * Prints "echoed N" when the server's Close arrived; the application must see every byte whatever the agent drops.
 */
public final class BurstApp {
    public static void main(String[] args) throws Exception {
        int frames = Integer.parseInt(args[0]);
        try (RawWebSocketServer server = new RawWebSocketServer();
             Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("GET /burst HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String head = "";
            while (!head.endsWith("\r\n\r\n")) {
                head += (char) in.read();
            }
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < frames; i++) {
                burst.write(new byte[] {(byte) 0x81, (byte) 0x81, 1, 2, 3, (byte) (4 + i % 200), (byte) ('a' ^ 1)});
            }
            burst.write(new byte[] {(byte) 0x88, (byte) 0x82, 9, 8, 7, 6, (byte) (0x03 ^ 9), (byte) (0xE8 ^ 8)});
            out.write(burst.toByteArray());
            out.flush();
            long echoed = 0;
            int b0;
            while ((b0 = in.read()) >= 0) {
                int len = in.read();
                in.readNBytes(len);
                if ((b0 & 0x0F) == 0x8) {
                    break;
                }
                echoed++;
            }
            System.out.println("echoed " + echoed);
        }
    }
}
