package io.wstap.analyzer.source.pcap;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The packets of a classic pcap or a pcapng file, one at a time, streamed (never the whole file in memory). Each
 * {@link #next()} fills the reused {@link #data} buffer; a damaged or cut file ends with {@link #damage} set to one
 * line saying at which byte offset what was expected.
 */
abstract class PacketFile implements Closeable {
    /** Largest packet kept: larger records are skipped and counted (a snap length this big is not Ethernet). */
    static final int MAX_PACKET = 256 * 1024;

    private final InputStream in;
    /** Bytes consumed so far: the offset damage is reported at. */
    long offset;
    /** The current packet: {@code data[0, length)} captured bytes, link type, time in epoch nanos. */
    byte[] data = new byte[2048];
    int length;
    int linkType;
    long timeNanos;
    /** Non-null when the file ended on damage: "at byte N: expected ..., found ...". */
    String damage;
    long damageOffset = -1;
    long packets;

    PacketFile(InputStream in) {
        this.in = in;
    }

    static PacketFile open(Path file, boolean ng) throws IOException {
        return open(new BufferedInputStream(Files.newInputStream(file), 1 << 16), ng);
    }

    /** Packets from a stream the caller buffers (a file's is, above; bytes in memory need none). */
    static PacketFile open(InputStream in, boolean ng) {
        return ng ? new Pcapng(in) : new ClassicPcap(in);
    }

    /** Reads the next packet; false at the end of the file or on damage ({@link #damage}). */
    abstract boolean next() throws IOException;

    final void fail(long at, String what) {
        if (damage == null) {
            damage = what;
            damageOffset = at;
        }
    }

    /** Reads exactly n bytes into b, or returns the number read before the end of the file. */
    final int readFully(byte[] b, int off, int n) throws IOException {
        int done = 0;
        while (done < n) {
            int r = in.read(b, off + done, n - done);
            if (r < 0) {
                break;
            }
            done += r;
        }
        offset += done;
        return done;
    }

    final void skip(long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                s = 1;
            }
            n -= s;
            offset += s;
        }
    }

    /** Makes {@link #data} hold at least n bytes. */
    final void room(int n) {
        if (data.length < n) {
            data = new byte[Math.max(n, data.length * 2)];
        }
    }

    static int u16(byte[] b, int i, boolean big) {
        return big ? (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF) : (b[i + 1] & 0xFF) << 8 | (b[i] & 0xFF);
    }

    static long u32(byte[] b, int i, boolean big) {
        return big ? ((b[i] & 0xFFL) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF))
                : ((b[i + 3] & 0xFFL) << 24 | (b[i + 2] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8 | (b[i] & 0xFF));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Classic libpcap: a 24-byte header (magic gives byte order and µs/ns), then 16-byte record headers. */
    static final class ClassicPcap extends PacketFile {
        private final byte[] head = new byte[24];
        private boolean big;
        private boolean nanos;
        private boolean started;

        ClassicPcap(InputStream in) {
            super(in);
        }

        @Override
        boolean next() throws IOException {
            if (!started) {
                started = true;
                int got = readFully(head, 0, 24);
                if (got < 24) {
                    fail(0, "expected a 24-byte pcap file header, found " + got + " bytes and the end of the file");
                    return false;
                }
                long m = u32(head, 0, true);
                big = m == 0xA1B2C3D4L || m == 0xA1B23C4DL;
                nanos = m == 0xA1B23C4DL || m == 0x4D3CB2A1L;
                linkType = (int) (u32(head, 20, big) & 0x0FFFFFFF); // the top bits carry FCS flags
            }
            long at = offset;
            int r = readFully(head, 0, 16);
            if (r == 0) {
                return false;
            }
            if (r < 16) {
                fail(at, "expected a 16-byte pcap record header, found " + r + " bytes and the end of the file");
                return false;
            }
            long sec = u32(head, 0, big);
            long frac = u32(head, 4, big);
            long incl = u32(head, 8, big);
            if (incl > MAX_PACKET || frac >= (nanos ? 1_000_000_000L : 1_000_000L)) {
                fail(at, "expected a pcap record header (captured length <= " + MAX_PACKET + ", sub-second < 1 s), found "
                        + "length " + incl + ", fraction " + frac);
                return false;
            }
            room((int) incl);
            if (readFully(data, 0, (int) incl) < incl) {
                fail(at, "expected " + incl + " bytes of packet data, found the end of the file");
                return false;
            }
            length = (int) incl;
            timeNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            packets++;
            return true;
        }
    }

    /**
     * pcapng: blocks of {type, total length, body, total length}. Section headers give the byte order, interface
     * descriptions the link type and time resolution of each interface; enhanced and simple packet blocks the packets.
     * Other blocks (name resolution, statistics, custom) are skipped.
     */
    static final class Pcapng extends PacketFile {
        private final byte[] head = new byte[12];
        private boolean big = true;
        private int[] links = new int[4];
        private long[] unitsPerSecond = new long[4];
        private int interfaces;

        Pcapng(InputStream in) {
            super(in);
        }

        @Override
        boolean next() throws IOException {
            while (true) {
                long at = offset;
                int r = readFully(head, 0, 8);
                if (r == 0) {
                    return false;
                }
                if (r < 8) {
                    fail(at, "expected a pcapng block header, found " + r + " bytes and the end of the file");
                    return false;
                }
                long type = u32(head, 0, big);
                if (type == 0x0A0D0D0AL) { // section header: its byte-order magic decides how to read the rest
                    if (readFully(head, 8, 4) < 4) {
                        fail(at, "expected a pcapng section header, found the end of the file");
                        return false;
                    }
                    long bom = u32(head, 8, true);
                    if (bom != 0x1A2B3C4DL && bom != 0x4D3C2B1AL) {
                        fail(at + 8, "expected the pcapng byte-order magic 1a2b3c4d, found " + Long.toHexString(bom));
                        return false;
                    }
                    big = bom == 0x1A2B3C4DL;
                    interfaces = 0;
                }
                long total = u32(head, 4, big);
                int consumed = type == 0x0A0D0D0AL ? 12 : 8;
                int least = type == 0x0A0D0D0AL ? 28 : 12; // a section header's fixed fields are 28 bytes
                if (total < least || total % 4 != 0 || total > MAX_PACKET + 4096) {
                    fail(at, "expected a pcapng block length (a multiple of 4, at least " + least + "), found " + total);
                    return false;
                }
                int body = (int) total - consumed - 4; // the trailing length is read with the body
                room(body + 4);
                if (readFully(data, 0, body + 4) < body + 4) {
                    fail(at, "expected a pcapng block of " + total + " bytes, found the end of the file");
                    return false;
                }
                if (u32(data, body, big) != total) {
                    fail(at, "expected the pcapng block's trailing length " + total + ", found " + u32(data, body, big));
                    return false;
                }
                if (type == 1) {
                    describeInterface(body);
                } else if (type == 6 && body >= 20) {
                    long ifc = u32(data, 0, big); // unsigned: an id of 2^31 or more is no index either
                    long ts = u32(data, 4, big) << 32 | u32(data, 8, big);
                    int captured = (int) Math.min(u32(data, 12, big), body - 20);
                    if (ifc >= interfaces) {
                        fail(at, "expected an interface id below " + interfaces + " in a packet block, found " + ifc);
                        return false;
                    }
                    linkType = links[(int) ifc];
                    timeNanos = toNanos(ts, unitsPerSecond[(int) ifc]);
                    System.arraycopy(data, 20, data, 0, captured);
                    length = captured;
                    packets++;
                    return true;
                } else if (type == 3 && body >= 4 && interfaces > 0) { // simple packet block: interface 0, no time
                    length = body - 4;
                    System.arraycopy(data, 4, data, 0, length);
                    linkType = links[0];
                    packets++;
                    return true; // keeps the previous packet's time
                }
            }
        }

        private void describeInterface(int body) {
            if (interfaces == links.length) {
                links = java.util.Arrays.copyOf(links, interfaces * 2);
                unitsPerSecond = java.util.Arrays.copyOf(unitsPerSecond, interfaces * 2);
            }
            links[interfaces] = body >= 2 ? u16(data, 0, big) : 0;
            long units = 1_000_000L; // default resolution: microseconds
            for (int o = 8; o + 4 <= body; ) { // options: code, length, value padded to 4
                int code = u16(data, o, big);
                int len = u16(data, o + 2, big);
                if (code == 0) {
                    break;
                }
                if (code == 9 && len >= 1 && o + 4 < body) { // if_tsresol
                    int v = data[o + 4] & 0xFF;
                    units = (v & 0x80) != 0 ? 1L << Math.min(62, v & 0x7F) : pow10(Math.min(18, v));
                }
                o += 4 + ((len + 3) & ~3);
            }
            unitsPerSecond[interfaces++] = units;
        }

        private static long pow10(int n) {
            long r = 1;
            for (int i = 0; i < n; i++) {
                r *= 10;
            }
            return r;
        }

        private static long toNanos(long ts, long units) {
            if (units == 1_000_000_000L) {
                return ts;
            }
            return ts / units * 1_000_000_000L + (ts % units) * 1_000_000_000L / units;
        }
    }
}
