package io.wstap.analyzer.cli;

import io.wstap.analyzer.testing.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Help, the how-to, the version, and what a bug looks like. */
class HelpTest {
    /** A command that fails the way a bug would. */
    @CommandLine.Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("boom");
        }
    }

    @Test
    void anUnexpectedErrorIsExit3WithATrace() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new PrintWriter(out), new PrintWriter(err));
        cl.addSubcommand("boom", new Boom());
        assertEquals(ExitCodes.INTERNAL, cl.execute("boom"));
        assertTrue(err.toString().startsWith("wstap: unexpected internal error (a bug: please report it with this "
                + "trace)"), err.toString());
        assertTrue(err.toString().contains("java.lang.IllegalStateException: boom"), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void noArgumentsPrintsAHowTo() {
        Cli.Run run = Cli.run();
        assertEquals(ExitCodes.OK, run.exit());
        assertEquals(WstapCommand.HOW_TO + System.lineSeparator(), run.out());
        assertTrue(run.out().contains("java -javaagent:wstap-agent.jar=file=app.wstap -jar app.jar"));
        assertTrue(run.out().contains("wstap analyze app.wstap"));
        assertEquals("", run.err());
    }

    @Test
    void helpListsTheCommandsWithExamples() {
        Cli.Run run = Cli.run("--help");
        assertEquals(ExitCodes.OK, run.exit());
        assertTrue(run.out().contains("Usage: wstap [-hV] [COMMAND]"), run.out());
        assertTrue(run.out().contains("analyze  Rebuild every WebSocket connection"), run.out());
        assertTrue(run.out().contains("Examples:"), run.out());
    }

    @Test
    void analyzeHelpShowsOptionsExitCodesAndExamples() {
        Cli.Run run = Cli.run("help", "analyze");
        assertEquals(ExitCodes.OK, run.exit());
        for (String s : new String[] {"--format=FORMAT", "-o, --output=FILE", "--min-severity=LEVEL", "--rule=ID",
            "--connection=ID", "--fail-on=LEVEL", "Exit codes:", "  0   no selected finding", "  2   usage error",
            "Examples:", "wstap analyze --format json -o report.json client.wstap server.wstap"}) {
            assertTrue(run.out().contains(s), s + " in\n" + run.out());
        }
        assertEquals(run.out(), Cli.run("analyze", "--help").out());
    }

    @Test
    void versionNamesTheToolAndTheCaptureFormat() {
        Cli.Run run = Cli.run("--version");
        assertEquals(ExitCodes.OK, run.exit());
        String[] lines = run.out().split("\\R");
        assertTrue(lines[0].matches("wstap \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), lines[0]);
        assertEquals("reads wstap capture format version 1", lines[1]);
        assertTrue(lines[2].startsWith("Java "), lines[2]);
        assertEquals(run.out(), Cli.run("-V").out());
    }
}
