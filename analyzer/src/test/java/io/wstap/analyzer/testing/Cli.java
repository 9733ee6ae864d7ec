package io.wstap.analyzer.testing;

import io.wstap.analyzer.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the CLI in-process, as {@code wstap args}, with captured standard output and error. */
public final class Cli {
    /** What one run gave. */
    public record Run(int exit, String out, String err) {
        /** Output and error with {@code dir} (a @TempDir) replaced by "$TMP", for golden comparisons. */
        public String out(Path dir) {
            return out.replace(dir.toString(), "$TMP");
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private Cli() {
    }

    public static Run run(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = String.valueOf(args[i]);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(a, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }
}
