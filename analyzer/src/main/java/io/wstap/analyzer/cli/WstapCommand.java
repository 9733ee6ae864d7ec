package io.wstap.analyzer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code wstap}: the command list. Without a command it prints a how-to. */
@Command(name = "wstap",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        header = "See how WebSocket connections close inside the JVM.",
        synopsisHeading = "%nUsage: ",
        description = {"", "Reads the captures of the wstap agent (-javaagent), rebuilds each WebSocket connection's "
                + "opening and closing handshake, and flags problems by rule (RFC 6455 section and a fix). Watches "
                + "or records a running JVM's WebSocket events live over JMX."},
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  java -javaagent:wstap-agent.jar=file=app.wstap -jar app.jar    capture",
            "  wstap analyze app.wstap                                         report on the terminal",
            "  wstap analyze --format json -o report.json app.wstap           JSON for tools",
            "  wstap analyze --fail-on warning client.wstap server.wstap      CI gate; both ends, shown once",
            "  wstap watch 12345                                               live dashboard of a running JVM",
            "  wstap watch --http 127.0.0.1:8090 127.0.0.1:9010               ... and a live web page",
            "  wstap record --duration 30s -o app.jfr 12345                   record over JMX, then analyze",
            "",
            "Run 'wstap help analyze' (watch, record) for the options and exit codes."},
        subcommands = {AnalyzeCommand.class, WatchCommand.class, RecordCommand.class,
                picocli.CommandLine.HelpCommand.class})
public final class WstapCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** What {@code wstap} alone prints: how to get from an application to a report. */
    static final String HOW_TO = String.join(System.lineSeparator(),
            "wstap: see how WebSocket connections close inside the JVM.",
            "",
            "1. Capture with the agent, in the JVM to watch:",
            "     java -javaagent:wstap-agent.jar=file=app.wstap -jar app.jar",
            "     java -jar wstap-agent.jar attach PID file=app.wstap          (a JVM already running)",
            "",
            "2. Analyze the capture:",
            "     wstap analyze app.wstap                                 timelines, findings, a summary",
            "     wstap analyze --format json -o report.json app.wstap    the same for tools (docs/report-json.md)",
            "     wstap analyze --fail-on warning app.wstap               exit 1 on any warning or error (CI)",
            "     wstap analyze client.wstap server.wstap                 both ends of the same connections, shown once",
            "",
            "3. Or watch it live, over JMX (the JVM runs the agent, JDK 16+):",
            "     wstap watch 12345                                       dashboard: connections, frames/s, closes, findings",
            "     wstap watch --attach 12345                              load the agent into a running JVM first",
            "     wstap watch --http 127.0.0.1:8090 127.0.0.1:9010        a JMX port; and a live web page",
            "     wstap record --duration 30s -o app.jfr 12345            a JFR recording of 30 s, then its report",
            "",
            "Commands: analyze, watch, record, help.  Options: 'wstap help analyze' (watch, record).  "
                    + "Version: 'wstap --version'.");

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println(HOW_TO);
        out.flush();
        return ExitCodes.OK;
    }
}
