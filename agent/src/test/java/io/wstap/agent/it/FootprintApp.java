package io.wstap.agent.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Run by {@link ReliabilityIT} with and without the agent: one WebSocket exchange with {@link RawWebSocketServer}
 * (blocking sockets, both ends in this JVM), then, with the server still listening, prints this JVM's threads
 * ({@code THREAD name}) and its sockets from /proc ({@code LISTEN app}, {@code LISTEN <port>} for any other
 * listening TCP socket, {@code UDP <port>}, {@code TCP <state>} for the rest), sorted.
 */
public final class FootprintApp {
    public static void main(String[] args) throws Exception {
        try (RawWebSocketServer server = new RawWebSocketServer()) {
            exchange(server.port());
            Thread.sleep(500); // the server's connection thread has closed and ends
            Set<String> lines = new TreeSet<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                lines.add("THREAD " + t.getName());
            }
            lines.addAll(sockets(server.port()));
            lines.forEach(System.out::println);
        }
    }

    private static void exchange(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /footprint HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                head.append((char) in.read());
            }
            out.write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2});
            out.write(new byte[] {(byte) 0x88, (byte) 0x82, 5, 6, 7, 8, 0x03 ^ 5, (byte) (0xE8 ^ 6)});
            while (in.read() >= 0) {
                // the echo, the server's Close, then its FIN
            }
        }
    }

    /** This process's sockets: the inodes of /proc/self/fd's socket links, looked up in /proc/self/net. */
    private static List<String> sockets(int appPort) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile (the listing's own directory fd)
                }
            }
        }
        List<String> found = new java.util.ArrayList<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            List<String> rows = Files.readAllLines(Path.of("/proc/self/net/" + table));
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.trim().split("\\s+");
                if (!inodes.contains(f[9])) {
                    continue;
                }
                int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                if (table.startsWith("udp")) {
                    found.add("UDP " + port);
                } else if (f[3].equals("0A")) {
                    found.add(port == appPort ? "LISTEN app" : "LISTEN " + port);
                } else {
                    found.add("TCP state " + f[3]);
                }
            }
        }
        return found;
    }
}
