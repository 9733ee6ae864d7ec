package io.wstap.analyzer.source.pcap;

import io.wstap.capture.CaptureHeader;
import io.wstap.capture.CaptureSink;
import io.wstap.capture.Damage;
import io.wstap.capture.ReadReport;
import io.wstap.engine.EngineOptions;

import io.wstap.analyzer.source.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a pcap or pcapng file into a {@link CaptureSink}, so that a packet capture goes through the same replay,
 * rules and reports as the agent's captures (docs/pcap.md). Packets are streamed; TCP is reassembled per direction
 * ({@link TcpStream}); the WebSocket connections among the streams are found by the engine's own handshake parser.
 * Times are the packets' (epoch nanos), so the header's anchor is the identity.
 */
public final class PcapSource {
    /** Endpoint pair of a TCP connection, the same for both directions (the lower endpoint first). */
    private record Key(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
    }

    private PcapSource() {
    }

    /**
     * Checks the file's own header and reads its first packet's time, before anything is analysed: a file whose
     * header is cut or wrong is refused like a capture with a bad header.
     *
     * @return the header a pcap input shows in reports: no JVM; times are packet times (epoch nanos), so the anchor
     *         is the first packet's time on both clocks
     * @throws InputException the header is damaged (one line: file, offset, what was expected)
     */
    public static CaptureHeader check(Path file, boolean ng) throws IOException, InputException {
        return check(file, PacketFile.open(file, ng), ng);
    }

    /** {@link #check(Path, boolean)} of bytes in memory; {@code name} is what messages call them. */
    public static CaptureHeader check(Path name, byte[] bytes, boolean ng) throws InputException {
        try {
            return check(name, PacketFile.open(new java.io.ByteArrayInputStream(bytes), ng), ng);
        } catch (IOException e) {
            throw new IllegalStateException(e); // an array cannot fail to read
        }
    }

    private static CaptureHeader check(Path file, PacketFile opened, boolean ng) throws IOException, InputException {
        try (PacketFile packets = opened) {
            long first = packets.next() ? packets.timeNanos : 1;
            if (packets.packets == 0 && packets.damage != null && packets.damageOffset == 0) {
                throw InputException.at(file, 0, packets.damage);
            }
            return new CaptureHeader(0, null, -1, ng ? "pcapng packet capture" : "pcap packet capture", first, first,
                    null);
        }
    }

    /** Reads {@code file} into {@code sink}; damage ends the read and is in the report, never thrown. */
    public static ReadReport read(Path file, boolean ng, CaptureSink sink) throws IOException {
        return read(PacketFile.open(file, ng), Files.size(file), sink);
    }

    /** {@link #read(Path, boolean, CaptureSink)} of bytes in memory. */
    public static ReadReport read(byte[] bytes, boolean ng, CaptureSink sink) {
        try {
            return read(PacketFile.open(new java.io.ByteArrayInputStream(bytes), ng), bytes.length, sink);
        } catch (IOException e) {
            throw new IllegalStateException(e); // an array cannot fail to read
        }
    }

    private static ReadReport read(PacketFile opened, long size, CaptureSink sink) throws IOException {
        Map<Key, TcpStream> streams = new HashMap<>();
        Segment s = new Segment();
        List<Damage> damage = new ArrayList<>();
        long nextId = 1;
        long last = 0;
        long lostBytes = 0;
        long events = 0;
        try (PacketFile packets = opened) {
            while (packets.next()) {
                long t = packets.timeNanos;
                last = Math.max(last, t);
                if (!s.decode(packets.data, packets.length, packets.linkType)) {
                    continue;
                }
                boolean srcFirst = s.srcHi < s.dstHi || s.srcHi == s.dstHi
                        && (s.srcLo < s.dstLo || s.srcLo == s.dstLo && s.srcPort <= s.dstPort);
                Key key = srcFirst ? new Key(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort)
                        : new Key(s.dstHi, s.dstLo, s.dstPort, s.srcHi, s.srcLo, s.srcPort);
                TcpStream stream = streams.get(key);
                boolean synOnly = (s.flags & (Segment.SYN | Segment.ACK)) == Segment.SYN;
                if (stream == null || synOnly && stream.finished()) {
                    // The sender of the first packet (normally the SYN) is LOCAL: its writes are "out".
                    if (stream != null) {
                        lostBytes += stream.lostBytes;
                    }
                    stream = new TcpStream(nextId++, s, t, sink, EngineOptions.DEFAULTS);
                    streams.put(key, stream);
                }
                stream.segment(s, packets.data, t);
                events++;
            }
            if (packets.damage != null) {
                damage.add(new Damage(packets.damageOffset, Math.max(0, size - packets.damageOffset),
                        packets.damage));
            }
            for (TcpStream stream : streams.values()) {
                lostBytes += stream.lostBytes;
            }
            if (lostBytes > 0) {
                damage.add(new Damage(packets.offset, 0, lostBytes + " TCP payload bytes after holes the capture never"
                        + " filled (lost packets) were not analysed"));
            }
            sink.endOfCapture(last);
            return new ReadReport(packets.packets, events, damage, packets.damage != null,
                    packets.damage != null ? packets.damageOffset : packets.offset);
        }
    }
}
