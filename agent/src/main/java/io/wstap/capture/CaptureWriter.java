package io.wstap.capture;

import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import io.wstap.wire.Frame;
import io.wstap.wire.HttpHead;
import io.wstap.wire.Opcode;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Writes a capture file (docs/capture-format.md): events go into a block buffer, and each full block (about
 * {@value #BLOCK_TARGET} bytes), or each {@link #flush()}, goes to the file as one CRC-checked block. A crash loses
 * the unwritten block only; a torn or damaged block costs that block alone.
 *
 * <p>One thread (the agent's writer thread) uses a writer. Nothing is allocated per frame: the block buffer, the
 * connection map and the CRC are reused; blocks allocate a little, connections a little more.
 *
 * <p>The file is created new, readable and writable by its owner only (0600 where POSIX permissions exist), and never
 * overwrites a file. With {@code maxBytes > 0} the capture rotates: a file that would grow past {@code maxBytes} is
 * finished and the capture goes on in {@code <base>-1.wstap}, {@code <base>-2.wstap}, ... (base: the first file's name
 * without {@code .wstap}), each starting with the header and the connections still open, re-declared, so that every
 * file reads alone.
 *
 * <p>A rotated file re-declares the connections still open: declared, and neither closed at both ends, nor closed
 * at one end more than {@link #LINGER_NANOS} ago, nor given up by the tap, nor {@link #forget forgotten}. The writer
 * forgets such connections by itself (about once a second of event time), which bounds its memory.
 *
 * <p>The {@link CaptureSink} methods throw {@link UncheckedIOException} when the file cannot be written.
 */
public final class CaptureWriter implements CaptureSink, Closeable {
    /** The format version this writer writes (a reader refuses other versions). */
    public static final int VERSION = 1;
    /** The file name extension of captures. */
    public static final String EXTENSION = ".wstap";
    /** A block ends once its payload would pass this many bytes (records never straddle blocks). */
    public static final int BLOCK_TARGET = 64 * 1024;
    /** Handshake heads kept per connection for re-declaration in a rotated file (interim 1xx answers included). */
    static final int MAX_HEADS_KEPT = 8;
    /**
     * A connection whose first TCP close is this much older than the latest event is no longer re-declared (nor kept):
     * its outcome was decided at that close, and the driver may never see the other end's (a socket closed locally
     * does not read the peer's FIN). An entry made by events without a connection event goes after this long idle.
     */
    public static final long LINGER_NANOS = 10_000_000_000L;
    /** How often (in event time) the writer sweeps such connections out. */
    static final long SWEEP_NANOS = 1_000_000_000L;

    private static final int FRAME_BOUND = 1 + 2 + 11 + 10 + 10 + 4 + 1 + 10 + 5 + 1 + Frame.MAX_CONTROL_PAYLOAD + 5;
    private static final int SMALL_BOUND = 1 + 11 + 10 + 1 + 10 + 10 + 10;

    /** What the writer keeps of one connection: encoding state, and what a rotated file re-declares. */
    private static final class Conn {
        final long id;
        /** Its connection event was written: it can be re-declared. */
        boolean declared;
        long time;
        String local;
        String remote;
        Transport transport;
        boolean joined;
        long joinTime;
        Role joinRole;
        Protocol joinProtocol;
        List<Head> heads;
        /** A hixie-76 upgrade request was seen: the response carries a 16-byte body. */
        boolean hixie;
        TcpEnd[] tcp;
        long[] tcpTime;
        int[] tcpStack;
        /** Block-local slot (valid while slotBlock == the current block). */
        long slotBlock;
        int slot;
        /**
         * Predicted offset of each direction's next frame (0 local, 1 remote), valid in block predBlock0/1 only. Fields,
         * not two-element arrays: every frame record reads and writes them, and an array is one more object to load.
         */
        long next0, next1;
        long predBlock0, predBlock1;
        /** Time of its latest event. */
        long lastSeen;
        /** Every connection the writer knows, in the order it learnt of them (re-declaration order). */
        Conn prev;
        Conn nextOpen;

        Conn(long id) {
            this.id = id;
        }
    }

    private record Head(long time, Endpoint sender, HttpHead head, boolean hixieBody) {
    }

    private static final class StackDecl {
        final int id;
        final List<String> frames;
        /** The file part it was last declared in, -1 = none. */
        int part = -1;
        final int bound;

        StackDecl(int id, List<String> frames) {
            this.id = id;
            this.frames = frames;
            int b = 1 + 5 + 5;
            for (String f : frames) {
                b += 5 + Math.min(3 * (long) (f == null ? 0 : f.length()), Format.MAX_STACK_FRAME_BYTES);
            }
            this.bound = b;
        }
    }

    private final Path first;
    private final CaptureHeader header;
    private final long maxBytes;
    private final CRC32C crc = new CRC32C();

    private FileChannel channel;
    private Path current;
    private int part;
    private long fileBytes;
    private long totalBytes;
    /** Records written to the current file other than re-declarations: a file with none never rotates. */
    private long dataRecordsInFile;

    // The block being built: buf[0, 16) is kept for the block header, the payload starts at 16.
    private byte[] buf = new byte[Format.BLOCK_HEADER + BLOCK_TARGET + 4096];
    private ByteBuffer out = ByteBuffer.wrap(buf);
    private int pos;
    private boolean blockOpen;
    private boolean blockHasRecords;
    /** Counts blocks started; slots and offset predictions name the block they are valid in. */
    private long blockNo;
    private long prevTime;
    private int slotCount;
    private long lastTime;

    private final LongMap<Conn> conns = new LongMap<>(256);
    /**
     * The connections of recent records, by id modulo its size: ids are handed out in sequence, so the last
     * {@value #RECENT} connections each have a place of their own, and a record finds its connection with one load
     * instead of a look-up in {@link #conns} (the writer does this once per frame; an echo alternates connections).
     */
    private final Conn[] recent = new Conn[RECENT];
    private static final int RECENT = 64;
    private Conn firstOpen;
    private Conn lastOpen;
    private long lastSweep;
    private final LongMap<StackDecl> stacks = new LongMap<>(64);
    private boolean ended;
    private boolean closed;

    private CaptureWriter(Path file, CaptureHeader header, long maxBytes) {
        this.first = file;
        this.header = header;
        this.maxBytes = maxBytes;
        this.lastTime = header.monotonicNanosAtAnchor();
        this.lastSweep = lastTime;
    }

    /**
     * Creates {@code file} (it must not exist) and writes the magic, the version and the header block.
     *
     * @param maxBytes rotate past this many bytes per file; 0 = one file, unlimited
     * @throws FileAlreadyExistsException (an IOException naming the file) when it exists: a capture never overwrites
     * @throws IllegalArgumentException   when {@code header.version()} is not {@link #VERSION} or maxBytes is negative
     */
    public static CaptureWriter create(Path file, CaptureHeader header, long maxBytes) throws IOException {
        if (header.version() != VERSION) {
            throw new IllegalArgumentException("this writer writes format version " + VERSION + ", not " + header.version());
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be 0 (unlimited) or positive: " + maxBytes);
        }
        CaptureWriter w = new CaptureWriter(file, header, maxBytes);
        w.openFile(file);
        return w;
    }

    /** Bytes written to every file of this capture so far (the block being built is not counted until written). */
    public long bytesWritten() {
        return totalBytes;
    }

    /** The file being written (the latest rotated one). */
    public Path currentFile() {
        return current;
    }

    /** 0 for the first file, n for {@code <base>-n.wstap}. */
    public int currentPart() {
        return part;
    }

    /** The name of rotated file {@code n} next to {@code first}: {@code <base>-n.wstap}; {@code first} for 0. */
    public static Path rotatedFile(Path first, int n) {
        if (n == 0) {
            return first;
        }
        String name = first.getFileName().toString();
        String b = name.endsWith(EXTENSION) ? name.substring(0, name.length() - EXTENSION.length()) : name;
        return first.resolveSibling(b + "-" + n + EXTENSION);
    }

    // ---- CaptureSink ------------------------------------------------------------------------------------------------

    @Override
    public void connection(long id, long timeNanos, String local, String remote, Transport transport) {
        try {
            checkOpen();
            Conn old = conns.get(id);
            if (old != null) {
                drop(old);
            }
            Conn c = new Conn(id);
            c.time = timeNanos;
            c.lastSeen = timeNanos;
            c.local = local;
            c.remote = remote;
            c.transport = transport == null ? Transport.PLAIN : transport;
            // State that a rotated file re-declares changes only after prepare(), which may rotate: else the record
            // would be re-declared and then written again.
            prepare(connectionBound(c), timeNanos, true);
            conns.put(id, c);
            recent[(int) id & (RECENT - 1)] = c;
            c.declared = true;
            link(c);
            writeConnection(c, false);
            dataRecord();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void joinedMidStream(long id, long timeNanos, Role localRole, Protocol protocol) {
        try {
            checkOpen();
            Conn c = conn(id, timeNanos);
            prepare(SMALL_BOUND, timeNanos, true);
            c.joined = true;
            c.joinTime = timeNanos;
            c.joinRole = localRole;
            c.joinProtocol = protocol == null ? Protocol.RFC6455 : protocol;
            writeJoined(c, timeNanos, false);
            // Frames follow from offset 0 of each direction's stream (a prediction only: checked per frame).
            predict(c, 0, 0);
            predict(c, 1, 0);
            dataRecord();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handshake(long id, long timeNanos, Endpoint sender, HttpHead head) {
        try {
            checkOpen();
            Conn c = conn(id, timeNanos);
            prepare(headBound(head), timeNanos, true);
            boolean hixieBody;
            if (head.request()) {
                hixieBody = head.isHixie76();
                c.hixie |= hixieBody;
            } else {
                hixieBody = c.hixie;
            }
            if (c.heads == null) {
                c.heads = new ArrayList<>(2);
            }
            if (c.heads.size() < MAX_HEADS_KEPT) {
                c.heads.add(new Head(timeNanos, sender, head, hixieBody));
            }
            writeHandshake(c, timeNanos, sender, head, hixieBody, false);
            int d = sender == Endpoint.REMOTE ? 1 : 0;
            predict(c, d, Format.afterHead(head.headBytes(), head.request(), hixieBody));
            dataRecord();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void frame(long id, long timeNanos, Endpoint sender, Frame f, int stackId) {
        try {
            checkOpen();
            Conn c = conn(id, timeNanos);
            StackDecl stack = stackId >= 0 ? stacks.get(stackId) : null;
            prepare(FRAME_BOUND + (stack == null ? 0 : stack.bound), timeNanos, true);
            if (stack != null) {
                declareInThisFile(stack);
            }
            writeFrame(c, timeNanos, sender, f, stackId);
            dataRecord();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A frame that is not a Close frame, has a minimal RFC 6455 header and no stack, given as its fields: every data
     * frame of a well-behaved connection, and its pings and pongs. The file holds exactly what {@link #frame} writes for
     * the same frame. The agent's writer hands most of its ring's frame records over this way, without filling a
     * {@link Frame} view for each and without {@link #frame}'s tests for the rare cases: about a quarter of its work
     * per small message (docs/benchmarks.md, ninth run).
     *
     * @throws IllegalArgumentException for a Close frame or a negative length, which need {@link #frame}'s record
     */
    public void plainFrame(long id, long timeNanos, Endpoint sender, boolean fin, int rsv, int opcode, boolean masked,
                           int maskKey, long payloadLength, long offset) {
        if (opcode == Opcode.CLOSE || payloadLength < 0) {
            // Written here, either would be a record the reader parses differently, and the rest of its block with it.
            throw new IllegalArgumentException("not a plain frame (opcode " + opcode + ", length " + payloadLength
                    + "): use frame()");
        }
        try {
            checkOpen();
            Conn c = conn(id, timeNanos);
            prepare(FRAME_BOUND, timeNanos, true);
            int d = sender == Endpoint.REMOTE ? 1 : 0;
            putFrameStart(c, timeNanos, d, fin, masked, opcode, maskKey, payloadLength, offset,
                    rsv & Format.E_RSV | unpredicted(c, d, offset));
            predict(c, d, Format.nextOffset(offset, Format.headerSize(false, opcode, masked, payloadLength, false, false),
                    payloadLength, false, opcode));
            dataRecord();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void invalidText(long id, long timeNanos, Endpoint sender, long offset) {
        try {
            checkOpen();
            Conn c = conn(id, timeNanos);
            prepare(SMALL_BOUND, timeNanos, true);
            buf[pos++] = Format.INVALID_TEXT;
            connRef(c);
            time(timeNanos);
            buf[pos++] = (byte) (sender == Endpoint.REMOTE ? 1 : 0);
            putVar(Format.zigzag(offset));
            dataRecord();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void tcpClosed(long id, long timeNanos, Endpoint endpoint, TcpEnd how, int stackId) {
        try {
            checkOpen();
            Conn c = conn(id, timeNanos);
            int d = endpoint == Endpoint.REMOTE ? 1 : 0;
            int stack = Math.max(stackId, -1);
            StackDecl decl = stack >= 0 ? stacks.get(stack) : null;
            prepare(SMALL_BOUND + (decl == null ? 0 : decl.bound), timeNanos, true);
            if (decl != null) {
                declareInThisFile(decl);
            }
            writeTcpClosed(c, timeNanos, d, how, stack, false);
            dataRecord();
            if (c.tcp == null) {
                c.tcp = new TcpEnd[2];
                c.tcpTime = new long[2];
                c.tcpStack = new int[2];
            }
            if (c.tcp[d] == null) {
                c.tcp[d] = how;
                c.tcpTime[d] = timeNanos;
                c.tcpStack[d] = stack;
            }
            if (c.tcp[0] != null && c.tcp[1] != null) {
                drop(c); // both ends closed: nothing more to re-declare
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ignored when {@code stackId} is negative. Frames beyond {@value Format#MAX_STACK_FRAMES} are not kept. */
    @Override
    public void stack(int stackId, List<String> frames) {
        if (stackId < 0) {
            return;
        }
        try {
            checkOpen();
            List<String> kept = frames.size() > Format.MAX_STACK_FRAMES ? frames.subList(0, Format.MAX_STACK_FRAMES) : frames;
            StackDecl d = new StackDecl(stackId, List.copyOf(kept));
            stacks.put(stackId, d);
            prepare(d.bound, lastTime, true);
            writeStack(d, false);
            d.part = part;
            dataRecord();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void lost(long timeNanos, long records) {
        try {
            checkOpen();
            prepare(SMALL_BOUND, timeNanos, true);
            buf[pos++] = Format.LOST;
            time(timeNanos);
            putVar(records);
            dataRecord();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Also forgets the connection: the tap ignores it from now on. */
    @Override
    public void tapErrors(long timeNanos, long connectionId, long count) {
        try {
            checkOpen();
            prepare(SMALL_BOUND, timeNanos, true);
            buf[pos++] = Format.TAP_ERRORS;
            time(timeNanos);
            putVar(connectionId);
            putVar(count);
            dataRecord();
            forget(connectionId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the end-of-capture record; {@link #close()} writes one with {@code System.nanoTime()} unless this was called. */
    @Override
    public void endOfCapture(long timeNanos) {
        try {
            checkOpen();
            prepare(SMALL_BOUND, timeNanos, true);
            buf[pos++] = Format.END;
            time(timeNanos);
            dataRecord();
            ended = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A reader-side event: nothing to write (frames of unknown connections are written as they come). */
    @Override
    public void undeclaredConnection(long id, long timeNanos) {
    }

    /**
     * Forgets a connection the driver no longer tracks (e.g. its socket was collected without a close): it is not
     * re-declared in later rotated files. Connections are forgotten by themselves once both ends closed TCP.
     */
    public void forget(long id) {
        Conn c = conns.get(id);
        if (c != null) {
            drop(c);
        }
    }

    /** Ends the current block and writes it (the agent calls this at least once a second). No fsync. */
    public void flush() throws IOException {
        checkOpen();
        endBlock();
    }

    /** Writes the end-of-capture record (unless written), the last block, forces the file to disk and closes it. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (!ended) {
                long now = System.nanoTime();
                prepare(SMALL_BOUND, now, true);
                buf[pos++] = Format.END;
                time(now);
                dataRecord();
                ended = true;
            }
            endBlock();
            channel.force(true);
        } finally {
            closed = true;
            channel.close();
        }
    }

    // ---- records -------------------------------------------------------------------------------------------------

    private void writeConnection(Conn c, boolean restated) {
        buf[pos++] = (byte) (Format.CONNECTION | (restated ? Format.RESTATED : 0));
        connRef(c);
        time(c.time);
        buf[pos++] = (byte) c.transport.ordinal();
        putString(c.local, Format.MAX_STRING_BYTES);
        putString(c.remote, Format.MAX_STRING_BYTES);
    }

    private void writeJoined(Conn c, long t, boolean restated) {
        buf[pos++] = (byte) (Format.JOINED | (restated ? Format.RESTATED : 0));
        connRef(c);
        time(t);
        int role = c.joinRole == null ? 0 : c.joinRole == Role.CLIENT ? 1 : 2;
        buf[pos++] = (byte) (role | (c.joinProtocol == Protocol.HIXIE76 ? 4 : 0));
    }

    private void writeHandshake(Conn c, long t, Endpoint sender, HttpHead h, boolean hixieBody, boolean restated) {
        buf[pos++] = (byte) (Format.HANDSHAKE | (restated ? Format.RESTATED : 0));
        connRef(c);
        time(t);
        buf[pos++] = (byte) ((sender == Endpoint.REMOTE ? Format.H_REMOTE : 0) | (h.request() ? Format.H_REQUEST : 0)
                | (hixieBody ? Format.H_HIXIE_BODY : 0));
        String[] s = strings(h);
        int present = 0;
        for (int i = 0; i < s.length; i++) {
            if (s[i] != null) {
                present |= 1 << i;
            }
        }
        putVar(present);
        putVar(Format.zigzag(h.status()));
        putVar(Format.zigzag(h.headBytes()));
        for (String v : s) {
            if (v != null) {
                putString(v, Format.MAX_STRING_BYTES);
            }
        }
    }

    /** The head's text fields in format order (docs/capture-format.md, HANDSHAKE). */
    static String[] strings(HttpHead h) {
        return new String[] {h.method(), h.target(), h.reason(), h.host(), h.upgrade(), h.connection(), h.key(),
                h.version(), h.protocol(), h.extensions(), h.accept(), h.key1(), h.key2(), h.origin(), h.location()};
    }

    private void writeFrame(Conn c, long t, Endpoint sender, Frame f, int stackId) {
        int d = sender == Endpoint.REMOTE ? 1 : 0;
        boolean hixie = f.hixie();
        int op = f.opcode();
        long length = f.payloadLength();
        boolean masked = f.masked();
        boolean nonMinimal = f.nonMinimalLength();
        boolean overflow = f.lengthOverflow();
        long offset = f.offset();
        int headerSize = f.headerSize();
        int closeLength = f.closePayloadLength();
        int ext = f.rsv() & Format.E_RSV | unpredicted(c, d, offset);
        if (stackId >= 0) {
            ext |= Format.E_STACK;
        }
        if (hixie) {
            ext |= Format.E_HIXIE;
        }
        if (nonMinimal) {
            ext |= Format.E_NON_MINIMAL;
        }
        if (overflow) {
            ext |= Format.E_OVERFLOW;
        }
        if (headerSize != Format.headerSize(hixie, op, masked, length, nonMinimal, overflow)) {
            ext |= Format.E_HEADER_SIZE;
        }
        if (closeLength != Format.closeLength(hixie, op, length, overflow)) {
            ext |= Format.E_CLOSE_LENGTH;
        }
        putFrameStart(c, t, d, f.fin(), masked, op, f.maskKey(), length, offset, ext);
        if ((ext & Format.E_HEADER_SIZE) != 0) {
            putVar(Format.zigzag(headerSize));
        }
        if ((ext & Format.E_CLOSE_LENGTH) != 0) {
            buf[pos++] = (byte) closeLength;
        }
        if (closeLength > 0) {
            pos += f.copyClosePayload(buf, pos);
        }
        if (stackId >= 0) {
            putVar(stackId);
        }
        predict(c, d, Format.nextOffset(offset, headerSize, length, hixie, op));
    }

    /** {@link Format#E_OFFSET} unless {@code offset} is where direction {@code d}'s last frame in this block ended. */
    private int unpredicted(Conn c, int d, long offset) {
        boolean predicted = d == 0 ? c.predBlock0 == blockNo && c.next0 == offset
                : c.predBlock1 == blockNo && c.next1 == offset;
        return predicted ? 0 : Format.E_OFFSET;
    }

    private void predict(Conn c, int d, long nextOffset) {
        if (d == 0) {
            c.next0 = nextOffset;
            c.predBlock0 = blockNo;
        } else {
            c.next1 = nextOffset;
            c.predBlock1 = blockNo;
        }
    }

    /**
     * What every frame record starts with (docs/capture-format.md, FRAME): its first byte, the extension bits
     * {@code ext} if any, the connection, the time, the length, the masking key, the opcode when it has no code of
     * its own, and the offset when {@code ext} says it is not the predicted one.
     */
    private void putFrameStart(Conn c, long t, int d, boolean fin, boolean masked, int op, int maskKey, long length,
                               long offset, int ext) {
        int code = Format.opcodeCode(op);
        buf[pos++] = (byte) (Format.FRAME | (ext != 0 ? Format.F_EXT : 0) | (d == 1 ? Format.F_REMOTE : 0)
                | (fin ? Format.F_FIN : 0) | (masked ? Format.F_MASKED : 0) | code);
        if (ext != 0) {
            putVar(ext);
        }
        connRef(c);
        time(t);
        putVar(length);
        if (masked) {
            buf[pos] = (byte) (maskKey >>> 24);
            buf[pos + 1] = (byte) (maskKey >>> 16);
            buf[pos + 2] = (byte) (maskKey >>> 8);
            buf[pos + 3] = (byte) maskKey;
            pos += 4;
        }
        if (code == Format.OPCODE_BYTE) {
            buf[pos++] = (byte) op;
        }
        if ((ext & Format.E_OFFSET) != 0) {
            putVar(Format.zigzag(offset));
        }
    }

    private void writeTcpClosed(Conn c, long t, int d, TcpEnd how, int stackId, boolean restated) {
        buf[pos++] = (byte) (Format.TCP_CLOSED | (restated ? Format.RESTATED : 0));
        connRef(c);
        time(t);
        buf[pos++] = (byte) (d | (how == null ? TcpEnd.IO_ERROR : how).ordinal() << 1);
        putVar(stackId + 1L);
    }

    private void writeStack(StackDecl s, boolean restated) {
        buf[pos++] = (byte) (Format.STACK | (restated ? Format.RESTATED : 0));
        putVar(s.id);
        putVar(s.frames.size());
        for (String f : s.frames) {
            putString(f, Format.MAX_STACK_FRAME_BYTES);
        }
    }

    /** Re-declares a stack first used in an earlier file (space already reserved by the caller's prepare). */
    private void declareInThisFile(StackDecl s) {
        if (s.part != part) {
            writeStack(s, true);
            s.part = part;
        }
    }

    private void dataRecord() {
        dataRecordsInFile++;
    }

    // ---- connections -----------------------------------------------------------------------------------------------

    private Conn conn(long id, long t) {
        int r = (int) id & (RECENT - 1);
        Conn c = recent[r];
        if (c != null && c.id == id) {
            c.lastSeen = t;
            return c;
        }
        c = conns.get(id);
        if (c == null) {
            c = new Conn(id); // an event before (or without) its connection event: written, never re-declared
            conns.put(id, c);
            link(c);
        }
        c.lastSeen = t;
        recent[r] = c;
        return c;
    }

    private void link(Conn c) {
        c.prev = lastOpen;
        c.nextOpen = null;
        if (lastOpen == null) {
            firstOpen = c;
        } else {
            lastOpen.nextOpen = c;
        }
        lastOpen = c;
    }

    private void drop(Conn c) {
        if (conns.get(c.id) == c) {
            conns.remove(c.id);
        }
        int r = (int) c.id & (RECENT - 1);
        if (recent[r] == c) {
            recent[r] = null;
        }
        if (c.prev == null) {
            if (firstOpen == c) {
                firstOpen = c.nextOpen;
            }
        } else {
            c.prev.nextOpen = c.nextOpen;
        }
        if (c.nextOpen == null) {
            if (lastOpen == c) {
                lastOpen = c.prev;
            }
        } else {
            c.nextOpen.prev = c.prev;
        }
        c.prev = null;
        c.nextOpen = null;
        c.declared = false;
    }

    /** Whether {@code c} is done with at {@code now}: closed at both ends, or closed at one long enough ago, or idle. */
    private static boolean done(Conn c, long now) {
        if (c.tcp != null) {
            if (c.tcp[0] != null && c.tcp[1] != null) {
                return true;
            }
            long first = c.tcp[0] != null ? c.tcpTime[0] : c.tcpTime[1];
            return now - first > LINGER_NANOS;
        }
        return !c.declared && now - c.lastSeen > LINGER_NANOS;
    }

    /** Drops the connections that are done with (about once a second of event time, and before a rotation). */
    private void sweep(long now) {
        lastSweep = now;
        Conn c = firstOpen;
        while (c != null) {
            Conn next = c.nextOpen;
            if (done(c, now)) {
                drop(c);
            }
            c = next;
        }
    }

    /** Block-local connection reference: 0 + id the first time in a block (which assigns the next slot), else slot + 1. */
    private void connRef(Conn c) {
        if (c.slotBlock == blockNo) {
            putVar(c.slot + 1L);
        } else {
            c.slotBlock = blockNo;
            c.slot = slotCount++;
            buf[pos++] = 0;
            putVar(c.id);
        }
    }

    // ---- blocks and files --------------------------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("capture writer closed: " + current);
        }
    }

    /**
     * Makes room for a record of at most {@code bound} bytes: rotates when the file would pass maxBytes (unless it
     * holds no record yet, so a file always makes progress), ends the block when it would pass its target, opens one.
     */
    private void prepare(int bound, long t, boolean mayRotate) throws IOException {
        if (mayRotate && maxBytes > 0 && dataRecordsInFile > 0
                && fileBytes + (blockOpen ? pos : Format.BLOCK_HEADER + Format.DATA_PREFIX) + bound > maxBytes) {
            endBlock();
            rotate();
        }
        if (blockOpen && blockHasRecords && pos + bound > Format.BLOCK_HEADER + BLOCK_TARGET) {
            endBlock();
        }
        if (!blockOpen) {
            startBlock(t);
        }
        if (pos + bound > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(pos + bound, buf.length * 2));
            out = ByteBuffer.wrap(buf);
        }
        blockHasRecords = true; // the caller writes its record now
        if (mayRotate) {
            lastTime = t;
            // Events of several threads come slightly out of time order: only a large jump back restarts the clock.
            if (t - lastSweep > SWEEP_NANOS || lastSweep - t > LINGER_NANOS) {
                sweep(t);
            }
        }
    }

    private void startBlock(long t) {
        blockNo++;
        pos = Format.BLOCK_HEADER;
        buf[pos++] = Format.KIND_DATA;
        putLong(t);
        prevTime = t;
        slotCount = 0;
        blockOpen = true;
        blockHasRecords = false;
    }

    private void endBlock() throws IOException {
        if (!blockOpen) {
            return;
        }
        blockOpen = false;
        if (!blockHasRecords) {
            return;
        }
        sealBlock(0, pos);
        out.clear().limit(pos);
        writeFully(out);
        fileBytes += pos;
        totalBytes += pos;
    }

    /** Fills in the header of the block at {@code at} whose payload runs from at + 16 to {@code end}. */
    private void sealBlock(int at, int end) {
        int length = end - at - Format.BLOCK_HEADER;
        crc.reset();
        crc.update(buf, at + Format.BLOCK_HEADER, length);
        int payloadCrc = (int) crc.getValue();
        putInt(at, Format.MARKER);
        putInt(at + 4, length);
        putInt(at + 8, payloadCrc);
        crc.reset();
        crc.update(buf, at, 12);
        putInt(at + 12, (int) crc.getValue());
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private void openFile(Path file) throws IOException {
        FileChannel ch = openNew(file);
        try {
            channel = ch;
            current = file;
            fileBytes = 0;
            dataRecordsInFile = 0;
            writePreamble();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Magic, version and the header block, built at the start of the block buffer (no block is open here). */
    private void writePreamble() throws IOException {
        int bound = Format.PREAMBLE_SIZE + Format.BLOCK_HEADER + 1 + stringBound(header.host(), Format.MAX_STRING_BYTES)
                + 10 + stringBound(header.jvm(), Format.MAX_STRING_BYTES) + 16
                + stringBound(header.options(), Format.MAX_STRING_BYTES) + 5;
        if (buf.length < bound) {
            buf = Arrays.copyOf(buf, bound);
            out = ByteBuffer.wrap(buf);
        }
        System.arraycopy(Format.MAGIC, 0, buf, 0, Format.MAGIC_SIZE);
        buf[8] = (byte) (VERSION >>> 8);
        buf[9] = (byte) VERSION;
        pos = Format.PREAMBLE_SIZE + Format.BLOCK_HEADER;
        buf[pos++] = Format.KIND_HEADER;
        putString(header.host(), Format.MAX_STRING_BYTES);
        putVar(Format.zigzag(header.pid()));
        putString(header.jvm(), Format.MAX_STRING_BYTES);
        putLong(header.wallClockEpochNanos());
        putLong(header.monotonicNanosAtAnchor());
        putString(header.options(), Format.MAX_STRING_BYTES);
        putVar(part);
        sealBlock(Format.PREAMBLE_SIZE, pos);
        out.clear().limit(pos);
        writeFully(out);
        fileBytes += pos;
        totalBytes += pos;
    }

    /** Finishes the current file and goes on in the next one, re-declaring what is still open. */
    private void rotate() throws IOException {
        channel.close();
        part++;
        openFile(rotatedFile(first, part));
        sweep(lastTime);
        for (Conn c = firstOpen; c != null; c = c.nextOpen) {
            if (!c.declared) {
                continue;
            }
            prepare(connectionBound(c), c.time, false);
            writeConnection(c, true);
            if (c.joined) {
                prepare(SMALL_BOUND, c.joinTime, false);
                writeJoined(c, c.joinTime, true);
            }
            if (c.heads != null) {
                for (Head h : c.heads) {
                    prepare(headBound(h.head), h.time, false);
                    writeHandshake(c, h.time, h.sender, h.head, h.hixieBody, true);
                }
            }
            if (c.tcp != null) {
                for (int d = 0; d < 2; d++) {
                    if (c.tcp[d] != null) {
                        StackDecl decl = c.tcpStack[d] >= 0 ? stacks.get(c.tcpStack[d]) : null;
                        prepare(SMALL_BOUND + (decl == null ? 0 : decl.bound), c.tcpTime[d], false);
                        if (decl != null) {
                            declareInThisFile(decl);
                        }
                        writeTcpClosed(c, c.tcpTime[d], d, c.tcp[d], c.tcpStack[d], true);
                    }
                }
            }
        }
    }

    private static FileChannel openNew(Path file) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                return FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(
                        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
            }
            FileChannel ch = FileChannel.open(file, options);
            ownerOnlyAcl(file);
            return ch;
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file.toString(), null,
                    "exists; a wstap capture never overwrites a file (choose another name or remove it)");
        }
    }

    /** Where POSIX permissions do not exist (Windows): best effort, an ACL that lets the owner alone in. */
    private static void ownerOnlyAcl(Path file) {
        try {
            AclFileAttributeView view = Files.getFileAttributeView(file, AclFileAttributeView.class);
            if (view != null) {
                AclEntry owner = AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(view.getOwner())
                        .setPermissions(EnumSet.allOf(AclEntryPermission.class)).build();
                view.setAcl(List.of(owner));
            }
        } catch (IOException | RuntimeException ignored) {
            // the file keeps the directory's default ACL
        }
    }

    // ---- bounds and encoding -------------------------------------------------------------------------------------------

    private static int stringBound(String s, int cap) {
        return 5 + (s == null ? 0 : (int) Math.min(3L * s.length(), cap));
    }

    private static int connectionBound(Conn c) {
        return SMALL_BOUND + stringBound(c.local, Format.MAX_STRING_BYTES) + stringBound(c.remote, Format.MAX_STRING_BYTES);
    }

    private static int headBound(HttpHead h) {
        int b = SMALL_BOUND + 15;
        for (String s : strings(h)) {
            b += stringBound(s, Format.MAX_STRING_BYTES);
        }
        return b;
    }

    private void time(long t) {
        putVar(Format.zigzag(t - prevTime));
        prevTime = t;
    }

    private void putVar(long v) {
        byte[] b = buf;
        int p = pos;
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        pos = p;
    }

    private void putLong(long v) {
        for (int k = 56; k >= 0; k -= 8) {
            buf[pos++] = (byte) (v >>> k);
        }
    }

    private void putInt(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    /**
     * varint(n + 1) then n bytes of UTF-8, or varint 0 for null. At most {@code cap} bytes are kept, cut at a character
     * boundary; an unpaired surrogate is written as '?'. No allocation.
     */
    private void putString(String s, int cap) {
        if (s == null) {
            buf[pos++] = 0;
            return;
        }
        int n = s.length();
        int bytes = 0;
        int chars = 0;
        while (chars < n) {
            char ch = s.charAt(chars);
            int size;
            int step = 1;
            if (ch < 0x80) {
                size = 1;
            } else if (ch < 0x800) {
                size = 2;
            } else if (Character.isHighSurrogate(ch) && chars + 1 < n && Character.isLowSurrogate(s.charAt(chars + 1))) {
                size = 4;
                step = 2;
            } else if (Character.isSurrogate(ch)) {
                size = 1;
            } else {
                size = 3;
            }
            if (bytes + size > cap) {
                break;
            }
            bytes += size;
            chars += step;
        }
        putVar(bytes + 1L);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < chars; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                b[p++] = (byte) ch;
            } else if (ch < 0x800) {
                b[p++] = (byte) (0xC0 | ch >> 6);
                b[p++] = (byte) (0x80 | (ch & 0x3F));
            } else if (Character.isHighSurrogate(ch) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(ch, s.charAt(++i));
                b[p++] = (byte) (0xF0 | cp >> 18);
                b[p++] = (byte) (0x80 | (cp >> 12 & 0x3F));
                b[p++] = (byte) (0x80 | (cp >> 6 & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(ch)) {
                b[p++] = '?';
            } else {
                b[p++] = (byte) (0xE0 | ch >> 12);
                b[p++] = (byte) (0x80 | (ch >> 6 & 0x3F));
                b[p++] = (byte) (0x80 | (ch & 0x3F));
            }
        }
        pos = p;
    }
}
