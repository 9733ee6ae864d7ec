package io.wstap.analyzer.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The {@code wstap} entry point ({@code java -jar wstap.jar}). Output is UTF-8 whatever the platform's default (a
 * Close reason may be Chinese); exit codes are {@link ExitCodes}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
                StandardCharsets.UTF_8), true);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs {@code wstap args} with {@code out} and {@code err}; returns the exit code (tests call this in-process). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    /** The command tree, wired to {@code out} and {@code err} with wstap's error handling. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new WstapCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setUsageHelpWidth(100);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> usageError(ex, err));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.println("wstap: unexpected internal error (a bug: please report it with this trace)");
            ex.printStackTrace(err);
            err.flush();
            return ExitCodes.INTERNAL;
        });
        return cl;
    }

    /** A usage error: the message, a suggestion for a mistyped option, where to find help; exit 2. */
    private static int usageError(ParameterException ex, PrintWriter err) {
        CommandLine cmd = ex.getCommandLine();
        err.println("wstap: " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }
}
