package io.wstap.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * The agent's entry points: {@code -javaagent:wstap-agent.jar[=options]} (premain), late attach (agentmain), and
 * {@code java -jar wstap-agent.jar attach PID [options]} (main).
 *
 * <p>Loader split: this class and the installer (with the relocated Byte Buddy) live in the agent's loader; the
 * classes the hooks call ({@code io.wstap.agent.tap}, {@code wire}, {@code engine}, {@code capture}) are copied into
 * a small jar that is appended to the bootstrap class path before anything loads them, because the hooks are inlined
 * into JDK classes that only see the bootstrap loader. This class must therefore not mention those packages.
 */
public final class WstapAgent {
    /** Set once installed, so that a second attach does nothing. */
    static final String INSTALLED_PROPERTY = "io.wstap.agent.installed";
    /** Packages that must be loaded by the bootstrap loader (see the class comment). */
    static final String[] BOOTSTRAP_PACKAGES = {
            "io/wstap/agent/tap/", "io/wstap/wire/", "io/wstap/engine/", "io/wstap/capture/", "io/wstap/jfr/"};

    private WstapAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    /** {@code java -jar wstap-agent.jar attach PID [options]}. */
    public static void main(String[] args) {
        System.exit(AttachCommand.run(args, agentJar()));
    }

    private static synchronized void start(String args, Instrumentation inst, boolean lateAttach) {
        if (System.getProperty(INSTALLED_PROPERTY) != null) {
            System.err.println("wstap: already capturing in this JVM (" + System.getProperty(INSTALLED_PROPERTY) + ")");
            return;
        }
        AgentOptions options;
        try {
            options = AgentOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("wstap: " + e.getMessage() + "; the agent is off");
            return;
        }
        // First, before anything here loads SocketChannelImpl (on JDK 25 writing the bootstrap jar does): the channels'
        // mark can only be added at the class's first load. Not at late attach, where it is loaded already.
        ChannelMarkField marks = lateAttach ? null : new ChannelMarkField();
        if (marks != null) {
            inst.addTransformer(marks, false);
        }
        try {
            inst.appendToBootstrapClassLoaderSearch(new JarFile(bootstrapJar(agentJar())));
            // Loaded only now, after the append: its references to the tap resolve to the bootstrap copies.
            String capture = Installer.install(inst, options, args == null ? "" : args, lateAttach);
            System.setProperty(INSTALLED_PROPERTY, capture);
            if (!options.quiet()) {
                System.err.println("wstap: capturing WebSocket traffic to " + capture);
            }
        } catch (Throwable t) {
            System.err.println("wstap: could not start (" + t + "); the agent is off");
        } finally {
            if (marks != null) {
                inst.removeTransformer(marks); // the class is loaded by now, or was before the agent came
            }
        }
    }

    /** The jar this class was loaded from. */
    static Path agentJar() {
        try {
            return Path.of(WstapAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot locate the wstap agent jar", e);
        }
    }

    /** Copies the bootstrap packages of the agent jar into a temporary jar (deleted on exit). */
    static File bootstrapJar(Path agentJar) throws IOException {
        Path boot = Files.createTempFile("wstap-boot-", ".jar");
        boot.toFile().deleteOnExit();
        try (JarFile jar = new JarFile(agentJar.toFile());
             JarOutputStream out = new JarOutputStream(Files.newOutputStream(boot))) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.isDirectory() || !isBootstrap(e.getName())) {
                    continue;
                }
                out.putNextEntry(new JarEntry(e.getName()));
                try (InputStream in = jar.getInputStream(e)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return boot.toFile();
    }

    private static boolean isBootstrap(String entry) {
        for (String p : BOOTSTRAP_PACKAGES) {
            if (entry.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
