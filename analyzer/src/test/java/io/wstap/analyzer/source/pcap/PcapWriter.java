package io.wstap.analyzer.source.pcap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes real packet capture files for tests: TCP segments inside IPv4 or IPv6 inside a link layer, in classic pcap
 * (µs or ns, either byte order) or pcapng. Independent of the reader: layouts from the pcap/pcapng specs.
 */
final class PcapWriter {
    enum Format { PCAP_US_LE, PCAP_NS_BE, PCAPNG_LE, PCAPNG_BE }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Format format;
    private final int link;

    PcapWriter(Format format, int link) {
        this.format = format;
        this.link = link;
        ByteOrder order = format == Format.PCAP_NS_BE || format == Format.PCAPNG_BE ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (format == Format.PCAP_US_LE || format == Format.PCAP_NS_BE) {
            ByteBuffer h = ByteBuffer.allocate(24).order(order);
            h.putInt(format == Format.PCAP_NS_BE ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4)
                    .putInt(0).putInt(0).putInt(262144).putInt(link);
            out.writeBytes(h.array());
        } else {
            ByteBuffer shb = ByteBuffer.allocate(28).order(order);
            shb.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
            out.writeBytes(shb.array());
            // interface with if_tsresol = 9 (nanoseconds), then an unknown custom block the reader must skip
            ByteBuffer idb = ByteBuffer.allocate(32).order(order);
            idb.putInt(1).putInt(32).putShort((short) link).putShort((short) 0).putInt(262144)
                    .putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]).putInt(0).putInt(32);
            out.writeBytes(idb.array());
            ByteBuffer custom = ByteBuffer.allocate(16).order(order);
            custom.putInt(0x00000BAD).putInt(16).putInt(42).putInt(16);
            out.writeBytes(custom.array());
        }
    }

    private ByteOrder order() {
        return format == Format.PCAP_NS_BE || format == Format.PCAPNG_BE ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** A TCP segment from {@code src} to {@code dst} (4- or 16-byte addresses) at {@code nanos} since the epoch. */
    PcapWriter segment(long nanos, byte[] src, int srcPort, byte[] dst, int dstPort, long seq, int flags, byte[] payload) {
        ByteBuffer tcp = ByteBuffer.allocate(20 + payload.length);
        tcp.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt(0)
                .put((byte) 0x50).put((byte) (flags | 0x10 * ((flags & 0x02) == 0 ? 1 : 0))).putShort((short) 65535)
                .putInt(0).put(payload);
        byte[] ip;
        if (src.length == 4) {
            ByteBuffer b = ByteBuffer.allocate(20 + tcp.capacity());
            b.put((byte) 0x45).put((byte) 0).putShort((short) b.capacity()).putInt(0).put((byte) 64).put((byte) 6)
                    .putShort((short) 0).put(src).put(dst).put(tcp.array());
            ip = b.array();
        } else {
            ByteBuffer b = ByteBuffer.allocate(40 + tcp.capacity());
            b.putInt(0x60000000).putShort((short) tcp.capacity()).put((byte) 6).put((byte) 64).put(src).put(dst).put(tcp.array());
            ip = b.array();
        }
        boolean v6 = src.length == 16;
        ByteBuffer l;
        switch (link) {
            case 0 -> l = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v6 ? 30 : 2);
            case 1 -> l = ByteBuffer.allocate(18).put(new byte[12]).putShort((short) 0x8100).putShort((short) 7)
                    .putShort((short) (v6 ? 0x86DD : 0x0800)); // with a VLAN tag
            case 113 -> l = ByteBuffer.allocate(16).put(new byte[14]).putShort((short) (v6 ? 0x86DD : 0x0800));
            case 276 -> l = ByteBuffer.allocate(20).putShort((short) (v6 ? 0x86DD : 0x0800)).put(new byte[18]);
            default -> l = ByteBuffer.allocate(0); // raw IP
        }
        byte[] packet = new byte[l.capacity() + ip.length];
        System.arraycopy(l.array(), 0, packet, 0, l.capacity());
        System.arraycopy(ip, 0, packet, l.capacity(), ip.length);
        record(nanos, packet);
        return this;
    }

    private void record(long nanos, byte[] packet) {
        switch (format) {
            case PCAP_US_LE, PCAP_NS_BE -> {
                ByteBuffer h = ByteBuffer.allocate(16).order(order());
                long frac = format == Format.PCAP_NS_BE ? nanos % 1_000_000_000L : nanos % 1_000_000_000L / 1000;
                h.putInt((int) (nanos / 1_000_000_000L)).putInt((int) frac).putInt(packet.length).putInt(packet.length);
                out.writeBytes(h.array());
                out.writeBytes(packet);
            }
            default -> {
                int padded = (packet.length + 3) & ~3;
                int total = 32 + padded;
                ByteBuffer b = ByteBuffer.allocate(total).order(order());
                b.putInt(6).putInt(total).putInt(0).putInt((int) (nanos >>> 32)).putInt((int) nanos)
                        .putInt(packet.length).putInt(packet.length).put(packet).position(total - 4);
                b.putInt(total);
                out.writeBytes(b.array());
            }
        }
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        Files.write(file, out.toByteArray());
        return file;
    }
}
