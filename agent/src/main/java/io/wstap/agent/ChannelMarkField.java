package io.wstap.agent;

import io.wstap.agent.tap.Tap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Adds wstap's mark, a {@code boolean} field (see {@link Tap#CHANNEL_MARK}), to {@code sun.nio.ch.SocketChannelImpl}
 * when the class is first loaded, so that a channel the tap has nothing to see on (not WebSocket, or the ciphertext
 * under a TLS connection whose plaintext the SSLEngine hooks see) carries that fact itself: its next reads and writes
 * cost one load of a field of the channel, not a look-up in the connection table (on a busy server a cache miss or
 * two per call). OpenTelemetry's instrumentation does the same for its virtual fields.
 *
 * <p>A field can only be added at a class's first load, not when it is retransformed, so this is registered first
 * thing at premain and not at all at late attach; the class is often loaded already then (always at late attach, and
 * before premain when another agent or the JVM's own start-up needed it): the tap then keeps using its table, which
 * stays the record of every connection either way. Registered as not retransformation-capable, so the JVM keeps the
 * class's bytes with the field as its starting point when Byte Buddy (or anyone) retransforms it later.
 */
final class ChannelMarkField implements ClassFileTransformer {
    private static final String CHANNEL = "sun/nio/ch/SocketChannelImpl";

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader != null || redefined != null || !CHANNEL.equals(className)) {
            return null;
        }
        try {
            ClassReader reader = new ClassReader(bytes);
            ClassWriter writer = new ClassWriter(reader, 0); // a field only: no frame or size to recompute
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public void visitEnd() {
                    visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_TRANSIENT | Opcodes.ACC_SYNTHETIC, Tap.CHANNEL_MARK,
                            "Z", null, null).visitEnd();
                    super.visitEnd();
                }
            }, 0);
            return writer.toByteArray();
        } catch (Throwable t) {
            return null; // the class as it was: the tap uses its table for this class
        }
    }
}
