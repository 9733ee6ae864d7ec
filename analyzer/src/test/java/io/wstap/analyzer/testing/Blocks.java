package io.wstap.analyzer.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The block layout of a capture file, walked by its length fields (docs/capture-format.md), to damage it on purpose. */
public final class Blocks {
    /** A block: offset of its 16-byte header, total size. */
    public record Block(long offset, long size) {
        public long payload() {
            return offset + 16;
        }

        public long end() {
            return offset + size;
        }
    }

    private Blocks() {
    }

    /** The blocks from byte 10, the header block first. */
    public static List<Block> of(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        List<Block> blocks = new ArrayList<>();
        int p = 10;
        while (p + 16 <= b.length) {
            int length = (b[p + 4] & 0xFF) << 24 | (b[p + 5] & 0xFF) << 16 | (b[p + 6] & 0xFF) << 8 | (b[p + 7] & 0xFF);
            blocks.add(new Block(p, 16L + length));
            p += 16 + length;
        }
        return blocks;
    }

    /** Flips bit 0 of the byte at {@code offset}. */
    public static void flipBit(Path file, long offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) offset] ^= 1;
        Files.write(file, b);
    }

    /** Keeps the first {@code size} bytes. */
    public static void cut(Path file, long size) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(b, (int) size));
    }
}
