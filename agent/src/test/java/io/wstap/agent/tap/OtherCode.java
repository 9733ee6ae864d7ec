package io.wstap.agent.tap;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.LongUnaryOperator;

/**
 * Code a benchmark runs between two messages, as a server's own work does: {@code methods} distinct methods of
 * arithmetic with eight branches each, generated and compiled at set-up (400 run in about 3 µs). It touches no memory
 * of its own, so the tap's data stay where they were ({@code connections}' part), but between two calls of the tap
 * the core can no longer start one message's cache misses while it waits for the previous one's, as in a server; it
 * also leaves the tap's instructions and branches cold, which measured nothing (docs/benchmarks.md, ninth run).
 */
final class OtherCode {
    private final LongUnaryOperator code;

    OtherCode(int methods, Path dir) throws IOException, ReflectiveOperationException {
        Random random = new Random(6455);
        StringBuilder s = new StringBuilder("public final class OtherCodeGen implements java.util.function.LongUnaryOperator {\n");
        // Each branch goes the same way at every run (as most of a server's do): predictable once learnt, but there
        // are thousands, and they take the predictor's entries from the tap's.
        s.append("  private long flags = ").append(random.nextLong()).append("L;\n");
        s.append("  public long applyAsLong(long x) {\n    long f = flags;\n");
        for (int m = 0; m < methods; m++) {
            s.append("    x = m").append(m).append("(x, f);\n");
        }
        s.append("    return x;\n  }\n");
        for (int m = 0; m < methods; m++) {
            s.append("  private static long m").append(m).append("(long x, long f) {\n");
            for (int k = 0; k < 8; k++) {
                s.append("    if ((f & ").append(1L << random.nextInt(63)).append("L) != 0) { x = x * ")
                        .append(random.nextLong() | 1).append("L + ").append(random.nextInt()).append("; } else { x ^= x >>> ")
                        .append(1 + random.nextInt(60)).append("; x += ").append(random.nextInt()).append("; }\n");
            }
            s.append("    return x;\n  }\n");
        }
        s.append("}\n");
        Path source = dir.resolve("OtherCodeGen.java");
        Files.writeString(source, s);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac.run(null, null, null, "-d", dir.toString(), source.toString()) != 0) {
            throw new IllegalStateException("the generated code did not compile");
        }
        ClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, OtherCode.class.getClassLoader());
        code = (LongUnaryOperator) loader.loadClass("OtherCodeGen").getDeclaredConstructor().newInstance();
    }

    long run(long x) {
        return code.applyAsLong(x);
    }
}
