package io.wstap.agent.it;

import net.bytebuddy.agent.ByteBuddyAgent;

import java.lang.instrument.Instrumentation;

/**
 * An application that, like another agent might, retransforms the JDK classes wstap hooks after wstap installed its
 * hooks, then talks WebSocket ({@link EchoApp}). A retransformation starts again from the classes' original bytes and
 * runs every registered transformer: wstap's must still add its advice for these classes (it sees no others).
 */
public final class RetransformApp {
    public static void main(String[] args) throws Exception {
        Instrumentation inst = ByteBuddyAgent.install(); // the application's own self-attach
        int retransformed = 0;
        for (String name : new String[] {"sun.nio.ch.SocketChannelImpl", "sun.nio.ch.NioSocketImpl",
                "sun.security.ssl.SSLEngineImpl"}) {
            inst.retransformClasses(Class.forName(name, false, null));
            retransformed++;
        }
        System.out.println("retransformed " + retransformed);
        EchoApp.main(args);
    }
}
