package io.wstap.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: a fixed header, and the block layout of a file read independently of the reader. */
final class Captures {
    static final long ANCHOR_MONO = 5_000_000_000L;

    private Captures() {
    }

    static CaptureHeader header() {
        return new CaptureHeader(CaptureWriter.VERSION, "test-host", 4242, "Test VM 17.0.15+6", 1_763_700_000_123_456_789L,
                ANCHOR_MONO, "file=x.wstap,maxSize=0,stacks=true");
    }

    /** A block as laid out in the file: offset of its header, total size (16 + payload). */
    record Block(long offset, long size) {
        long end() {
            return offset + size;
        }
    }

    /** Walks the blocks from byte 10 by their length fields (docs/capture-format.md), the header block first. */
    static List<Block> blocks(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        List<Block> blocks = new ArrayList<>();
        int p = 10;
        while (p + 16 <= b.length) {
            int marker = int32(b, p);
            if (marker != 0xFE57424B) {
                throw new IllegalStateException("no marker at " + p);
            }
            int length = int32(b, p + 4);
            blocks.add(new Block(p, 16L + length));
            p += 16 + length;
        }
        if (p != b.length) {
            throw new IllegalStateException("file does not end at a block boundary");
        }
        return blocks;
    }

    static int int32(byte[] a, int i) {
        return (a[i] & 0xFF) << 24 | (a[i + 1] & 0xFF) << 16 | (a[i + 2] & 0xFF) << 8 | (a[i + 3] & 0xFF);
    }

    /** A block around {@code payload}, laid out by docs/capture-format.md (marker, length, CRC32C, header CRC32C). */
    static byte[] block(byte[] payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + payload.length);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(payload);
        b.putInt(0xFE57424B).putInt(payload.length).putInt((int) crc.getValue());
        crc.reset();
        crc.update(b.array(), 0, 12);
        b.putInt((int) crc.getValue()).put(payload);
        return b.array();
    }

    /** Reads a whole file into a fresh log (and whatever else). */
    static ReadReport read(Path file, CaptureSink sink) throws IOException, CaptureException {
        try (CaptureReader r = CaptureReader.open(file)) {
            return r.readAll(sink);
        }
    }
}
