package io.wstap.analyzer.remote;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JMX connection to a target JVM that runs the wstap agent (checked: the agent sets the system property
 * {@value #AGENT_PROPERTY} once installed). With a local pid the agent can be loaded first ({@code --attach}).
 */
public final class RemoteJvm implements Closeable {
    /** Set by the agent once installed (io.wstap.agent.WstapAgent.INSTALLED_PROPERTY): the capture's path. */
    public static final String AGENT_PROPERTY = "io.wstap.agent.installed";
    /** A JMX connect that hangs (a firewall dropping packets) fails after this long. */
    private static final long CONNECT_TIMEOUT_SECONDS = 15;

    private final Target target;
    private final JMXConnector connector;
    private final MBeanServerConnection connection;
    private final String description;

    private RemoteJvm(Target target, JMXConnector connector, String description) throws IOException {
        this.target = target;
        this.connector = connector;
        this.connection = connector.getMBeanServerConnection();
        this.description = description;
    }

    /** How to load the agent when the target has none; null: do not, say so instead. */
    public record Attach(Path agentJar, String options) {
    }

    /**
     * Connects to {@code target}. A target without the agent is refused (one line saying how to get it there) unless
     * {@code attach} is given, which loads the agent into a local pid first.
     */
    public static RemoteJvm open(Target target, Attach attach) throws TargetException {
        JMXServiceURL url = target.url();
        if (target.local()) {
            url = viaAttach(target, attach);
        }
        JMXConnector connector = connect(target, url);
        try {
            RuntimeMXBean rt = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
                    ManagementFactory.RUNTIME_MXBEAN_NAME, RuntimeMXBean.class);
            String agent = rt.getSystemProperties().get(AGENT_PROPERTY);
            if (agent == null) {
                closeQuietly(connector);
                throw new TargetException(target + " runs no wstap agent: start it with -javaagent:wstap-agent.jar"
                        + (target.local() ? ", or add --attach to load it now" : " (--attach needs a local PID)"));
            }
            String jvm = rt.getVmName() + " " + rt.getSpecVersion();
            return new RemoteJvm(target, connector, (target.local() ? target.toString() : target.spec() + " (pid "
                    + rt.getPid() + ")") + ", " + jvm);
        } catch (IOException | RuntimeException e) {
            closeQuietly(connector);
            throw new TargetException(target + ": the JMX connection failed (" + oneLine(e) + ")");
        }
    }

    /** Attaches to a local pid, loads the agent if asked and needed, and starts the local JMX agent. */
    private static JMXServiceURL viaAttach(Target target, Attach attach) throws TargetException {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(String.valueOf(target.pid()));
        } catch (AttachNotSupportedException | IOException | RuntimeException e) {
            throw new TargetException("cannot attach to " + target + ": " + oneLine(e)
                    + " (expected a running JVM of the same user)");
        }
        try {
            if (vm.getSystemProperties().getProperty(AGENT_PROPERTY) == null) {
                if (attach == null) {
                    throw new TargetException(target + " runs no wstap agent: add --attach to load it now, or start "
                            + "it with -javaagent:wstap-agent.jar");
                }
                try {
                    vm.loadAgent(attach.agentJar().toString(), attach.options());
                } catch (AgentLoadException | AgentInitializationException e) {
                    throw new TargetException("--attach: the agent did not load into " + target + ": " + oneLine(e)
                            + " (see the target's stderr)");
                }
                if (vm.getSystemProperties().getProperty(AGENT_PROPERTY) == null) {
                    throw new TargetException("--attach: the agent did not start in " + target
                            + " (its stderr says why)");
                }
            }
            return new JMXServiceURL(vm.startLocalManagementAgent());
        } catch (IOException e) {
            throw new TargetException(target + ": " + oneLine(e));
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the JMX connection does not need the attach channel
            }
        }
    }

    private static JMXConnector connect(Target target, JMXServiceURL url) throws TargetException {
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wstap-jmx-connect");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<JMXConnector> f = ex.submit(() -> JMXConnectorFactory.connect(url));
            return f.get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause(); // RMI wraps the useful "Connection refused" twice
            }
            throw new TargetException("cannot connect to " + target + " over JMX: " + oneLine(cause)
                    + (target.local() ? "" : " (expected a JVM started with -Dcom.sun.management.jmxremote.port)"));
        } catch (TimeoutException e) {
            throw new TargetException("cannot connect to " + target + " over JMX: no answer in "
                    + CONNECT_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException("cannot connect to " + target + ": interrupted");
        } finally {
            ex.shutdownNow();
        }
    }

    public MBeanServerConnection connection() {
        return connection;
    }

    public Target target() {
        return target;
    }

    /** "JVM 1234, OpenJDK 64-Bit Server VM 17" or "127.0.0.1:9010 (pid 1234), ...". */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        closeQuietly(connector);
    }

    private static void closeQuietly(JMXConnector c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // the target may be gone already
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' ').replace('\r', ' '));
    }

    /**
     * The agent jar for {@code --attach}: {@code explicit} if given, else wstap-agent.jar next to wstap.jar, else
     * agent/target/wstap-agent.jar of the source tree wstap.jar was built in.
     */
    public static Path agentJar(Path explicit, Class<?> anchor) throws TargetException {
        if (explicit != null) {
            if (!java.nio.file.Files.isRegularFile(explicit)) {
                throw new TargetException("--agent " + explicit + ": no such file (expected wstap-agent.jar)");
            }
            return explicit.toAbsolutePath();
        }
        java.util.List<Path> tried = new java.util.ArrayList<>();
        try {
            Path here = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
            Path dir = here.getParent();
            if (dir != null) {
                tried.add(dir.resolve("wstap-agent.jar"));
                if (dir.getParent() != null && dir.getParent().getParent() != null) {
                    tried.add(dir.getParent().getParent().resolve("agent/target/wstap-agent.jar"));
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException ignored) {
            // no code source: only --agent can say
        }
        for (Path p : tried) {
            if (java.nio.file.Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new TargetException("--attach: no wstap-agent.jar found (looked at " + tried
                + "): give it with --agent JAR");
    }
}
