package io.wstap.agent.it;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Iterator;

/**
 * The server side of {@link LoadIT}, run in its own JVM (under the agent, or not, for the baseline): many connections
 * at once need one selector thread, not a thread each.
 *
 * <ul>
 *   <li>an NIO selector server (SocketChannel: the agent's SocketChannelImpl hooks): WebSocket upgrade, echo, Close
 *       echoed then TCP closed; a plain HTTP request gets a keep-alive 200; anything else (a binary protocol) gets a
 *       binary reply; the connection stays open until the peer ends it;</li>
 *   <li>a blocking server (java.net.Socket: the NioSocketImpl hooks) that upgrades, reads one frame, and then drops
 *       the socket <em>without close()</em>: only the garbage collector ends it.</li>
 * </ul>
 *
 * Prints {@code PORTS nio blocking}. On stdin: {@code stats} prints {@code STATS table=N capacity=N heap=N open=N}
 * after a full GC (the agent's connection table read through reflection, -1 without the agent; heap used after GC;
 * channels the application holds open); {@code quit} exits.
 */
public final class LoadServerApp {
    private static final byte[] HTTP_OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] BINARY_REPLY = {0x07, 0, 0, 0x02, 0, 0, 0};

    /** One NIO connection's state: what was read and not yet used, and what it turned out to be. */
    private static final class Conn {
        final ByteBuffer in = ByteBuffer.allocate(1024);
        int phase; // 0 head, 1 WebSocket frames, 2 not WebSocket
    }

    private static volatile int open;

    public static void main(String[] args) throws Exception {
        Selector selector = Selector.open();
        ServerSocketChannel nio = ServerSocketChannel.open();
        nio.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        nio.configureBlocking(false);
        nio.register(selector, SelectionKey.OP_ACCEPT);
        ServerSocket blocking = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        Thread dropper = new Thread(() -> dropLoop(blocking), "load-dropper");
        dropper.setDaemon(true);
        dropper.start();
        Thread loop = new Thread(() -> selectLoop(selector), "load-selector");
        loop.setDaemon(true);
        loop.start();
        System.out.println("PORTS " + nio.socket().getLocalPort() + " " + blocking.getLocalPort());
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null; ) {
            if (line.equals("stats")) {
                System.out.println(stats());
                System.out.flush();
            } else if (line.equals("quit")) {
                return;
            }
        }
    }

    private static void selectLoop(Selector selector) {
        try {
            while (true) {
                selector.select();
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isAcceptable()) {
                        SocketChannel ch = ((ServerSocketChannel) key.channel()).accept();
                        if (ch != null) {
                            ch.configureBlocking(false);
                            ch.register(selector, SelectionKey.OP_READ, new Conn());
                            open++;
                        }
                    } else if (key.isReadable()) {
                        SocketChannel ch = (SocketChannel) key.channel();
                        try {
                            if (!serve(ch, (Conn) key.attachment())) {
                                key.cancel();
                                ch.close();
                                open--;
                            }
                        } catch (Exception e) {
                            key.cancel();
                            ch.close();
                            open--;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads what is there and answers; false when the connection is to be closed. */
    private static boolean serve(SocketChannel ch, Conn c) throws Exception {
        if (ch.read(c.in) < 0) {
            return false;
        }
        c.in.flip();
        try {
            if (c.phase == 0) {
                if (c.in.remaining() == 0) {
                    return true;
                }
                if (c.in.get(0) != 'G') {
                    c.phase = 2; // not HTTP: a binary protocol
                } else {
                    String head = StandardCharsets.ISO_8859_1.decode(c.in.duplicate()).toString();
                    int end = head.indexOf("\r\n\r\n");
                    if (end < 0) {
                        return true;
                    }
                    c.in.position(end + 4);
                    String key = header(head.substring(0, end), "sec-websocket-key");
                    if (key == null) {
                        c.phase = 2;
                        write(ch, ByteBuffer.wrap(HTTP_OK));
                        c.in.position(c.in.limit());
                        return true;
                    }
                    String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                            .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
                    write(ch, ByteBuffer.wrap(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1)));
                    c.phase = 1;
                }
            }
            if (c.phase == 2) {
                if (c.in.remaining() > 0 && c.in.get(c.in.position()) != 'G') {
                    write(ch, ByteBuffer.wrap(BINARY_REPLY));
                } else if (c.in.remaining() > 0) {
                    write(ch, ByteBuffer.wrap(HTTP_OK));
                }
                c.in.position(c.in.limit());
                return true;
            }
            return frames(ch, c.in);
        } finally {
            c.in.compact();
        }
    }

    /** Echoes every whole client frame (small ones: ≤ 125 bytes of payload); false after a Close was echoed. */
    private static boolean frames(SocketChannel ch, ByteBuffer in) throws IOException {
        while (in.remaining() >= 6) {
            int p = in.position();
            int b0 = in.get(p) & 0xFF;
            int len = in.get(p + 1) & 0x7F;
            if (len > 125) {
                throw new IOException("large frames are not part of this test");
            }
            if (in.remaining() < 6 + len) {
                return true;
            }
            byte[] payload = new byte[len];
            for (int i = 0; i < len; i++) {
                payload[i] = (byte) (in.get(p + 6 + i) ^ in.get(p + 2 + (i & 3)));
            }
            in.position(p + 6 + len);
            ByteBuffer out = ByteBuffer.allocate(2 + len);
            out.put((byte) b0).put((byte) len).put(payload).flip();
            write(ch, out);
            if ((b0 & 0x0F) == 0x8) {
                return false; // the server closes TCP after echoing the Close
            }
        }
        return true;
    }

    /** Small replies on loopback go out at once; a non-blocking channel that cannot take them is a test failure. */
    private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
        for (int spins = 0; b.hasRemaining(); spins++) {
            ch.write(b);
            if (spins > 1000) {
                throw new IOException("peer not reading");
            }
        }
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** Blocking sockets that are upgraded, read once and then dropped without close(). */
    private static void dropLoop(ServerSocket server) {
        while (true) {
            try {
                Socket s = server.accept();
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                while (head.indexOf("\r\n\r\n") < 0) {
                    int b = in.read();
                    if (b < 0) {
                        throw new IOException("eof in head");
                    }
                    head.append((char) b);
                }
                String key = header(head.toString(), "sec-websocket-key");
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
                s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                DataInputStream data = new DataInputStream(in);
                data.readUnsignedByte();
                int len = data.readUnsignedByte() & 0x7F;
                data.readFully(new byte[4 + len]);
                s.getOutputStream().write(new byte[] {(byte) 0x81, 1, 'k'});
                // s is dropped here, open, never closed: the JDK's cleaner closes its fd once it is collected.
            } catch (Exception e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    /** After a full GC (the writer thread then reclaims collected entries within its 20 ms park). */
    private static String stats() throws Exception {
        long table = -1;
        long capacity = -1;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Class<?> tap = forBootstrap("io.wstap.agent.tap.Tap");
        if (tap != null) {
            Field runtimeField = tap.getDeclaredField("runtime");
            runtimeField.setAccessible(true);
            Object runtime = runtimeField.get(null);
            Field tableField = runtime.getClass().getDeclaredField("table");
            tableField.setAccessible(true);
            Object t = tableField.get(runtime);
            Method size = t.getClass().getDeclaredMethod("size");
            Method cap = t.getClass().getDeclaredMethod("capacity");
            size.setAccessible(true);
            cap.setAccessible(true);
            table = (int) size.invoke(t);
            capacity = (int) cap.invoke(t);
        }
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return "STATS table=" + table + " capacity=" + capacity + " heap=" + heap + " open=" + open;
    }

    /** The agent's tap, loaded by the bootstrap loader (null without the agent). */
    private static Class<?> forBootstrap(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
