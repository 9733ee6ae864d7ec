package io.wstap.analyzer.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What an input file is, from its first bytes (never its name). A kind without a reader in this version is still
 * recognised, so that the user is told plainly.
 *
 * <pre>
 *   89 77 73 74 61 70 0d 0a              wstap capture (docs/capture-format.md)
 *   a1 b2 c3 d4 / d4 c3 b2 a1            pcap, microsecond timestamps (big / little endian)
 *   a1 b2 3c 4d / 4d 3c b2 a1            pcap, nanosecond timestamps
 *   0a 0d 0d 0a                          pcapng (section header block)
 *   46 4c 52 00 ("FLR\0")                JFR recording
 * </pre>
 */
public enum InputKind {
    WSTAP("wstap capture", true),
    PCAP("pcap", true),
    PCAPNG("pcapng", true),
    JFR("JFR", true);

    /** The wstap capture magic, "\x89wstap\r\n". */
    static final byte[] WSTAP_MAGIC = {(byte) 0x89, 'w', 's', 't', 'a', 'p', '\r', '\n'};
    private static final int LOOK = 8;

    private final String label;
    private final boolean supported;

    InputKind(String label, boolean supported) {
        this.label = label;
        this.supported = supported;
    }

    /** The name users see ("pcap", "JFR"). */
    public String label() {
        return label;
    }

    /** True when this version of wstap has a reader for it. */
    public boolean supported() {
        return supported;
    }

    /**
     * The kind of {@code file}, from its first 8 bytes.
     *
     * @throws InputException the file is missing, unreadable, empty, or of no known kind (one line: file, offset,
     *                        what was expected, what was found)
     */
    public static InputKind detect(Path file) throws InputException {
        if (Files.isDirectory(file)) {
            throw InputException.at(file, 0, "expected a capture file, found a directory");
        }
        byte[] head = new byte[LOOK];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (n < LOOK) {
                int r = in.read(head, n, LOOK - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (NoSuchFileException e) {
            throw InputException.at(file, 0, "expected a capture file, found no such file");
        } catch (IOException e) {
            throw InputException.at(file, 0, "expected a readable file, got " + oneLine(e));
        }
        return of(file, head, n);
    }

    /** The kind the first {@code n} bytes of {@code file} ({@code head}) announce; refused as {@link #detect} says. */
    static InputKind of(Path file, byte[] head, int n) throws InputException {
        n = Math.min(n, LOOK);
        InputKind kind = of(head, n);
        if (kind == null) {
            throw InputException.at(file, 0, "expected the wstap magic 89 77 73 74 61 70 0d 0a, found "
                    + (n == 0 ? "an empty file" : hex(head, n) + (n < LOOK ? " (then the end of the file)" : "")));
        }
        return kind;
    }

    /** The kind the first {@code n} bytes of {@code head} announce, or null. */
    static InputKind of(byte[] head, int n) {
        if (n >= 8 && java.util.Arrays.equals(head, 0, 8, WSTAP_MAGIC, 0, 8)) {
            return WSTAP;
        }
        if (n < 4) {
            return null;
        }
        int m = (head[0] & 0xFF) << 24 | (head[1] & 0xFF) << 16 | (head[2] & 0xFF) << 8 | (head[3] & 0xFF);
        return switch (m) {
            case 0xA1B2C3D4, 0xD4C3B2A1, 0xA1B23C4D, 0x4D3CB2A1 -> PCAP;
            case 0x0A0D0D0A -> PCAPNG;
            case 0x464C5200 -> JFR;
            default -> null;
        };
    }

    /** The one-line refusal for a kind without a reader: {@code "x.pcap: pcap input is not supported yet ..."}. */
    public InputException notSupported(Path file) {
        return new InputException(file + ": " + label + " input is not supported yet by this version of wstap");
    }

    static String hex(byte[] b, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF));
        }
        return s.toString();
    }

    private static String oneLine(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' ').replace('\r', ' '));
    }
}
