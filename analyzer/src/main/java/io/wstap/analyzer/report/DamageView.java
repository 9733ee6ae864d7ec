package io.wstap.analyzer.report;

import io.wstap.analyzer.source.CaptureInput;
import io.wstap.capture.Damage;

import java.nio.file.Path;

/**
 * A {@link Damage} with its file split out: the reader prefixes {@code what} with the file name when it reads a
 * series ("app-1.wstap: block CRC mismatch").
 */
record DamageView(String file, long offset, long length, String what) {
    static DamageView of(CaptureInput in, Damage d) {
        for (Path p : in.files()) {
            String name = p.getFileName() == null ? p.toString() : p.getFileName().toString();
            if (d.what().startsWith(name + ": ")) {
                return new DamageView(name, d.offset(), d.length(), d.what().substring(name.length() + 2));
            }
        }
        Path first = in.files().get(0).getFileName();
        return new DamageView(first == null ? in.file().toString() : first.toString(), d.offset(), d.length(), d.what());
    }
}
