package io.wstap.analyzer.cli;

import io.wstap.analyzer.remote.RemoteJvm;
import io.wstap.analyzer.remote.TargetException;
import io.wstap.analyzer.remote.WstapSettings;
import io.wstap.analyzer.watch.Dashboard;
import io.wstap.analyzer.watch.Snapshot;
import io.wstap.analyzer.watch.TerminalView;
import io.wstap.analyzer.watch.WatchServer;
import jdk.management.jfr.RemoteRecordingStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code wstap watch TARGET}: a live dashboard of a JVM running the agent, over JMX (and a web page with --http). */
@Command(name = "watch",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        header = "Live dashboard of the WebSocket connections of a running JVM (JFR over JMX).",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Streams the wstap agent's JFR events from TARGET (jdk.management.jfr.RemoteRecordingStream) and redraws "
                    + "once a second: open connections, frames/s each way (from the agent's io.wstap.Stats event), "
                    + "Close frames by code, outcomes, the latest findings with their stacks. The target needs JDK 16+ "
                    + "and the agent; --attach loads it into a local PID. When standard output is not a terminal "
                    + "each refresh is a plain block of lines.",
            "",
            "TARGET: a local PID (through the Attach API, same user), HOST:PORT of a JMX agent (the target runs with "
                    + "-Dcom.sun.management.jmxremote.port=PORT), or a JMX service URL."},
        parameterListHeading = "%nTarget:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:watched until --duration, Ctrl-C, or the target's end",
            "2:usage error, or a target that cannot be reached or has no agent (one line saying why)",
            "3:internal error (a bug: please report it with the stack trace)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  wstap watch 12345",
            "      a local JVM started with -javaagent:wstap-agent.jar",
            "  wstap watch --attach 12345",
            "      load the agent into it first (wstap-agent.jar next to wstap.jar, or --agent JAR)",
            "  wstap watch --http 127.0.0.1:8090 127.0.0.1:9010",
            "      a JVM with a JMX port; also a live web page at http://127.0.0.1:8090/",
            "  wstap watch --duration 10s 12345 > watch.txt",
            "      bounded, plain text (for scripts and tests)"})
public final class WatchCommand implements Callable<Integer> {
    /** How often the dashboard is redrawn. */
    static final Duration REFRESH = Duration.ofSeconds(1);

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TARGET", description = "PID, HOST:PORT or service:jmx:... URL")
    String target;

    @Mixin
    AttachOptions attachOptions;

    @Option(names = "--duration", paramLabel = "TIME",
            description = "Stop after TIME (500ms, 30s, 5m, 1h); default: until Ctrl-C.")
    String duration;

    @Option(names = "--http", paramLabel = "ADDRESS:PORT",
            description = "Also serve a live web page (server-sent events, no external resources) on this address "
                    + "only, e.g. 127.0.0.1:8090 (a bare port means 127.0.0.1; 0 picks a free port).")
    String http;

    @Option(names = "--plain", description = "Plain text even on a terminal (no screen clearing, no colours).")
    boolean plain;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration limit = duration == null ? null : Values.duration(spec.commandLine(), "--duration", duration);
        InetSocketAddress listen = http == null ? null : Values.listenAddress(spec.commandLine(), "--http", http);
        RemoteJvm jvm;
        try {
            jvm = attachOptions.open(target, WatchCommand.class);
        } catch (TargetException e) {
            err.println("wstap: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        WatchServer server = null;
        try (jvm) {
            if (listen != null) {
                try {
                    server = WatchServer.start(listen);
                } catch (IOException e) {
                    err.println("wstap: --http " + http + ": cannot listen (" + e.getMessage() + ")");
                    err.flush();
                    return ExitCodes.USAGE;
                }
            }
            return watch(jvm, limit, server, out, err);
        } finally {
            if (server != null) {
                server.stop();
            }
        }
    }

    private int watch(RemoteJvm jvm, Duration limit, WatchServer server, PrintWriter out, PrintWriter err) {
        Dashboard dashboard = new Dashboard(jvm.description());
        RemoteRecordingStream stream;
        try {
            stream = new RemoteRecordingStream(jvm.connection());
        } catch (IOException | RuntimeException e) {
            err.println("wstap: " + jvm.target() + " offers no JFR streaming over JMX (" + e.getMessage()
                    + "; expected a JDK 16+ target with the jdk.management.jfr module)");
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        Thread onCtrlC = new Thread(stream::close, "wstap-watch-stop");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try (stream) {
            stream.setSettings(WstapSettings.settings());
            stream.setMaxAge(Duration.ofMinutes(2)); // the local copy of the target's chunks: only what is shown
            stream.onEvent(dashboard::onEvent);
            stream.onError(t -> dashboard.ended("wstap: the event stream failed: " + t));
            stream.startAsync();
            err.println("wstap: watching " + jvm.description() + (limit == null ? "; Ctrl-C to stop" : " for " + duration)
                    + (server == null ? "" : "; live page at " + server.url()));
            err.flush();
            TerminalView view = new TerminalView(!plain && Terminal.isTerminal());
            long end = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
            while (true) {
                alive(jvm, dashboard);
                Snapshot s = dashboard.snapshot(Instant.now());
                out.print(view.render(s));
                out.flush();
                if (server != null) {
                    server.publish(s);
                }
                long left = end - System.nanoTime();
                if (s.ended() != null || left <= 0) {
                    return ExitCodes.OK;
                }
                try {
                    Thread.sleep(Math.max(1, Math.min(REFRESH.toMillis(), left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ExitCodes.OK;
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException ignored) {
                // shutting down already (Ctrl-C): the hook closes the stream
            }
        }
    }

    /** A cheap JMX call: when it fails the target has gone (exited, or the network broke). */
    private static void alive(RemoteJvm jvm, Dashboard dashboard) {
        try {
            jvm.connection().getMBeanCount();
        } catch (IOException | RuntimeException e) {
            dashboard.ended("wstap: " + jvm.target() + " went away (the JMX connection closed)");
        }
    }
}
