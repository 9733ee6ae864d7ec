package io.wstap.agent;

import io.wstap.agent.hooks.NioSocketImplHooks;
import io.wstap.agent.hooks.SocketChannelImplHooks;
import io.wstap.agent.hooks.SslEngineImplHooks;
import io.wstap.agent.hooks.SslSocketImplHooks;
import io.wstap.agent.tap.Tap;
import io.wstap.agent.tap.TapRuntime;
import io.wstap.capture.CaptureHeader;
import io.wstap.capture.CaptureWriter;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.SocketImpl;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Opens the capture, builds the tap's runtime and installs the hooks (Byte Buddy, relocated). The settings follow
 * HOOKS.md: no default ignore matcher (the targets are bootstrap classes), retransformation even at premain,
 * no class format changes (late attach), one class per batch so one failure does not void the others. The hooked
 * classes are loaded first and Byte Buddy's transformer then sees only them ({@link HookedClassesOnly}).
 */
final class Installer {
    private Installer() {
    }

    /** Installs everything; returns the capture file's path. */
    static String install(Instrumentation inst, AgentOptions options, String rawOptions, boolean lateAttach) throws Exception {
        // Byte Buddy (relocated, so the property name is relocated with it) must not touch sun.misc.Unsafe on JDK 24+.
        System.setProperty("net.bytebuddy.safe", "true");
        openJdkInternals(inst);

        long pid = ProcessHandle.current().pid();
        Path file = options.file() != null ? options.file() : Path.of("wstap-" + pid + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".wstap");
        long wall = System.currentTimeMillis() * 1_000_000L;
        long mono = System.nanoTime();
        CaptureHeader header = new CaptureHeader(CaptureWriter.VERSION, hostName(), pid,
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.runtime.version"), wall, mono, rawOptions);
        CaptureWriter writer = CaptureWriter.create(file, header, options.maxSize());
        TapRuntime runtime = new TapRuntime(writer, options.ringSlots(), options.stacks() ? options.stackDepth() : 0,
                options.ports(), options.hosts(), lateAttach || options.benchToggle() > 0, options.faults(),
                options.reasons()); // toggled: a connection whose upgrade fell in an off window is joined mid-stream
        // JFR events only with the option on and the jdk.jfr module present (a jlinked runtime may lack it).
        boolean jfr = options.jfr() && ModuleLayer.boot().findModule("jdk.jfr").isPresent();
        if (options.exactTimes()) {
            runtime.readTheClockForEveryFrame();
        }
        if (options.copyTap()) {
            runtime.copyEveryByte();
        }
        if (options.benchToggle() > 0) {
            runtime.toggleEvery(options.benchToggle());
        }
        if (jfr) {
            runtime.enableJfr();
        }
        runtime.start();
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::stop, "wstap-shutdown"));

        // The hooked classes are loaded (not initialised) now, so that they are transformed at install and Byte
        // Buddy's transformer can then be narrowed to them (HookedClassesOnly): later class loads cost a look-up.
        Set<String> hooked = Set.of(SocketChannelImplHooks.TYPE, NioSocketImplHooks.TYPE, SslEngineImplHooks.TYPE,
                SslSocketImplHooks.SOCKET, SslSocketImplHooks.OUTPUT, SslSocketImplHooks.INPUT);
        for (String name : hooked) {
            try {
                Class.forName(name, false, null);
            } catch (ClassNotFoundException | LinkageError e) {
                System.err.println("wstap: cannot hook " + name + ": not in this JDK (" + e + ")");
            }
        }
        AtomicInteger failures = new AtomicInteger();
        ResettableClassFileTransformer byteBuddy = new AgentBuilder.Default()
                .ignore(none())
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.RedefinitionStrategy.BatchAllocator.ForFixedSize.ofSize(1))
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .with(new FailureListener(failures))
                .type(named(SocketChannelImplHooks.TYPE))
                .transform((b, type, loader, module, domain) -> b
                        .visit(advice(SocketChannelImplHooks.WriteAdvice.class, "write", int.class, ByteBuffer.class))
                        .visit(advice(SocketChannelImplHooks.GatheringWriteAdvice.class, "write", long.class,
                                ByteBuffer[].class, int.class, int.class))
                        .visit(advice(SocketChannelImplHooks.TryWriteAdvice.class, "tryWrite", int.class,
                                byte[].class, int.class, int.class))
                        .visit(advice(SocketChannelImplHooks.ReadAdvice.class, "read", int.class, ByteBuffer.class))
                        .visit(advice(SocketChannelImplHooks.ScatteringReadAdvice.class, "read", long.class,
                                ByteBuffer[].class, int.class, int.class))
                        .visit(advice(SocketChannelImplHooks.BlockingReadAdvice.class, "blockingRead", int.class,
                                byte[].class, int.class, int.class, long.class))
                        .visit(advice(SocketChannelImplHooks.CloseAdvice.class, "implCloseSelectableChannel", void.class))
                        .visit(advice(SocketChannelImplHooks.ShutdownOutputAdvice.class, "shutdownOutput",
                                java.nio.channels.SocketChannel.class)))
                .type(named(NioSocketImplHooks.TYPE))
                .transform((b, type, loader, module, domain) -> b
                        .visit(advice(NioSocketImplHooks.WriteAdvice.class, "implWrite", int.class,
                                byte[].class, int.class, int.class))
                        .visit(advice(NioSocketImplHooks.ReadAdvice.class, "read", int.class,
                                byte[].class, int.class, int.class))
                        .visit(advice(NioSocketImplHooks.CloseAdvice.class, "close", void.class))
                        .visit(advice(NioSocketImplHooks.ShutdownOutputAdvice.class, "shutdownOutput", void.class)))
                .type(named(SslEngineImplHooks.TYPE))
                .transform((b, type, loader, module, domain) -> b
                        .visit(advice(SslEngineImplHooks.WrapAdvice.class, "wrap", javax.net.ssl.SSLEngineResult.class,
                                ByteBuffer[].class, int.class, int.class, ByteBuffer.class))
                        .visit(advice(SslEngineImplHooks.UnwrapAdvice.class, "unwrap", javax.net.ssl.SSLEngineResult.class,
                                ByteBuffer.class, ByteBuffer[].class, int.class, int.class)))
                .type(named(SslSocketImplHooks.OUTPUT))
                .transform((b, type, loader, module, domain) -> b
                        .visit(advice(SslSocketImplHooks.WriteAdvice.class, "write", void.class,
                                byte[].class, int.class, int.class)))
                .type(named(SslSocketImplHooks.INPUT))
                .transform((b, type, loader, module, domain) -> b
                        .visit(advice(SslSocketImplHooks.ReadAdvice.class, "read", int.class,
                                byte[].class, int.class, int.class)))
                .type(named(SslSocketImplHooks.SOCKET))
                .transform((b, type, loader, module, domain) -> b
                        .visit(advice(SslSocketImplHooks.CloseAdvice.class, "close", void.class)))
                .installOn(inst);
        inst.removeTransformer(byteBuddy);
        inst.addTransformer(new HookedClassesOnly(byteBuddy, hooked), true);
        Tap.channelMarks(); // resolves the channels' mark now that sun.nio.ch is open to the tap
        if (failures.get() > 0) {
            System.err.println("wstap: " + failures.get() + " hook(s) could not be installed; see above");
        }
        return file.toAbsolutePath().toString();
    }

    /** Advice on the method {@code name(args)} returning {@code ret}, matched strictly. */
    private static AsmVisitorWrapper advice(Class<?> adviceClass, String name, Class<?> ret, Class<?>... args) {
        return Advice.to(adviceClass).on(isMethod().and(named(name)).and(returns(ret)).and(takesArguments(args)));
    }

    /**
     * Opens java.net to wstap so the tap can read a SocketImpl's protected addresses (asked once per WebSocket
     * connection, for the capture's "ip:port"), and sun.nio.ch so it can read and set a channel's mark
     * ({@link ChannelMarkField}).
     */
    private static void openJdkInternals(Instrumentation inst) throws ReflectiveOperationException {
        Module javaBase = Object.class.getModule();
        Set<Module> us = Set.of(Installer.class.getModule(), Tap.class.getModule());
        inst.redefineModule(javaBase, Set.of(), Map.of(), Map.of("java.net", us, "sun.nio.ch", us), Set.of(), Map.of());
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(SocketImpl.class, MethodHandles.lookup());
        MethodHandle address = lookup.findVirtual(SocketImpl.class, "getInetAddress", MethodType.methodType(InetAddress.class));
        MethodHandle port = lookup.findVirtual(SocketImpl.class, "getPort", MethodType.methodType(int.class));
        MethodHandle localPort = lookup.findVirtual(SocketImpl.class, "getLocalPort", MethodType.methodType(int.class));
        TapRuntime.setSocketImplAccess(address, port, localPort);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "?";
        }
    }

    /** One line per class that could not be transformed. */
    private static final class FailureListener extends AgentBuilder.Listener.Adapter {
        private final AtomicInteger failures;

        FailureListener(AtomicInteger failures) {
            this.failures = failures;
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
            failures.incrementAndGet();
            System.err.println("wstap: cannot hook " + typeName + ": " + t);
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            // silent: one line at start is all a user should see
        }
    }
}
