package io.wstap.capture;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What a capture file says about where and when it was written (its header block, docs/capture-format.md). Every
 * rotated file of a capture repeats it.
 *
 * <p>Event times in a capture are the capturing JVM's {@code System.nanoTime()}; the anchor pair turns one into wall
 * time: {@code epochNanos = wallClockEpochNanos + (timeNanos - monotonicNanosAtAnchor)}.
 *
 * @param version                the format version ({@link CaptureWriter#VERSION} when writing)
 * @param host                   host name of the capturing machine; null when unknown (or the header block was damaged)
 * @param pid                    process id of the capturing JVM; -1 when unknown
 * @param jvm                    JVM vendor, name and version ("Eclipse Adoptium OpenJDK 64-Bit Server VM 17.0.15+6")
 * @param wallClockEpochNanos    wall clock at the anchor, nanoseconds since 1970-01-01T00:00Z
 * @param monotonicNanosAtAnchor {@code System.nanoTime()} taken at the same instant
 * @param options                the agent's options string as given; null when none
 */
public record CaptureHeader(int version, String host, long pid, String jvm, long wallClockEpochNanos,
                            long monotonicNanosAtAnchor, String options) {

    /** A header for this JVM now: host, pid, JVM, and a fresh anchor. Does no DNS look-up. */
    public static CaptureHeader forThisJvm(String options) {
        long before = System.nanoTime();
        Instant now = Instant.now();
        long after = System.nanoTime();
        long wall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        String jvm = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version");
        return new CaptureHeader(CaptureWriter.VERSION, hostName(), ProcessHandle.current().pid(), jvm, wall,
                before + (after - before) / 2, options);
    }

    /** The wall-clock time (epoch nanos) of a monotonic event time of this capture. */
    public long epochNanos(long timeNanos) {
        return wallClockEpochNanos + (timeNanos - monotonicNanosAtAnchor);
    }

    /** Host name without a DNS look-up (which can hang inside an agent): HOSTNAME/COMPUTERNAME, /etc/hostname, else null. */
    private static String hostName() {
        for (String variable : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String v = System.getenv(variable);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isRegularFile(etc) && Files.size(etc) < 4096) {
                String v = Files.readString(etc, StandardCharsets.UTF_8).trim();
                if (!v.isEmpty()) {
                    return v;
                }
            }
        } catch (Exception | Error ignored) {
            // unknown
        }
        return null;
    }
}
