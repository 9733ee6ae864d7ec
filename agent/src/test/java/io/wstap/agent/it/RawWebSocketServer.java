package io.wstap.agent.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A small RFC 6455 server on blocking java.net sockets (so the agent's NioSocketImpl hooks see it): echoes text,
 * answers a Close with the same code, then closes TCP. Written by hand on purpose: the point is real bytes through
 * real JDK sockets, and a misbehaving variant later.
 */
final class RawWebSocketServer implements AutoCloseable {
    private final ServerSocket server;
    private final Thread thread;
    /** Read through a BufferedInputStream (as most servers do) rather than a byte at a time. */
    private final boolean buffered;

    RawWebSocketServer() throws IOException {
        this(null, false);
    }

    RawWebSocketServer(javax.net.ssl.SSLContext tls) throws IOException {
        this(tls, false);
    }

    /** With {@code tls} non-null the server speaks wss (SSLServerSocket: the agent's SSLSocket hooks). */
    RawWebSocketServer(javax.net.ssl.SSLContext tls, boolean buffered) throws IOException {
        this.buffered = buffered;
        server = tls == null ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        thread = new Thread(this::acceptLoop, "raw-ws-server");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s, buffered), "raw-ws-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(Socket s, boolean buffered) {
        try (s) {
            InputStream in = buffered ? new java.io.BufferedInputStream(s.getInputStream()) : s.getInputStream();
            OutputStream out = s.getOutputStream();
            String key = readHead(in);
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            DataInputStream data = new DataInputStream(in);
            while (true) {
                int b0 = data.readUnsignedByte();
                int b1 = data.readUnsignedByte();
                long len = b1 & 0x7F;
                if (len == 126) {
                    len = data.readUnsignedShort();
                } else if (len == 127) {
                    len = data.readLong();
                }
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) {
                    data.readFully(mask);
                }
                byte[] payload = new byte[(int) len];
                data.readFully(payload);
                unmask(payload, mask);
                int opcode = b0 & 0x0F;
                if (opcode == 0x8) {
                    writeFrame(out, 0x8, payload); // echo the Close (code and reason)
                    return;                          // and close TCP: the server closes first
                }
                if (opcode == 0x1 || opcode == 0x2) {
                    writeFrame(out, opcode, payload);
                }
            }
        } catch (Exception e) {
            // the peer went away
        }
    }

    /**
     * Its own method, as in real servers (Netty, Jetty): inside {@code serve}'s one OSR-compiled loop, how C2 compiles
     * this loop depended on how much socket code (and so hook advice) got inlined around it, which made the echo
     * benchmark measure the JIT's inlining budget rather than the agent.
     */
    private static void unmask(byte[] payload, byte[] mask) {
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
    }

    static void writeFrame(OutputStream out, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x80 | opcode);
        if (payload.length < 126) {
            f.write(payload.length);
        } else if (payload.length <= 0xFFFF) {
            f.write(126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        } else {
            f.write(127);
            for (int k = 7; k >= 0; k--) {
                f.write((int) ((long) payload.length >>> (8 * k)) & 0xFF);
            }
        }
        f.write(payload);
        out.write(f.toByteArray());
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("eof in head");
            }
            head.append((char) c);
        }
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new IOException("no key");
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
