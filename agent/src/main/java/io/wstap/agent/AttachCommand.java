package io.wstap.agent;

import net.bytebuddy.agent.ByteBuddyAgent;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code java -jar wstap-agent.jar attach PID [options]}: loads the agent into a running JVM of the same user (the
 * Attach API allows no other). Connections already open are picked up at their next frame boundary.
 */
final class AttachCommand {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private AttachCommand() {
    }

    static int run(String[] args, Path agentJar) {
        if (args.length < 2 || !args[0].equals("attach") || !args[1].matches("\\d+") || args.length > 3) {
            System.err.println("usage: java -jar wstap-agent.jar attach PID [key=value,...]");
            System.err.println("  e.g. java -jar wstap-agent.jar attach 12345 file=/tmp/chat.wstap,ports=8080");
            System.err.println("  options: " + String.join(", ", AgentOptions.DEFAULTS.keySet()));
            return USAGE;
        }
        String options = args.length == 3 ? args[2] : "";
        try {
            AgentOptions.parse(options, Map.of()); // refuse bad options here rather than in the target
        } catch (IllegalArgumentException e) {
            System.err.println("wstap: " + e.getMessage());
            return USAGE;
        }
        try {
            ByteBuddyAgent.attach(agentJar.toFile(), args[1], options);
            System.err.println("wstap: agent loaded into JVM " + args[1]
                    + " (its stderr says where the capture goes)");
            return OK;
        } catch (RuntimeException e) {
            System.err.println("wstap: cannot attach to JVM " + args[1] + ": " + e.getMessage()
                    + " (the JVM must run as the same user; JDK 21+ may need -XX:+EnableDynamicAgentLoading)");
            return FAILED;
        }
    }
}
