package io.wstap.samples.raw;

import io.wstap.samples.raw.RawServer.Behavior;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A long-running app for {@code wstap watch} and {@code wstap record}: WebSocket traffic on 127.0.0.1 (both ends in
 * this JVM, {@link RawClient} against {@link RawServer}) when told on stdin, so that a watcher attached first sees it
 * live. Commands, one a line; each prints one line when done:
 * <ul>
 *   <li>{@code round}: 7 connections, each sends "hello" and gets it back, then: 3 close with 1000, 2 with 1001, 1
 *       with 4000 (the server echoes the Close and closes TCP: clean), and 1 whose server drops TCP without a Close
 *       (abrupt, WS301). Frames per round, each way: 6 × 2 + 1 = 25 (4 per clean connection: text and Close from each
 *       end, each seen once sent and once received in this JVM; the dropped one: the client's text);</li>
 *   <li>{@code hold N}: opens N more connections and keeps them open;</li>
 *   <li>{@code release}: closes the held ones with 1000;</li>
 *   <li>{@code quit} (or end of stdin): exits.</li>
 * </ul>
 * Prints {@code ready PID} first.
 */
public final class LiveTraffic {
    private LiveTraffic() {
    }

    public static void main(String[] args) throws Exception {
        List<RawServer> heldServers = new ArrayList<>();
        List<RawClient> held = new ArrayList<>();
        try (RawServer echo = new RawServer(Behavior.ECHO); RawServer drop = new RawServer(Behavior.DROP_TCP)) {
            System.out.println("ready " + ProcessHandle.current().pid());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] cmd = line.trim().split("\\s+");
                switch (cmd[0]) {
                    case "round" -> {
                        for (int code : new int[] {1000, 1000, 1000, 1001, 1001, 4000}) {
                            closeWith(echo.port(), code);
                        }
                        try (RawClient c = new RawClient(drop.port(), "/live")) {
                            c.sendText("hello", true);
                            c.awaitEof(); // the server closed TCP without a Close frame
                        }
                        System.out.println("round done");
                    }
                    case "hold" -> {
                        int n = Integer.parseInt(cmd[1]);
                        for (int i = 0; i < n; i++) {
                            RawServer s = new RawServer(Behavior.ECHO); // one connection at a time per RawServer
                            heldServers.add(s);
                            held.add(new RawClient(s.port(), "/held"));
                        }
                        System.out.println("holding " + held.size());
                    }
                    case "release" -> {
                        for (RawClient c : held) {
                            c.sendClose(1000, "release");
                            c.awaitClose();
                            c.awaitEof();
                            c.close();
                        }
                        held.clear();
                        for (RawServer s : heldServers) {
                            s.close();
                        }
                        heldServers.clear();
                        System.out.println("released");
                    }
                    case "quit" -> {
                        System.out.println("bye");
                        return;
                    }
                    default -> System.out.println("unknown command " + line);
                }
            }
        }
    }

    private static void closeWith(int port, int code) throws Exception {
        try (RawClient c = new RawClient(port, "/live")) {
            c.sendText("hello", true);
            c.sendClose(code, "bye");
            c.awaitClose();
            c.awaitEof();
        }
    }
}
