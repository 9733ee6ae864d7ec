package io.wstap.analyzer.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Feeds random and mutated files through the analyzer's own reading path ({@link CaptureSource#plan} then
 * {@link CaptureSource#read}, what {@code wstap analyze} does per input). Each input must either be read (damage is
 * reported, never thrown) or be refused with an {@link InputException} of one line naming the file; anything else
 * thrown, and any input taking longer than {@link #INPUT_LIMIT_SECONDS}, fails the run and leaves the input in
 * {@code target/fuzz-failures/} with its seed and iteration (reproduce with {@code -Dwstap.fuzz.seed=S
 * -Dwstap.fuzz.from=I -Dwstap.fuzz.iterations=1}).
 *
 * <p>Mutations of valid files: bit flips, bytes set to 0x00/0xFF/0x7F/0x80, 16- and 32-bit fields overwritten with
 * edge values (0, 1, 0x7FFFFFFF, 0xFFFFFFFF, the file length...), truncation, deleted, inserted and duplicated
 * slices, several at once; and random bytes after a valid magic. Inputs stay small (≤ 2x the largest seed).
 *
 * <p>Packet files can be read {@linkplain Way#IN_MEMORY in memory} ({@link CaptureSource#readPacketsInMemory}: the same
 * reader, engine and reconstruction, without writing and opening a file three times per input), which makes 10 M
 * inputs a matter of minutes; every {@link #FILE_EVERY}th input is then read through the file as well and both reads
 * must agree.
 */
public final class InputFuzzer {
    /** Stop after this many seconds (0: never) and say how many inputs ran: a long run that must end by a time. */
    public static final long MAX_SECONDS = Long.getLong("wstap.fuzz.maxSeconds", 0);
    public static final long SEED = Long.getLong("wstap.fuzz.seed", new SplittableRandom().nextLong());
    public static final long FROM = Long.getLong("wstap.fuzz.from", 0);
    /** In memory, every this many inputs also go through a file, and both outcomes must be the same. */
    public static final int FILE_EVERY = 64;
    /** How often a run prints how far it got. */
    static final long PROGRESS_NANOS = TimeUnit.MINUTES.toNanos(5);
    /** A small file taking this long is a hang. */
    public static final long INPUT_LIMIT_SECONDS = 20;

    /** What a run did. */
    public record Result(long inputs, long read, long refused, long millis) {
        @Override
        public String toString() {
            return inputs + " inputs in " + millis + " ms (" + (millis == 0 ? inputs : inputs * 1000 / millis)
                    + "/s): " + read + " read, " + refused + " refused with one line, 0 other outcomes";
        }
    }

    private InputFuzzer() {
    }

    /** How an input reaches the analyzer. */
    public enum Way {
        /** Written to a file and read as {@code wstap analyze} reads it. */
        FILE,
        /** A pcap or pcapng file's bytes read in memory; checked against the file way every {@link #FILE_EVERY}th. */
        IN_MEMORY
    }

    /** {@link #run(String, List, byte[], Path, String, long, Way)} through files. */
    public static Result run(String label, List<byte[]> seeds, byte[] magic, Path dir, String name, long iterations)
            throws Exception {
        return run(label, seeds, magic, dir, name, iterations, Way.FILE);
    }

    /**
     * Runs {@code iterations} inputs derived from {@code seeds} through the analyzer, written to {@code dir/name}.
     *
     * @param magic the bytes a random input starts with (so that it reaches the parser, not only kind detection)
     */
    public static Result run(String label, List<byte[]> seeds, byte[] magic, Path dir, String name, long iterations,
                             Way way) throws Exception {
        return run(label, seeds, magic, dir, name, FROM, iterations, way, null);
    }

    /**
     * {@code iterations} inputs split over {@code threads} runs at once (inputs {@code FROM..}, each thread its own
     * range and file {@code tk-name}, so any input is reproduced alone as ever): the whole machine's cores.
     */
    public static Result runOnThreads(int threads, String label, List<byte[]> seeds, byte[] magic, Path dir,
                                      String name, long iterations, Way way, UnaryOperator<byte[]> reseal)
            throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<Result>> runs = new java.util.ArrayList<>();
            long each = iterations / threads;
            for (int k = 0; k < threads; k++) {
                long from = FROM + k * each;
                long n = k == threads - 1 ? iterations - k * each : each;
                String file = "t" + k + "-" + name; // a prefix: "x-1.wstap" would name a rotated part of x.wstap
                runs.add(pool.submit(() -> run(label, seeds, magic, dir, file, from, n, way, reseal)));
            }
            long inputs = 0;
            long read = 0;
            long refused = 0;
            long millis = 0;
            for (var f : runs) {
                Result r = get(f);
                inputs += r.inputs();
                read += r.read();
                refused += r.refused();
                millis = Math.max(millis, r.millis());
            }
            return new Result(inputs, read, refused, millis);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Removes a run's work directory (its files only) unless it is {@code keep}, the test's own temporary one. */
    public static void deleteDirectory(Path work, Path keep) throws java.io.IOException {
        if (work.equals(keep)) {
            return;
        }
        try (var left = Files.list(work)) {
            for (Path p : left.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(work);
    }

    /** The run's result, or its own AssertionError (naming the input) as it was thrown. */
    public static Result get(java.util.concurrent.Future<Result> run) throws Exception {
        try {
            return run.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw (Exception) e.getCause();
        }
    }

    /**
     * @param reseal null, or what makes a mutated input's checksums hold again (applied to half the mutated inputs), so
     *               that mutations reach the decoding behind a checksum and not only the checksum test
     */
    private static Result run(String label, List<byte[]> seeds, byte[] magic, Path dir, String name, long from,
                              long iterations, Way way, UnaryOperator<byte[]> reseal) throws Exception {
        Path file = dir.resolve(name);
        AtomicLong current = new AtomicLong(-1);
        AtomicLong startedAt = new AtomicLong(System.nanoTime());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<byte[]> input = new AtomicReference<>();
        long[] counts = new long[2];
        long t0 = System.nanoTime();
        long stopAt = MAX_SECONDS > 0 ? t0 + TimeUnit.SECONDS.toNanos(MAX_SECONDS) : Long.MAX_VALUE;
        long[] ran = new long[1];
        Thread worker = new Thread(() -> {
            try {
                for (long i = from; i < from + iterations && System.nanoTime() < stopAt; i++) {
                    byte[] bytes = generate(new SplittableRandom(SEED ^ (i * 0x9E3779B97F4A7C15L)), seeds, magic, reseal);
                    input.set(bytes);
                    startedAt.set(System.nanoTime());
                    current.set(i);
                    counts[(way == Way.FILE ? readFile(file, bytes) : readInMemory(file, bytes, i)) ? 0 : 1]++;
                    ran[0]++;
                }
                current.set(Long.MAX_VALUE);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "fuzz-" + label);
        worker.setDaemon(true); // a hung input must not keep the test JVM alive
        worker.start();
        long reportAt = t0 + PROGRESS_NANOS;
        while (worker.isAlive()) {
            worker.join(200);
            long i = current.get();
            if (System.nanoTime() > reportAt && i >= 0 && i != Long.MAX_VALUE) {
                // A long run says where it is, so that one cut short still tells what ran (inputs from..i are done).
                reportAt += PROGRESS_NANOS;
                System.out.println(label + " fuzz (seed " + SEED + "): " + (i - from) + " inputs done (from " + from
                        + "), " + (System.nanoTime() - t0) / 1_000_000_000L + " s");
                System.out.flush();
            }
            if (worker.isAlive() && i >= 0 && System.nanoTime() - startedAt.get() > TimeUnit.SECONDS.toNanos(INPUT_LIMIT_SECONDS)
                    && current.get() == i) {
                StackTraceElement[] where = worker.getStackTrace();
                worker.interrupt();
                throw new AssertionError(failureText(label, i, input.get(), dir, "took more than " + INPUT_LIMIT_SECONDS
                        + " s; stuck at " + List.of(where).subList(0, Math.min(12, where.length))));
            }
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError(failureText(label, current.get(), input.get(), dir, "threw " + t), t);
        }
        return new Result(ran[0], counts[0], counts[1], (System.nanoTime() - t0) / 1_000_000);
    }

    private static boolean readFile(Path file, byte[] bytes) throws Exception {
        Files.write(file, bytes);
        return readOne(file);
    }

    private static boolean readInMemory(Path file, byte[] bytes, long i) throws Exception {
        InputKind kind = InputKind.of(bytes, Math.min(bytes.length, 8));
        if (kind == InputKind.WSTAP || kind == InputKind.JFR) {
            return readFile(file, bytes); // a mutated magic that names another reader: that reader, through the file
        }
        boolean read;
        try {
            CaptureSource.readPacketsInMemory(file, bytes).replay().reconstructions().values().forEach(r -> r.outcome());
            read = true;
        } catch (InputException e) {
            oneLineNaming(file, e);
            read = false;
        }
        if (i % FILE_EVERY == 0 && readFile(file, bytes) != read) {
            throw new AssertionError("read " + (read ? "" : "refused ") + "in memory but " + (read ? "refused" : "read")
                    + " through the file");
        }
        return read;
    }

    private static void oneLineNaming(Path file, InputException e) {
        String m = e.getMessage();
        if (m == null || !m.startsWith(file.toString()) || m.contains("\n") || m.contains("\r")) {
            throw new AssertionError("not one line naming the file: " + m, e);
        }
    }

    /** True when read, false when refused in one line; throws on anything else. */
    static boolean readOne(Path file) throws Exception {
        try {
            List<CaptureSource.Planned> planned = CaptureSource.plan(List.of(file));
            for (CaptureSource.Planned p : planned) {
                CaptureInput in = CaptureSource.read(1, p, Progress.NONE);
                in.replay().reconstructions().values().forEach(r -> r.outcome());
            }
            return true;
        } catch (InputException e) {
            oneLineNaming(file, e);
            return false;
        }
    }

    private static String failureText(String label, long i, byte[] bytes, Path dir, String what) {
        String saved = "";
        try {
            Path out = Path.of("target", "fuzz-failures");
            Files.createDirectories(out);
            Path f = out.resolve(label + "-" + SEED + "-" + i + ".bin");
            Files.write(f, bytes);
            saved = "; input saved as " + f.toAbsolutePath();
        } catch (Exception e) {
            saved = "; input (hex) " + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 512));
        }
        return label + " fuzz input " + i + " (seed " + SEED + ", -Dwstap.fuzz.seed=" + SEED + " -Dwstap.fuzz.from=" + i
                + " -Dwstap.fuzz.iterations=1) " + what + saved;
    }

    // ---- inputs ----

    static final int[] EDGE = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
        0xFFFFFFFE, 0x10000, 24, 28, 32};

    static byte[] generate(SplittableRandom r, List<byte[]> seeds, byte[] magic, UnaryOperator<byte[]> reseal) {
        if (r.nextInt(16) == 0) {
            byte[] b = new byte[magic.length + r.nextInt(2048)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) r.nextInt(256);
            }
            System.arraycopy(magic, 0, b, 0, magic.length);
            return b;
        }
        byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
        int rounds = 1 + (r.nextInt(4) == 0 ? r.nextInt(8) : 0);
        for (int k = 0; k < rounds && b.length > 0; k++) {
            b = mutate(r, b);
        }
        return reseal != null && r.nextBoolean() ? reseal.apply(b) : b;
    }

    private static byte[] mutate(SplittableRandom r, byte[] b) {
        int at = r.nextInt(b.length);
        switch (r.nextInt(9)) {
            case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
            case 1 -> b[at] = (byte) new int[] {0x00, 0xFF, 0x7F, 0x80}[r.nextInt(4)];
            case 2 -> b[at] = (byte) r.nextInt(256);
            case 3 -> { // a 16- or 32-bit field (either byte order) set to an edge value
                int v = r.nextInt(5) == 0 ? b.length + r.nextInt(-8, 9) : EDGE[r.nextInt(EDGE.length)];
                int width = r.nextBoolean() ? 2 : 4;
                boolean big = r.nextBoolean();
                for (int i = 0; i < width && at + i < b.length; i++) {
                    int shift = 8 * (big ? width - 1 - i : i);
                    b[at + i] = (byte) (v >>> shift);
                }
            }
            case 4 -> b = java.util.Arrays.copyOf(b, at); // truncated
            case 5 -> { // a slice deleted
                int n = Math.min(b.length - at, 1 + r.nextInt(64));
                byte[] c = new byte[b.length - n];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + n, c, at, b.length - at - n);
                b = c;
            }
            case 6, 7 -> { // random bytes inserted, or a slice of the file duplicated
                int n = 1 + r.nextInt(64);
                byte[] ins = new byte[n];
                if (r.nextBoolean()) {
                    for (int i = 0; i < n; i++) {
                        ins[i] = (byte) r.nextInt(256);
                    }
                } else {
                    int from = r.nextInt(b.length);
                    n = Math.min(n, b.length - from);
                    ins = java.util.Arrays.copyOfRange(b, from, from + n);
                }
                if (b.length + n > 1 << 20) {
                    return b;
                }
                byte[] c = new byte[b.length + n];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(ins, 0, c, at, n);
                System.arraycopy(b, at, c, at + n, b.length - at);
                b = c;
            }
            default -> { // a run of bytes overwritten with one value
                int n = Math.min(b.length - at, 1 + r.nextInt(32));
                java.util.Arrays.fill(b, at, at + n, (byte) (r.nextBoolean() ? 0 : 0xFF));
            }
        }
        return b;
    }
}
