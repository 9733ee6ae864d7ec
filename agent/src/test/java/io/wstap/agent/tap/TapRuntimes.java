package io.wstap.agent.tap;

import io.wstap.capture.CaptureHeader;
import io.wstap.capture.CaptureWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/** The tap's runtime as the tests of this package make it: a capture file, no filters, no stacks, no faults. */
final class TapRuntimes {
    private TapRuntimes() {
    }

    /** A runtime writing to {@code file} through a ring of {@code ringUnits} 64-byte units; not started. */
    static TapRuntime writingTo(Path file, int ringUnits, boolean lateAttach) throws IOException {
        return new TapRuntime(CaptureWriter.create(file, CaptureHeader.forThisJvm(""), 0), ringUnits, 0, Set.of(),
                Set.of(), lateAttach, "none", "keep");
    }
}
