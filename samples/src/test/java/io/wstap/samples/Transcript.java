package io.wstap.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ground truth: what a sample app says it sent and received, one exchange (the lines of {@link Exchange}'s
 * protocol, e.g. {@code client sent text 126}, {@code client received close 1000 bye}).
 */
final class Transcript {
    /** A data message: its opcode (1 text, 2 binary) and payload bytes. */
    record Message(int opcode, int bytes) {
    }

    /** A frame as the receiving library decoded it. */
    record ReceivedFrame(int opcode, boolean fin, boolean masked, long length) {
    }

    /** A Close frame's code and reason. */
    record Close(int code, String reason) {
    }

    private static final Pattern MESSAGE = Pattern.compile("(client|server) (sent|received) (text|binary) (\\d+)");
    private static final Pattern FRAME = Pattern.compile(
            "server received frame (cont|text|binary) fin=(true|false) masked=(true|false) len=(\\d+)");
    private static final Pattern CLOSE = Pattern.compile("(client|server) (sent|received) close (\\d+) (.*)");
    private static final Pattern LISTENING = Pattern.compile("server listening on (\\S+)");

    final List<Message> clientSent = new ArrayList<>();
    final List<Message> clientReceived = new ArrayList<>();
    final List<Message> serverSent = new ArrayList<>();
    final List<Message> serverReceived = new ArrayList<>();
    /** Frames the server's library reports it decoded (Netty only), in order. */
    final List<ReceivedFrame> serverReceivedFrames = new ArrayList<>();
    Close clientSentClose;
    Close clientReceivedClose;
    Close serverSentClose;
    Close serverReceivedClose;
    /** "127.0.0.1:PORT" of the server. */
    String server;
    String summary;
    final List<String> errors = new ArrayList<>();

    /** The whole output as one exchange. */
    static Transcript parse(String stdout) {
        List<Transcript> all = parseAll(stdout);
        if (all.size() != 1) {
            throw new AssertionError("expected one exchange, found " + all.size() + ":\n" + stdout);
        }
        return all.get(0);
    }

    /** One transcript per exchange: a new one starts at each {@code connection K} line after the first. */
    static List<Transcript> parseAll(String stdout) {
        List<Transcript> all = new ArrayList<>();
        Transcript t = new Transcript();
        String server = null;
        String summary = null;
        for (String line : stdout.lines().toList()) {
            Matcher m = MESSAGE.matcher(line);
            Matcher f = FRAME.matcher(line);
            Matcher c = CLOSE.matcher(line);
            Matcher l = LISTENING.matcher(line);
            if (line.matches("connection \\d+")) {
                if (!t.isEmpty()) {
                    all.add(t);
                }
                t = new Transcript();
            } else if (l.matches()) {
                server = l.group(1);
            } else if (m.matches()) {
                Message msg = new Message(m.group(3).equals("text") ? 1 : 2, Integer.parseInt(m.group(4)));
                boolean client = m.group(1).equals("client");
                boolean sent = m.group(2).equals("sent");
                (client ? sent ? t.clientSent : t.clientReceived : sent ? t.serverSent : t.serverReceived).add(msg);
            } else if (f.matches()) {
                int opcode = switch (f.group(1)) {
                    case "cont" -> 0;
                    case "text" -> 1;
                    default -> 2;
                };
                t.serverReceivedFrames.add(new ReceivedFrame(opcode, Boolean.parseBoolean(f.group(2)),
                        Boolean.parseBoolean(f.group(3)), Long.parseLong(f.group(4))));
            } else if (c.matches()) {
                Close close = new Close(Integer.parseInt(c.group(3)), c.group(4));
                boolean client = c.group(1).equals("client");
                boolean sent = c.group(2).equals("sent");
                if (client && sent) {
                    t.clientSentClose = close;
                } else if (client) {
                    t.clientReceivedClose = close;
                } else if (sent) {
                    t.serverSentClose = close;
                } else {
                    t.serverReceivedClose = close;
                }
            } else if (line.startsWith("summary:")) {
                summary = line;
            } else if (line.contains("error")) {
                t.errors.add(line);
            }
        }
        if (!t.isEmpty()) {
            all.add(t);
        }
        for (Transcript x : all) {
            x.server = server;
            x.summary = summary;
        }
        return all;
    }

    private boolean isEmpty() {
        return clientSent.isEmpty() && serverSent.isEmpty() && clientSentClose == null && serverSentClose == null
                && clientReceivedClose == null;
    }
}
