package io.wstap.samples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The exchange every sample runs: what the client sends, and the lines the apps print about it.
 *
 * <p>Each app prints one line per message or Close frame it hands to its library or gets from it, e.g.
 * {@code client sent text 126}, {@code server received binary 65535}, {@code client received close 1000 bye}: sizes
 * are payload bytes (UTF-8 for text). A library that reports frames as it decodes them (Netty) adds
 * {@code server received frame text fin=true masked=true len=126}. {@code server listening on 127.0.0.1:PORT} comes
 * first, and {@code connection K} before each exchange when there are several. The end-to-end tests read these lines
 * as the ground truth to compare the capture against. The last line starts with {@code summary:}.
 */
public final class Exchange {
    /**
     * Text message sizes in UTF-8 bytes: 7-bit lengths (10, 125), 16-bit (126, 200), 64-bit (70000). The 200-byte
     * message is 100 two-byte characters, so bytes and chars differ.
     */
    static final int[] TEXT_SIZES = {10, 125, 126, 200, 70_000};
    /** One binary message at the top of the 16-bit length form. */
    static final int BINARY_SIZE = 65_535;
    /** Messages the client sends (and the server echoes) before the closing handshake. */
    static final int MESSAGES = TEXT_SIZES.length + 1;

    /** Every wait in the samples is bounded by this. */
    static final long TIMEOUT_SECONDS = 10;
    /** After the closing handshake: time for the TCP FINs to be seen (read as EOF) before the servers stop. */
    static final long SETTLE_MILLIS = 300;

    private Exchange() {
    }

    /** Text message {@code index} of the plan: exactly {@code TEXT_SIZES[index]} bytes of UTF-8. */
    static String text(int index) {
        int bytes = TEXT_SIZES[index];
        if (bytes == 200) {
            return "\u00e9".repeat(100); // é: 2 bytes each
        }
        StringBuilder s = new StringBuilder(bytes);
        for (int i = 0; i < bytes; i++) {
            s.append((char) ('a' + (i + index) % 26));
        }
        return s.toString();
    }

    /** The binary message: {@link #BINARY_SIZE} bytes, every value 0-255 in turn. */
    static byte[] binary() {
        byte[] b = new byte[BINARY_SIZE];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7);
        }
        return b;
    }

    static int utf8Length(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    static boolean sameBytes(ByteBuffer a, byte[] b) {
        byte[] x = new byte[a.remaining()];
        a.duplicate().get(x);
        return Arrays.equals(x, b);
    }

    /** A frame as a receiving library reports it: {@code text fin=false masked=true len=16384}. */
    static String frame(int opcode, boolean fin, boolean masked, long length) {
        String op = switch (opcode) {
            case 0 -> "cont";
            case 1 -> "text";
            case 2 -> "binary";
            case 8 -> "close";
            case 9 -> "ping";
            case 10 -> "pong";
            default -> "op" + opcode;
        };
        return op + " fin=" + fin + " masked=" + masked + " len=" + length;
    }

    /** One line of the apps' protocol, on stdout; synchronized so lines of several threads never mix. */
    static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    /**
     * Ends the JVM with exit code 3 (and a thread dump on stderr) if the app has not finished in {@code seconds}:
     * a sample never hangs, whatever a library does.
     */
    static void watchdog(String app, long seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println(app + ": timed out after " + seconds + " s; threads:");
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                System.err.println("  " + thread.getName());
                for (StackTraceElement e : stack) {
                    System.err.println("    at " + e);
                }
            });
            System.exit(3);
        }, "sample-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
