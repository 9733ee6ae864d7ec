package io.wstap.analyzer.cli;

import io.wstap.analyzer.remote.RemoteJvm;
import io.wstap.analyzer.remote.Target;
import io.wstap.analyzer.remote.TargetException;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --attach}, {@code --agent}, {@code --agent-options}: shared by watch and record (a picocli mixin). */
final class AttachOptions {
    @Option(names = "--attach", description = "Load the wstap agent into the target (a local PID) if it has none.")
    boolean attach;

    @Option(names = "--agent", paramLabel = "JAR", description = "The agent jar for --attach (default: "
            + "wstap-agent.jar next to wstap.jar, or agent/target/wstap-agent.jar of the build).")
    Path agentJar;

    @Option(names = "--agent-options", paramLabel = "OPTIONS", defaultValue = "",
            description = "Agent options for --attach, as after -javaagent:wstap-agent.jar= (e.g. "
                    + "file=/tmp/app.wstap,ports=8080).")
    String agentOptions;

    /** Connects to {@code target}, loading the agent first with --attach (a local PID only). */
    RemoteJvm open(String target, Class<?> command) throws TargetException {
        Target t = Target.parse(target);
        if (attach && !t.local()) {
            throw new TargetException("--attach needs a local PID, not '" + target + "'");
        }
        return RemoteJvm.open(t, attach ? new RemoteJvm.Attach(RemoteJvm.agentJar(agentJar, command), agentOptions) : null);
    }
}
