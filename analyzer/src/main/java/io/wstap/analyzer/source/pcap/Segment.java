package io.wstap.analyzer.source.pcap;

/**
 * One TCP segment decoded in place from a captured packet: link layer, then IPv4 or IPv6, then TCP. Reused for every
 * packet (fields overwritten), so decoding allocates nothing.
 */
final class Segment {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    /** Source and destination address: IPv4 in {@code lo} (hi = 0, v4 = true), IPv6 in hi/lo. */
    long srcHi;
    long srcLo;
    long dstHi;
    long dstLo;
    boolean v4;
    int srcPort;
    int dstPort;
    long seq;
    int flags;
    /** The TCP payload: {@code data[payloadFrom, payloadFrom + payloadLength)}. */
    int payloadFrom;
    int payloadLength;

    /** Counts of packets that are not (whole, unfragmented) TCP over IP, for the report's footnote. */
    long notTcp;
    long fragments;
    long unknownLink;

    /** Decodes {@code data[0, length)} of link type {@code link}; false when it is not a TCP segment wstap can use. */
    boolean decode(byte[] data, int length, int link) {
        int ip;
        switch (link) {
            case 0, 108 -> { // BSD loopback / null: a 4-byte address family (host order for 0, network order for 108)
                if (length < 4) {
                    return notTcp();
                }
                ip = 4;
            }
            case 1 -> { // Ethernet, with 802.1Q / 802.1ad tags
                int o = 12;
                int type = length >= 14 ? u16(data, o) : 0;
                while ((type == 0x8100 || type == 0x88A8) && o + 6 <= length) {
                    o += 4;
                    type = u16(data, o);
                }
                if (type != 0x0800 && type != 0x86DD) {
                    return notTcp();
                }
                ip = o + 2;
            }
            case 101, 228, 229, 12, 14 -> ip = 0; // raw IP (IPv4 / IPv6 / either)
            case 113 -> { // Linux cooked capture v1: protocol at 14, 16-byte header
                if (length < 16 || (u16(data, 14) != 0x0800 && u16(data, 14) != 0x86DD)) {
                    return notTcp();
                }
                ip = 16;
            }
            case 276 -> { // Linux cooked capture v2: protocol at 0, 20-byte header
                if (length < 20 || (u16(data, 0) != 0x0800 && u16(data, 0) != 0x86DD)) {
                    return notTcp();
                }
                ip = 20;
            }
            default -> {
                unknownLink++;
                return false;
            }
        }
        if (ip >= length) {
            return notTcp();
        }
        int version = (data[ip] & 0xF0) >> 4;
        int tcp;
        int end;
        if (version == 4) {
            if (ip + 20 > length) {
                return notTcp();
            }
            int ihl = (data[ip] & 0x0F) * 4;
            int total = u16(data, ip + 2);
            int frag = u16(data, ip + 6);
            if ((frag & 0x3FFF) != 0) { // more fragments, or not the first: reassembling IP is out of scope
                fragments++;
                return false;
            }
            if (data[ip + 9] != 6 || ihl < 20) {
                return notTcp();
            }
            v4 = true;
            srcHi = 0;
            dstHi = 0;
            srcLo = u32(data, ip + 12);
            dstLo = u32(data, ip + 16);
            tcp = ip + ihl;
            end = Math.min(length, ip + (total == 0 ? length - ip : total)); // total 0: TSO, trust the capture
        } else if (version == 6) {
            if (ip + 40 > length) {
                return notTcp();
            }
            v4 = false;
            srcHi = u64(data, ip + 8);
            srcLo = u64(data, ip + 16);
            dstHi = u64(data, ip + 24);
            dstLo = u64(data, ip + 32);
            end = Math.min(length, ip + 40 + u16(data, ip + 4));
            int next = data[ip + 6] & 0xFF;
            tcp = ip + 40;
            while (next == 0 || next == 43 || next == 60 || next == 51) { // hop-by-hop, routing, destination, AH
                if (tcp + 8 > end) {
                    return notTcp();
                }
                int len = next == 51 ? ((data[tcp + 1] & 0xFF) + 2) * 4 : ((data[tcp + 1] & 0xFF) + 1) * 8;
                next = data[tcp] & 0xFF;
                tcp += len;
            }
            if (next == 44) {
                fragments++;
                return false;
            }
            if (next != 6) {
                return notTcp();
            }
        } else {
            return notTcp();
        }
        if (tcp + 20 > end) {
            return notTcp();
        }
        srcPort = u16(data, tcp);
        dstPort = u16(data, tcp + 2);
        seq = u32(data, tcp + 4);
        int headerLength = ((data[tcp + 12] & 0xF0) >> 4) * 4;
        flags = data[tcp + 13] & 0xFF;
        payloadFrom = tcp + headerLength;
        payloadLength = Math.max(0, end - payloadFrom);
        return headerLength >= 20 && payloadFrom <= end || notTcp();
    }

    /** "ip:port" of the source or destination, made once per connection (not per packet). */
    String address(boolean source) {
        long hi = source ? srcHi : dstHi;
        long lo = source ? srcLo : dstLo;
        int port = source ? srcPort : dstPort;
        if (v4) {
            return ((lo >> 24) & 0xFF) + "." + ((lo >> 16) & 0xFF) + "." + ((lo >> 8) & 0xFF) + "." + (lo & 0xFF) + ":" + port;
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return "[" + java.net.InetAddress.getByAddress(b).getHostAddress() + "]:" + port;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes are always an address
        }
    }

    private boolean notTcp() {
        notTcp++;
        return false;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static long u32(byte[] b, int i) {
        return (long) u16(b, i) << 16 | u16(b, i + 2);
    }

    private static long u64(byte[] b, int i) {
        return u32(b, i) << 32 | u32(b, i + 4);
    }
}
