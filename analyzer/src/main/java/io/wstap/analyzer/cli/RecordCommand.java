package io.wstap.analyzer.cli;

import com.microsoft.jfr.FlightRecorderConnection;
import com.microsoft.jfr.JfrStreamingException;
import com.microsoft.jfr.Recording;
import com.microsoft.jfr.RecordingConfiguration;
import com.microsoft.jfr.RecordingOptions;
import io.wstap.analyzer.remote.RemoteJvm;
import io.wstap.analyzer.remote.TargetException;
import io.wstap.analyzer.remote.WstapSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import javax.management.InstanceNotFoundException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code wstap record TARGET --duration 30s -o out.jfr}: a JFR recording with wstap.jfc in the target, over JMX
 * (jfr-streaming, a thin client of the target's FlightRecorderMXBean), copied here, then analysed as
 * {@code wstap analyze out.jfr} would.
 */
@Command(name = "record",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        header = "Record the WebSocket events of a running JVM for a while (JFR over JMX), then analyse them.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Starts a JFR recording with the agent's wstap.jfc in TARGET (which needs the wstap agent; --attach loads "
                    + "it into a local PID), waits --duration, copies the recording to -o over the JMX connection "
                    + "(so a remote target works too) and prints the same report as 'wstap analyze FILE'.",
            "",
            "TARGET: a local PID, HOST:PORT of a JMX agent, or a JMX service URL (as for 'wstap watch')."},
        parameterListHeading = "%nTarget:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:recorded; no selected finding at or above --fail-on",
            "1:recorded; at least one selected finding at or above --fail-on",
            "2:usage error, a target that cannot be reached or has no agent, or a file that cannot be written",
            "3:internal error (a bug: please report it with the stack trace)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  wstap record --duration 30s -o app.jfr 12345",
            "      30 s of a local JVM running the agent, then its report",
            "  wstap record --duration 5m -o app.jfr --format json --report report.json 127.0.0.1:9010",
            "      a JVM with a JMX port; the report as JSON",
            "  wstap record --attach --duration 1m -o app.jfr 12345",
            "      load the agent first (it also writes its capture file in the target's working directory)"})
public final class RecordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TARGET", description = "PID, HOST:PORT or service:jmx:... URL")
    String target;

    @Option(names = "--duration", paramLabel = "TIME", required = true,
            description = "How long to record: 500ms, 30s, 5m, 1h.")
    String duration;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
            description = "Where the recording (.jfr) is written, on this machine.")
    Path output;

    @Mixin
    AttachOptions attachOptions;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "The report: text (default), json or html.")
    String format;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    Path report;

    @Option(names = "--fail-on", paramLabel = "LEVEL", defaultValue = "error",
            description = "As for analyze: exit 1 when a finding is at or above LEVEL (error, warning, info, never).")
    String failOn;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration limit = Values.duration(spec.commandLine(), "--duration", duration);
        if (!List.of("text", "json", "html").contains(format.toLowerCase(java.util.Locale.ROOT))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "invalid value for --format: '" + format + "' (expected text, json or html)");
        }
        Path dir = output.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            err.println("wstap: -o " + output + ": no such directory " + dir);
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        RemoteJvm jvm;
        try {
            jvm = attachOptions.open(target, RecordCommand.class);
        } catch (TargetException e) {
            err.println("wstap: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        try (jvm) {
            record(jvm, limit, err);
        } catch (TargetException e) {
            err.println("wstap: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        // The report exactly as 'wstap analyze' makes it: same command, same options.
        List<String> args = new ArrayList<>(List.of("analyze", "--format", format, "--fail-on", failOn));
        if (report != null) {
            args.add("-o");
            args.add(report.toString());
        }
        args.add(output.toString());
        return Main.commandLine(out, err).execute(args.toArray(String[]::new));
    }

    private void record(RemoteJvm jvm, Duration limit, PrintWriter err) throws TargetException {
        FlightRecorderConnection frc;
        try {
            frc = FlightRecorderConnection.connect(jvm.connection());
        } catch (IOException | InstanceNotFoundException | JfrStreamingException e) {
            throw new TargetException(jvm.target() + " has no FlightRecorderMXBean (" + e.getMessage()
                    + "; expected a JDK 11+ target with the jdk.management.jfr module)");
        }
        // The target's own stop a minute after ours: a record killed mid-way (Ctrl-C) leaves no recording running.
        RecordingOptions options = new RecordingOptions.Builder().name("wstap record").disk("true")
                .duration((limit.toSeconds() + 60) + " s").build();
        RecordingConfiguration settings = new RecordingConfiguration.JfcFileConfiguration(
                new ByteArrayInputStream(WstapSettings.jfcWithJvmInformation().getBytes(StandardCharsets.UTF_8)));
        try (Recording rec = frc.newRecording(options, settings)) {
            rec.start();
            err.println("wstap: recording " + jvm.description() + " for " + duration + " into " + output);
            err.flush();
            try {
                Thread.sleep(limit.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            rec.stop();
            // Read through JMX rather than dumped on the target's disk: a remote target's files are not here.
            try (InputStream in = rec.getStream(null, null); OutputStream o = Files.newOutputStream(output)) {
                in.transferTo(o);
            } catch (IOException e) {
                throw new TargetException("-o " + output + ": cannot copy the recording (" + e.getMessage() + ")");
            }
        } catch (IOException | JfrStreamingException | RuntimeException e) {
            throw new TargetException(jvm.target() + ": the recording failed (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
    }
}
