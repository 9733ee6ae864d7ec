package io.wstap.analyzer.cli;

import io.wstap.analyzer.report.HtmlReport;
import io.wstap.analyzer.report.JsonReport;
import io.wstap.analyzer.report.Report;
import io.wstap.analyzer.report.ReportWriter;
import io.wstap.analyzer.report.Selection;
import io.wstap.analyzer.report.TextReport;
import io.wstap.analyzer.source.CaptureInput;
import io.wstap.analyzer.source.CaptureSource;
import io.wstap.analyzer.source.InputException;
import io.wstap.analyzer.source.Progress;
import io.wstap.engine.Rule;
import io.wstap.engine.Severity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code wstap analyze FILE...}: read captures, rebuild every connection, report, and exit for CI. */
@Command(name = "analyze",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        header = "Rebuild every WebSocket connection of captures and check it against the rules.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Each connection is shown with its timeline (upgrade, Close frames, TCP closes, relative and wall-clock "
                    + "times), what each application saw (code, reason, wasClean) and its findings (rule, RFC 6455 "
                    + "section, fix, and the stack that sent the Close or closed the socket when the agent kept it). "
                    + "A connection captured at both ends (a client capture and a server capture) is shown once, "
                    + "with both views.",
            "",
            "The kind of each FILE is read from its first bytes, never its name. A damaged capture is analysed as far "
                    + "as it is intact, and the report says what was lost."},
        parameterListHeading = "%nFiles:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:no selected finding at or above --fail-on",
            "1:at least one selected finding at or above --fail-on",
            "2:usage error, or an input that cannot be read (one line per file: the file, the byte offset, what was "
                    + "expected)",
            "3:internal error (a bug: please report it with the stack trace)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  wstap analyze app.wstap",
            "      timelines, findings and a summary on the terminal",
            "  wstap analyze /var/tmp/captures/*.wstap",
            "      every capture of a directory; a rotated capture (app.wstap, app-1.wstap...) is read once, as one",
            "  wstap analyze --format json -o report.json client.wstap server.wstap",
            "      both ends of the same connections, each shown once; the schema is docs/report-json.md",
            "  wstap analyze --format html -o report.html app.wstap",
            "      one offline HTML page: a sequence diagram per connection, findings marked on its arrows",
            "  wstap analyze --fail-on warning --rule WS205 --rule missing-close-frame app.wstap",
            "      a CI gate on two rules (ids or slugs): exit 1 when one is found",
            "  wstap analyze --connection 7 --min-severity warning app.wstap",
            "      one connection, without the info findings"})
public final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "Captures of the wstap agent (.wstap), pcap or pcapng files (tcpdump, dumpcap, Wireshark) and JFR recordings of the agent's events (.jfr); the kind is read from the first bytes.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), json, or html (one self-contained page with a sequence diagram per "
                    + "connection).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the report to FILE (UTF-8) instead of standard output.")
    Path output;

    @Option(names = "--min-severity", paramLabel = "LEVEL", defaultValue = "info",
            description = "Leave out findings below LEVEL: info (default), warning or error.")
    String minSeverity;

    @Option(names = "--rule", paramLabel = "ID",
            description = "Only findings of this rule, by id (WS205) or slug (application-used-1002). Repeatable.")
    List<String> rules = new ArrayList<>();

    @Option(names = "--connection", paramLabel = "ID",
            description = "Only this connection, by the id the report shows (7, 2:7, 1:7+2:3). Repeatable.")
    List<String> connections = new ArrayList<>();

    @Option(names = "--fail-on", paramLabel = "LEVEL", defaultValue = "error",
            description = "Exit 1 when a selected finding is at or above LEVEL: error (default), warning, info, or "
                    + "never.")
    String failOn;

    @Override
    public Integer call() {
        ReportWriter writer = writer();
        Severity min = severity("--min-severity", minSeverity, false);
        Severity fail = severity("--fail-on", failOn, true);
        Set<Rule> selected = new LinkedHashSet<>();
        for (String id : rules) {
            Rule r = Rule.find(id.trim());
            if (r == null) {
                throw new ParameterException(spec.commandLine(), "unknown rule '" + id + "' for --rule: expected an id "
                        + "(WS101 ... WS404) or a slug (e.g. missing-close-frame); docs/rules.md lists them");
            }
            selected.add(r);
        }
        PrintWriter err = spec.commandLine().getErr();
        List<CaptureInput> inputs = new ArrayList<>();
        try {
            List<CaptureSource.Planned> plan = CaptureSource.plan(files);
            Progress progress = Progress.forInputs(err, CaptureSource.bytes(plan));
            try {
                for (int i = 0; i < plan.size(); i++) {
                    progress.file(plan.get(i).file(), i + 1, plan.size());
                    inputs.add(CaptureSource.read(i + 1, plan.get(i), progress));
                }
            } finally {
                progress.done();
            }
        } catch (InputException e) {
            err.println(e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        for (CaptureInput in : inputs) {
            if (in.kind() == io.wstap.analyzer.source.InputKind.JFR && in.read().events() == 0) {
                err.println(in.file() + ": no wstap events in this JFR recording (was the agent on, with wstap.jfc?)");
            }
        }
        Report report = Report.of(inputs, new Selection(min, selected, connections), fail);
        for (String id : report.unmatchedIds()) {
            err.println("wstap: --connection " + id + ": no such connection in the input");
        }
        err.flush();
        if (output == null) {
            writer.write(report, spec.commandLine().getOut());
        } else {
            try (PrintWriter out = new PrintWriter(new OutputStreamWriter(Files.newOutputStream(output),
                    StandardCharsets.UTF_8))) {
                writer.write(report, out);
                if (out.checkError()) {
                    throw new IOException("write failed");
                }
            } catch (IOException e) {
                err.println(output + ": cannot write the report: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                err.flush();
                return ExitCodes.BAD_INPUT;
            }
        }
        return report.exitCode() == Report.FINDINGS ? ExitCodes.FINDINGS : ExitCodes.OK;
    }

    private ReportWriter writer() {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "text" -> new TextReport();
            case "json" -> new JsonReport();
            case "html" -> new HtmlReport();
            default -> throw new ParameterException(spec.commandLine(),
                    "invalid value for --format: '" + format + "' (expected text, json or html)");
        };
    }

    private Severity severity(String option, String value, boolean neverAllowed) {
        String v = value.toLowerCase(Locale.ROOT);
        if (neverAllowed && v.equals("never")) {
            return null;
        }
        for (Severity s : Severity.values()) {
            if (s.label().equals(v)) {
                return s;
            }
        }
        throw new ParameterException(spec.commandLine(), "invalid value for " + option + ": '" + value + "' (expected "
                + (neverAllowed ? "error, warning, info or never" : "info, warning or error") + ")");
    }
}
