package io.wstap.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.Set;

/**
 * Byte Buddy's transformer, shown only the JDK classes wstap hooks. Registered as it is, Byte Buddy's transformer
 * would describe every class the application loads for the rest of its life (no ignore matcher: the targets are
 * bootstrap classes), parsing each class file to match it by name: thousands of classes during a server's start, and
 * the compiler's time to make that code fast, on the cores the application is warming up on. The hooked classes are
 * loaded and transformed at install; this filter stays registered (one set look-up per class load) so that a later
 * retransformation by another agent, which starts again from the original bytes, still gets wstap's advice back.
 */
final class HookedClassesOnly implements ClassFileTransformer {
    private final ClassFileTransformer byteBuddy;
    /** Internal names ({@code sun/nio/ch/SocketChannelImpl}), as the JVM passes them. */
    private final Set<String> internalNames;

    HookedClassesOnly(ClassFileTransformer byteBuddy, Set<String> binaryNames) {
        this.byteBuddy = byteBuddy;
        this.internalNames = Set.copyOf(binaryNames.stream().map(n -> n.replace('.', '/')).toList());
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] classfile) throws IllegalClassFormatException {
        if (className == null || !internalNames.contains(className)) {
            return null;
        }
        return byteBuddy.transform(module, loader, className, redefined, domain, classfile);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] classfile) throws IllegalClassFormatException {
        if (className == null || !internalNames.contains(className)) {
            return null;
        }
        return byteBuddy.transform(loader, className, redefined, domain, classfile);
    }
}
