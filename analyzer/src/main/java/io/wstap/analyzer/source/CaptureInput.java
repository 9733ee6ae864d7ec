package io.wstap.analyzer.source;

import io.wstap.capture.CaptureHeader;
import io.wstap.capture.CaptureReplay;
import io.wstap.capture.ReadReport;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One input as read: a capture (with its rotated files), the engine's replay of it, and what was lost on the way.
 *
 * @param index   1-based position among the inputs (connection ids are prefixed with it when there are several)
 * @param file    the file as named on the command line
 * @param kind    what it is
 * @param files   the files read, in order (the file and its rotated parts {@code <base>-1.wstap} ...)
 * @param header  the first file's header; fields null/-1/0 when its header block was damaged
 * @param read    what the reader found: blocks, events, damage, a torn tail
 * @param replay  the engine's reconstructions, addresses and stacks
 * @param logs    per connection id, the timeline a report shows
 * @param endTime the capture's end-of-capture time, or Long.MIN_VALUE when it was cut short (no END record)
 */
public record CaptureInput(int index, Path file, InputKind kind, List<Path> files, CaptureHeader header, ReadReport read,
                           CaptureReplay replay, Map<Long, ConnectionLog> logs, long endTime) {

    /** True when the header's wall-clock anchor is known (a damaged header block leaves it 0/0). */
    public boolean hasWallClock() {
        return header.wallClockEpochNanos() != 0 || header.monotonicNanosAtAnchor() != 0;
    }

    /** The log of connection {@code id} (an empty one if it had no event). */
    public ConnectionLog log(long id) {
        ConnectionLog l = logs.get(id);
        return l != null ? l : new ConnectionLog();
    }
}
