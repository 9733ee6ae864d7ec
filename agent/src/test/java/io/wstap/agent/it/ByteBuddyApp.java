package io.wstap.agent.it;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.implementation.FixedValue;

import static net.bytebuddy.matcher.ElementMatchers.named;

/** An application with its own (unrelocated) Byte Buddy: it must work unchanged beside the agent's copy. */
public final class ByteBuddyApp {
    public static void main(String[] args) throws Exception {
        Class<?> made = new ByteBuddy().subclass(Object.class).method(named("toString"))
                .intercept(FixedValue.value("made by the app's Byte Buddy " + ByteBuddy.class.getPackage().getName()))
                .make().load(ByteBuddyApp.class.getClassLoader()).getLoaded();
        System.out.println(made.getDeclaredConstructor().newInstance());
        EchoApp.main(args);
    }
}
