package io.wstap.capture;

import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads a capture file (docs/capture-format.md) and streams its events to a {@link CaptureSink}, block by block: the
 * file is never loaded whole, one decode buffer and one {@link Frame} view are reused, and nothing is allocated per
 * frame.
 *
 * <p>Damage never stops a read: a block whose CRC fails, or a torn tail, is skipped and reported ({@link Damage}), and
 * the reader goes on at the next good block (it scans for the next sync marker whose header checksum holds). Events
 * of a connection whose declaring block was lost come after one {@link CaptureSink#undeclaredConnection} call.
 *
 * <p>Rotated files ({@code <base>-n.wstap}) each read alone; {@link #readSeries} reads them in order as one capture,
 * skipping the re-declarations of connections and stacks it already knows. Memory: the decode buffer (a block) and a
 * few dozen bytes per connection id seen. Not thread-safe.
 */
public final class CaptureReader implements Closeable {
    /** Spare bytes after a payload: a record is decoded before its end is checked, and never reads 256 bytes past it. */
    private static final int SLACK = 512;
    private static final int SCAN_CHUNK = 64 * 1024;
    private static final Endpoint[] ENDPOINTS = {Endpoint.LOCAL, Endpoint.REMOTE};

    /** What a read knows across blocks (and, for a series, across files): connections and stacks. */
    private static final class Knowledge {
        final LongMap<Conn> conns = new LongMap<>(1024);
        final LongMap<Boolean> stacks = new LongMap<>(64);
    }

    private static final class Conn {
        final long id;
        /** Declared, or reported undeclared: its events can be handed on. */
        boolean known;
        /** The file whose re-declarations of it are handed on (the one that first told of it), -1 = none. */
        int acceptFile = -1;
        final long[] next = new long[2];
        final long[] predBlock = new long[2];

        Conn(long id) {
            this.id = id;
        }
    }

    /** A block that decodes wrong although its CRC holds (a writer bug, or a newer minor writer). */
    private static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final CaptureHeader header;
    private final int part;
    /** Where data blocks start: after the header block, or at the first block when the header could not be read. */
    private final long dataStart;
    private final Damage headerDamage;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer blockHeader = ByteBuffer.allocate(Format.BLOCK_HEADER);

    // Decoding: the payload of the current block is buf[0, end).
    private byte[] buf = new byte[CaptureWriter.BLOCK_TARGET + 4096 + SLACK];
    private ByteBuffer bufView = ByteBuffer.wrap(buf);
    private int pos;
    private int end;
    private final Frame frame = new Frame();
    private Conn[] slots = new Conn[64];
    private int slotCount;
    private long time;
    private long blockNo;
    private Knowledge known;
    private int fileNo;
    private long events;

    private CaptureReader(Path file, FileChannel channel) throws IOException, CaptureException {
        this.file = file;
        this.channel = channel;
        ByteBuffer pre = ByteBuffer.allocate(Format.PREAMBLE_SIZE);
        int n = readAt(pre, 0);
        byte[] p = pre.array();
        if (n < Format.MAGIC_SIZE || !Arrays.equals(p, 0, Format.MAGIC_SIZE, Format.MAGIC, 0, Format.MAGIC_SIZE)) {
            throw new CaptureException(file, 0, "expected the wstap magic 89 77 73 74 61 70 0d 0a, found "
                    + describe(p, n));
        }
        if (n < Format.PREAMBLE_SIZE) {
            throw new CaptureException(file, 8, "expected the 2-byte format version, found the end of the file");
        }
        int version = (p[8] & 0xFF) << 8 | (p[9] & 0xFF);
        if (version != CaptureWriter.VERSION) {
            throw new CaptureException(file, 8, "expected format version " + CaptureWriter.VERSION + ", found version "
                    + version + (version > CaptureWriter.VERSION ? " (written by a newer wstap: use a newer reader)" : ""));
        }
        // The header block. When it is damaged the header is unknown, and readAll reports the damage where it lies.
        CaptureHeader h = new CaptureHeader(version, null, -1, null, 0, 0, null);
        int filePart = -1;
        long start = Format.PREAMBLE_SIZE;
        Damage damage = null;
        long size = channel.size();
        int length = headerAt(Format.PREAMBLE_SIZE, size);
        if (length > 0 && Format.PREAMBLE_SIZE + Format.BLOCK_HEADER + (long) length <= size
                && readPayload(Format.PREAMBLE_SIZE, length) && buf[0] == Format.KIND_HEADER) {
            long blockEnd = Format.PREAMBLE_SIZE + Format.BLOCK_HEADER + (long) length;
            try {
                pos = 1;
                end = length;
                String host = string();
                long pid = Format.unzigzag(var());
                String jvm = string();
                long wall = i64();
                long mono = i64();
                String options = string();
                int pt = (int) var();
                if (pos > end) {
                    throw new Malformed("header block ends inside a field");
                }
                h = new CaptureHeader(version, host, pid, jvm, wall, mono, options);
                filePart = pt;
            } catch (Malformed e) {
                damage = new Damage(Format.PREAMBLE_SIZE, blockEnd - Format.PREAMBLE_SIZE,
                        "malformed header block: " + e.getMessage());
            }
            start = blockEnd;
        }
        this.header = h;
        this.part = filePart;
        this.dataStart = start;
        this.headerDamage = damage;
    }

    /** Opens {@code file}: checks the magic and version, reads the header. */
    public static CaptureReader open(Path file) throws CaptureException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CaptureException(file, 0, "expected a readable file, got " + e, e);
        }
        try {
            return new CaptureReader(file, ch);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new CaptureException(file, 0, "expected a readable file, got " + e, e);
        } catch (CaptureException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** The header; its fields are null / -1 / 0 when the header block was damaged (version is always known). */
    public CaptureHeader header() {
        return header;
    }

    /** 0 for a capture's first file, n for its rotated file {@code <base>-n.wstap}; -1 when the header was damaged. */
    public int part() {
        return part;
    }

    public Path file() {
        return file;
    }

    /**
     * Streams every event to {@code sink}, block by block, and returns what was read and what was lost. Events of a
     * block are handed on as they are decoded: a block that turns out malformed after some of its events is reported,
     * and its remaining events are lost.
     */
    public ReadReport readAll(CaptureSink sink) throws IOException {
        known = new Knowledge();
        fileNo = 0;
        return read(sink, "");
    }

    /**
     * The files of a rotated capture in order: {@code first}, then {@code <base>-1.wstap}, {@code <base>-2.wstap}, ...
     * as long as they exist.
     */
    public static List<Path> series(Path first) {
        List<Path> files = new ArrayList<>();
        files.add(first);
        for (int n = 1; Files.exists(CaptureWriter.rotatedFile(first, n)); n++) {
            files.add(CaptureWriter.rotatedFile(first, n));
        }
        return files;
    }

    /**
     * Reads the files of one capture in order as one: a connection or stack re-declared at the start of a rotated
     * file is handed on only when no earlier file told of it. Damage is reported per file, each {@code what} prefixed
     * with the file name; {@code validBytes} is the last file's.
     */
    public static ReadReport readSeries(List<Path> files, CaptureSink sink) throws IOException, CaptureException {
        Knowledge k = new Knowledge();
        long blocks = 0;
        long events = 0;
        List<Damage> damage = new ArrayList<>();
        boolean truncated = false;
        long valid = 0;
        for (int i = 0; i < files.size(); i++) {
            try (CaptureReader r = open(files.get(i))) {
                r.known = k;
                r.fileNo = i;
                ReadReport one = r.read(sink, files.get(i).getFileName() + ": ");
                blocks += one.blocks();
                events += one.events();
                damage.addAll(one.damage());
                truncated |= one.truncated();
                valid = one.validBytes();
            }
        }
        return new ReadReport(blocks, events, damage, truncated, valid);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    // ---- blocks ------------------------------------------------------------------------------------------------------

    private ReadReport read(CaptureSink sink, String label) throws IOException {
        long size = channel.size();
        List<Damage> damage = new ArrayList<>();
        long blocks = dataStart > Format.PREAMBLE_SIZE && headerDamage == null ? 1 : 0;
        if (headerDamage != null) {
            damage.add(label(headerDamage, label));
        }
        boolean truncated = false;
        long valid = dataStart;
        events = 0;
        long p = dataStart;
        while (p < size) {
            long left = size - p;
            if (left < Format.BLOCK_HEADER) {
                damage.add(new Damage(p, left, label + "truncated block header (" + left + " of 16 bytes)"));
                truncated = true;
                break;
            }
            int length = headerAt(p, size);
            if (length <= 0) {
                long q = findBlock(p + 1, size);
                String why = length == 0 ? "no block marker" : length == -1 ? "block header checksum mismatch"
                        : "block length out of range";
                damage.add(new Damage(p, (q < 0 ? size : q) - p, label + why));
                if (q < 0) {
                    break;
                }
                p = q;
                continue;
            }
            if (left - Format.BLOCK_HEADER < length) {
                damage.add(new Damage(p, left, label + "truncated block (" + (left - Format.BLOCK_HEADER) + " of "
                        + length + " payload bytes)"));
                truncated = true;
                break;
            }
            long blockSize = Format.BLOCK_HEADER + (long) length;
            if (!readPayload(p, length)) {
                damage.add(new Damage(p, blockSize, label + "block CRC mismatch"));
                p += blockSize;
                continue;
            }
            byte kind = buf[0];
            if (kind == Format.KIND_DATA && length >= Format.DATA_PREFIX) {
                try {
                    decodeBlock(sink);
                } catch (Malformed e) {
                    damage.add(new Damage(p, blockSize, label + "malformed block: " + e.getMessage()));
                    p += blockSize;
                    valid = p;
                    continue;
                }
            } else if (kind != Format.KIND_HEADER) {
                damage.add(new Damage(p, blockSize, label + "unknown block kind 0x"
                        + Integer.toHexString(kind & 0xFF)));
                p += blockSize;
                valid = p;
                continue;
            }
            // A header block past the first (files concatenated) is skipped.
            blocks++;
            p += blockSize;
            valid = p;
        }
        return new ReadReport(blocks, events, damage, truncated, valid);
    }

    private static Damage label(Damage d, String label) {
        return label.isEmpty() ? d : new Damage(d.offset(), d.length(), label + d.what());
    }

    /**
     * Checks the block header at {@code p}: its payload length when good; 0 = no marker, -1 = header checksum mismatch,
     * -2 = length out of range, -3 = the file ends inside the header.
     */
    private int headerAt(long p, long size) throws IOException {
        if (size - p < Format.BLOCK_HEADER) {
            return -3;
        }
        blockHeader.clear();
        if (readAt(blockHeader, p) < Format.BLOCK_HEADER) {
            return -3;
        }
        byte[] h = blockHeader.array();
        if (int32(h, 0) != Format.MARKER) {
            return 0;
        }
        crc.reset();
        crc.update(h, 0, 12);
        if ((int) crc.getValue() != int32(h, 12)) {
            return -1;
        }
        int length = int32(h, 4);
        return length < 1 || length > Format.MAX_PAYLOAD ? -2 : length;
    }

    /** Reads the payload of the block at {@code p} into buf[0, length); true when its CRC holds. */
    private boolean readPayload(long p, int length) throws IOException {
        if (buf.length < length + SLACK) {
            buf = new byte[length + SLACK];
            bufView = ByteBuffer.wrap(buf);
        }
        int payloadCrc = int32(blockHeader.array(), 8);
        bufView.clear().limit(length);
        if (readAt(bufView, p + Format.BLOCK_HEADER) < length) {
            return false;
        }
        end = length;
        crc.reset();
        crc.update(buf, 0, length);
        return (int) crc.getValue() == payloadCrc;
    }

    /** The offset of the next good block header at or after {@code from}, or -1; a marker in the last 16 bytes counts. */
    private long findBlock(long from, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(SCAN_CHUNK);
        byte[] a = chunk.array();
        long p = from;
        while (p + 4 <= size) {
            chunk.clear();
            int n = readAt(chunk, p);
            if (n < 4) {
                break;
            }
            for (int i = 0; i + 4 <= n; i++) {
                if (a[i] == (byte) 0xFE && int32(a, i) == Format.MARKER) {
                    long q = p + i;
                    int h = headerAt(q, size);
                    if (h > 0 || h == -3) {
                        return q;
                    }
                }
            }
            p += n - 3; // a marker may straddle two chunks
        }
        return -1;
    }

    private int readAt(ByteBuffer dst, long position) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    // ---- records -----------------------------------------------------------------------------------------------------

    private void decodeBlock(CaptureSink sink) {
        blockNo++;
        slotCount = 0;
        pos = 1;
        time = i64();
        int stop = end;
        while (pos < stop) {
            int tag = buf[pos++] & 0xFF;
            if (tag >= Format.FRAME) {
                frame(tag, sink);
                continue;
            }
            boolean restated = (tag & Format.RESTATED) != 0;
            switch (tag & ~Format.RESTATED) {
                case Format.CONNECTION -> connection(sink, restated);
                case Format.JOINED -> joined(sink, restated);
                case Format.HANDSHAKE -> handshake(sink, restated);
                case Format.INVALID_TEXT -> invalidText(sink, restated);
                case Format.TCP_CLOSED -> tcpClosed(sink, restated);
                case Format.STACK -> stack(sink, restated);
                case Format.LOST -> lost(sink, restated);
                case Format.TAP_ERRORS -> tapErrors(sink, restated);
                case Format.END -> end(sink, restated);
                case Format.EXTENSION -> extension(restated);
                default -> throw malformed("unknown record tag 0x" + Integer.toHexString(tag));
            }
        }
    }

    private Malformed malformed(String what) {
        return new Malformed(what + " at payload byte " + pos);
    }

    /** Checks that the record just decoded lies inside the payload: called before anything is handed on. */
    private void checkEnd() {
        if (pos > end) {
            throw new Malformed("record runs past the end of the block");
        }
    }

    private Conn connRef() {
        long v = var();
        if (v != 0) {
            if (v < 0 || v > slotCount) {
                throw malformed("connection slot " + (v - 1) + " not assigned in this block");
            }
            return slots[(int) v - 1];
        }
        long id = var();
        Conn c = known.conns.get(id);
        if (c == null) {
            c = new Conn(id);
            known.conns.put(id, c);
        }
        if (slotCount == slots.length) {
            slots = Arrays.copyOf(slots, slotCount * 2);
        }
        slots[slotCount++] = c;
        return c;
    }

    private long time() {
        time += Format.unzigzag(var());
        return time;
    }

    /** Whether an event of {@code c} is handed on; reports a connection never declared first. */
    private boolean deliver(Conn c, long t, boolean restated, CaptureSink sink) {
        if (!c.known) {
            c.known = true;
            if (restated) {
                c.acceptFile = fileNo;
            }
            sink.undeclaredConnection(c.id, t);
            return true;
        }
        return !restated || c.acceptFile == fileNo;
    }

    private void frame(int tag, CaptureSink sink) {
        int ext = (tag & Format.F_EXT) != 0 ? (int) var() : 0;
        Conn c = connRef();
        long t = time();
        long length = var();
        boolean masked = (tag & Format.F_MASKED) != 0;
        int key = 0;
        if (masked) {
            key = int32(buf, pos);
            pos += 4;
        }
        int code = tag & Format.F_OPCODE;
        int op;
        if (code < 6) {
            op = Format.OPCODES[code];
        } else if (code == Format.OPCODE_BYTE) {
            op = buf[pos++] & 0xFF;
        } else {
            throw malformed("opcode field 6");
        }
        int d = (tag & Format.F_REMOTE) != 0 ? 1 : 0;
        boolean hixie = (ext & Format.E_HIXIE) != 0;
        boolean nonMinimal = (ext & Format.E_NON_MINIMAL) != 0;
        boolean overflow = (ext & Format.E_OVERFLOW) != 0;
        long offset;
        if ((ext & Format.E_OFFSET) != 0) {
            offset = Format.unzigzag(var());
        } else if (c.predBlock[d] == blockNo) {
            offset = c.next[d];
        } else {
            throw malformed("frame without an offset and nothing earlier in the block to derive it from");
        }
        int headerSize = (ext & Format.E_HEADER_SIZE) != 0 ? (int) Format.unzigzag(var())
                : Format.headerSize(hixie, op, masked, length, nonMinimal, overflow);
        int closeLength;
        if ((ext & Format.E_CLOSE_LENGTH) != 0) {
            closeLength = buf[pos++] & 0xFF;
            if (closeLength > Frame.MAX_CONTROL_PAYLOAD) {
                throw malformed("Close payload of " + closeLength + " bytes");
            }
        } else {
            closeLength = Format.closeLength(hixie, op, length, overflow);
        }
        int closeAt = pos;
        pos += closeLength;
        int stackId = (ext & Format.E_STACK) != 0 ? (int) var() : -1;
        if ((ext & ~Format.E_KNOWN) != 0) {
            throw malformed("unknown frame extension bits 0x" + Integer.toHexString(ext));
        }
        checkEnd();
        c.next[d] = Format.nextOffset(offset, headerSize, length, hixie, op);
        c.predBlock[d] = blockNo;
        frame.set((tag & Format.F_FIN) != 0, ext & Format.E_RSV, op, masked, key, length, headerSize, offset,
                nonMinimal, overflow, hixie, buf, closeAt, closeLength);
        if (deliver(c, t, false, sink)) {
            events++;
            sink.frame(c.id, t, ENDPOINTS[d], frame, stackId);
        }
    }

    private void connection(CaptureSink sink, boolean restated) {
        Conn c = connRef();
        long t = time();
        int transport = buf[pos++] & 0xFF;
        String local = string();
        String remote = string();
        checkEnd();
        if (transport > 1) {
            throw malformed("transport " + transport);
        }
        boolean hand;
        if (!c.known) {
            c.known = true;
            c.acceptFile = restated ? fileNo : -1;
            hand = true;
        } else {
            hand = !restated || c.acceptFile == fileNo;
        }
        if (hand) {
            events++;
            sink.connection(c.id, t, local, remote, transport == 0 ? Transport.PLAIN : Transport.TLS);
        }
    }

    private void joined(CaptureSink sink, boolean restated) {
        Conn c = connRef();
        long t = time();
        int b = buf[pos++] & 0xFF;
        checkEnd();
        int role = b & 3;
        if (role == 3 || b > 7) {
            throw malformed("joined-mid-stream byte 0x" + Integer.toHexString(b));
        }
        if (!restated) {
            c.next[0] = 0;
            c.next[1] = 0;
            c.predBlock[0] = blockNo;
            c.predBlock[1] = blockNo;
        }
        if (deliver(c, t, restated, sink)) {
            events++;
            sink.joinedMidStream(c.id, t, role == 0 ? null : role == 1 ? Role.CLIENT : Role.SERVER,
                    (b & 4) != 0 ? Protocol.HIXIE76 : Protocol.RFC6455);
        }
    }

    private void handshake(CaptureSink sink, boolean restated) {
        Conn c = connRef();
        long t = time();
        int flags = buf[pos++] & 0xFF;
        int present = (int) var();
        int status = (int) Format.unzigzag(var());
        int headBytes = (int) Format.unzigzag(var());
        String[] s = new String[Format.HEAD_STRINGS];
        for (int i = 0; i < s.length; i++) {
            if ((present & 1 << i) != 0) {
                s[i] = string();
            }
        }
        checkEnd();
        if (flags > 7 || present >>> Format.HEAD_STRINGS != 0) {
            throw malformed("handshake flags 0x" + Integer.toHexString(flags) + " / fields 0x" + Integer.toHexString(present));
        }
        boolean request = (flags & Format.H_REQUEST) != 0;
        int d = flags & Format.H_REMOTE;
        if (!restated) {
            c.next[d] = Format.afterHead(headBytes, request, (flags & Format.H_HIXIE_BODY) != 0);
            c.predBlock[d] = blockNo;
        }
        if (deliver(c, t, restated, sink)) {
            HttpHead head = new HttpHead(request, s[0], s[1], status, s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9],
                    s[10], s[11], s[12], s[13], s[14], headBytes);
            events++;
            sink.handshake(c.id, t, ENDPOINTS[d], head);
        }
    }

    private void invalidText(CaptureSink sink, boolean restated) {
        noRestate(restated, "INVALID_TEXT");
        Conn c = connRef();
        long t = time();
        int d = buf[pos++] & 0xFF;
        long offset = Format.unzigzag(var());
        checkEnd();
        if (d > 1) {
            throw malformed("endpoint " + d);
        }
        if (deliver(c, t, false, sink)) {
            events++;
            sink.invalidText(c.id, t, ENDPOINTS[d], offset);
        }
    }

    private void tcpClosed(CaptureSink sink, boolean restated) {
        Conn c = connRef();
        long t = time();
        int b = buf[pos++] & 0xFF;
        long stack = var() - 1;
        checkEnd();
        int how = b >> 1;
        if (how >= TcpEnd.values().length || stack < -1 || stack > Integer.MAX_VALUE) {
            throw malformed("TCP end 0x" + Integer.toHexString(b));
        }
        if (deliver(c, t, restated, sink)) {
            events++;
            sink.tcpClosed(c.id, t, ENDPOINTS[b & 1], TcpEnd.values()[how], (int) stack);
        }
    }

    private void stack(CaptureSink sink, boolean restated) {
        long id = var();
        long count = var();
        if (id < 0 || id > Integer.MAX_VALUE || count < 0 || count > Format.MAX_STACK_FRAMES) {
            throw malformed("stack " + id + " of " + count + " frames");
        }
        String[] frames = new String[(int) count];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = string();
            if (frames[i] == null) {
                frames[i] = "";
            }
        }
        checkEnd();
        boolean isNew = known.stacks.get(id) == null;
        known.stacks.put(id, Boolean.TRUE);
        if (!restated || isNew) {
            events++;
            sink.stack((int) id, List.of(frames));
        }
    }

    private void lost(CaptureSink sink, boolean restated) {
        noRestate(restated, "LOST");
        long t = time();
        long records = var();
        checkEnd();
        events++;
        sink.lost(t, records);
    }

    private void tapErrors(CaptureSink sink, boolean restated) {
        noRestate(restated, "TAP_ERRORS");
        long t = time();
        long id = var();
        long count = var();
        checkEnd();
        events++;
        sink.tapErrors(t, id, count);
    }

    private void end(CaptureSink sink, boolean restated) {
        noRestate(restated, "END");
        long t = time();
        checkEnd();
        events++;
        sink.endOfCapture(t);
    }

    /** A record a newer writer may add: kind, length, bytes; skipped. */
    private void extension(boolean restated) {
        noRestate(restated, "EXTENSION");
        var();
        long length = var();
        if (length < 0 || length > end - pos) {
            throw malformed("extension record of " + length + " bytes");
        }
        pos += (int) length;
    }

    private void noRestate(boolean restated, String what) {
        if (restated) {
            throw malformed("re-declared " + what);
        }
    }

    // ---- primitives --------------------------------------------------------------------------------------------------

    private long var() {
        byte[] b = buf;
        int p = pos;
        long v = b[p++];
        if (v >= 0) {
            pos = p;
            return v;
        }
        v &= 0x7F;
        for (int shift = 7; shift < 64; shift += 7) {
            long x = b[p++];
            v |= (x & 0x7F) << shift;
            if (x >= 0) {
                pos = p;
                return v;
            }
        }
        pos = p;
        throw malformed("varint longer than 10 bytes");
    }

    private long i64() {
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = v << 8 | (buf[pos++] & 0xFF);
        }
        return v;
    }

    private String string() {
        long n = var();
        if (n == 0) {
            return null;
        }
        if (n < 0 || n - 1 > end - pos) {
            throw malformed("string of " + (n - 1) + " bytes");
        }
        String s = new String(buf, pos, (int) n - 1, StandardCharsets.UTF_8);
        pos += (int) n - 1;
        return s;
    }

    private static int int32(byte[] a, int i) {
        return (a[i] & 0xFF) << 24 | (a[i + 1] & 0xFF) << 16 | (a[i + 2] & 0xFF) << 8 | (a[i + 3] & 0xFF);
    }

    /** The first bytes of a file that is not a capture, and what it looks like. */
    private static String describe(byte[] p, int n) {
        if (n == 0) {
            return "an empty file";
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(n, 8); i++) {
            s.append(i == 0 ? "" : " ").append(String.format("%02x", p[i] & 0xFF));
        }
        if (n < Format.MAGIC_SIZE) {
            s.append(" and the end of the file");
        }
        int m = n >= 4 ? int32(p, 0) : 0;
        String kind = switch (m) {
            case 0xA1B2C3D4, 0xD4C3B2A1, 0xA1B23C4D, 0x4D3CB2A1 -> "a pcap capture";
            case 0x0A0D0D0A -> "a pcapng capture";
            case 0x464C5200 -> "a JFR recording";
            default -> null;
        };
        return kind == null ? s.toString() : s + " (" + kind + ", not a wstap capture)";
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
