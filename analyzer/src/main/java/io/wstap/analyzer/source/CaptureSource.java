package io.wstap.analyzer.source;

import io.wstap.analyzer.source.pcap.PcapSource;
import io.wstap.capture.CaptureException;
import io.wstap.capture.CaptureHeader;
import io.wstap.capture.CaptureReader;
import io.wstap.capture.CaptureReplay;
import io.wstap.capture.ReadReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads wstap captures ({@code .wstap}, docs/capture-format.md) into the engine: {@link CaptureReader} streams the
 * events, a {@link CaptureReplay} rebuilds every connection, and a {@link Recorder} keeps each one's timeline.
 *
 * <p>A capture's first file (part 0) is read with its rotated files ({@link CaptureReader#series}) as one capture; a
 * rotated file named alone reads alone (each holds the connections open in it). A file named twice, or named besides
 * the first file of its series, is read once. Damage inside a capture is never an error: it is in the
 * {@link ReadReport}. What is not a readable capture (wrong magic, unknown version) is an {@link InputException}.
 */
public final class CaptureSource {
    /** A checked input, before it is read. */
    public record Planned(Path file, InputKind kind, List<Path> files, CaptureHeader header) {
    }

    private CaptureSource() {
    }

    /**
     * Checks every file (kind from its magic bytes, capture header and version) before anything is read, so that a bad
     * input is reported before a long read. Each problem is one line; all are collected.
     *
     * @return the inputs to read, duplicates and rotated parts of another input's series dropped
     * @throws InputException with one line per bad file
     */
    public static List<Planned> plan(List<Path> files) throws InputException {
        List<String> problems = new ArrayList<>();
        List<Planned> planned = new ArrayList<>();
        for (Path f : files) {
            try {
                InputKind kind = InputKind.detect(f);
                if (!kind.supported()) {
                    throw kind.notSupported(f);
                }
                if (kind == InputKind.PCAP || kind == InputKind.PCAPNG) {
                    planned.add(new Planned(f, kind, List.of(f), PcapSource.check(f, kind == InputKind.PCAPNG)));
                    continue;
                }
                if (kind == InputKind.JFR) { // a recording has no header to check here: JfrSource reads it whole
                    planned.add(new Planned(f, kind, List.of(f), null));
                    continue;
                }
                try (CaptureReader r = CaptureReader.open(f)) {
                    // part -1: the header block is damaged; a first file still finds its rotated files by name
                    List<Path> series = r.part() <= 0 ? CaptureReader.series(f) : List.of(f);
                    planned.add(new Planned(f, kind, series, r.header()));
                }
            } catch (InputException e) {
                problems.add(e.getMessage());
            } catch (CaptureException e) {
                problems.add(oneLine(e.getMessage()));
            } catch (IOException e) {
                problems.add(f + ": at byte 0: expected a readable file, got " + oneLine(String.valueOf(e.getMessage())));
            }
        }
        if (!problems.isEmpty()) {
            throw new InputException(String.join(System.lineSeparator(), problems));
        }
        return dropDuplicates(planned);
    }

    /** Reads one planned input (its series) into the engine. */
    public static CaptureInput read(int index, Planned p, Progress progress) throws InputException {
        if (p.kind() == InputKind.JFR) {
            return JfrSource.read(index, p.file(), progress);
        }
        return replay(index, p, progress, recorder -> p.kind() == InputKind.PCAP || p.kind() == InputKind.PCAPNG
                ? PcapSource.read(p.file(), p.kind() == InputKind.PCAPNG, recorder)
                : CaptureReader.readSeries(p.files(), recorder));
    }

    /**
     * {@link #plan} then {@link #read} of a pcap or pcapng file already in memory, {@code name} being what messages
     * call it (bytes of no known kind are refused as {@link #plan} refuses them; another kind is the caller's mistake): the same reader, engine and reconstruction, without the file (the fuzzer's way in, a million inputs a
     * few minutes).
     */
    static CaptureInput readPacketsInMemory(Path name, byte[] bytes) throws InputException {
        InputKind kind = InputKind.of(name, bytes, bytes.length);
        if (kind != InputKind.PCAP && kind != InputKind.PCAPNG) {
            throw new IllegalArgumentException(name + " is a " + kind.label() + ", not a pcap or pcapng file");
        }
        boolean ng = kind == InputKind.PCAPNG;
        Planned p = new Planned(name, kind, List.of(name), PcapSource.check(name, bytes, ng));
        return replay(1, p, Progress.NONE, recorder -> PcapSource.read(bytes, ng, recorder));
    }

    /** How an input's events reach the recorder. */
    private interface Reading {
        ReadReport into(Recorder recorder) throws IOException, CaptureException;
    }

    private static CaptureInput replay(int index, Planned p, Progress progress, Reading reading) throws InputException {
        CaptureReplay replay = new CaptureReplay();
        Recorder recorder = new Recorder(replay, progress);
        ReadReport report;
        try {
            report = reading.into(recorder);
        } catch (CaptureException e) {
            throw new InputException(oneLine(e.getMessage())); // a rotated part that is not a capture
        } catch (IOException e) {
            throw InputException.at(p.file(), 0, "expected a readable file, got " + oneLine(String.valueOf(e.getMessage())));
        }
        replay.finish();
        return new CaptureInput(index, p.file(), p.kind(), p.files(), p.header(), report, replay, recorder.logs,
                recorder.endTime);
    }

    private static List<Planned> dropDuplicates(List<Planned> planned) {
        Set<Path> covered = new LinkedHashSet<>();
        for (Planned p : planned) {
            if (p.files().size() > 1) {
                for (Path part : p.files().subList(1, p.files().size())) {
                    covered.add(real(part));
                }
            }
        }
        Set<Path> seen = new LinkedHashSet<>();
        List<Planned> out = new ArrayList<>();
        for (Planned p : planned) {
            Path r = real(p.file());
            if (covered.contains(r) || !seen.add(r)) {
                continue;
            }
            out.add(p);
        }
        return out;
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** Total size of the files, for the progress indicator. */
    public static long bytes(List<Planned> planned) {
        long total = 0;
        for (Planned p : planned) {
            for (Path f : p.files()) {
                try {
                    total += Files.size(f);
                } catch (IOException ignored) {
                    // read() reports it
                }
            }
        }
        return total;
    }

    private static String oneLine(String s) {
        return s.replace("\r", " ").replace("\n", " ");
    }
}
