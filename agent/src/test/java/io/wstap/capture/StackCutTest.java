package io.wstap.capture;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The frames a capture keeps of a stack: top first, as the agent's StackWalker and the JFR reader hand them over. */
class StackCutTest {
    private static List<String> keep(int depth, String... classes) {
        return StackCut.keep(List.of(classes).iterator(), Function.identity(), c -> c + ".m()", depth);
    }

    private static String[] jetty(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add("org.eclipse.jetty.io.F" + i);
        }
        return l.toArray(String[]::new);
    }

    @Test
    void libraryFramesBetweenTheWriteSiteAndTheApplicationBecomeOneEntry() {
        List<String> stack = new ArrayList<>(List.of("sun.nio.ch.SocketChannelImpl", "io.wstap.agent.tap.Tap"));
        stack.addAll(List.of(jetty(20)));
        stack.addAll(List.of("com.example.Chat", "com.example.Main", "java.lang.Thread"));
        assertEquals(List.of("org.eclipse.jetty.io.F0.m()", "org.eclipse.jetty.io.F1.m()",
                        "\u2026 18 frames of org.eclipse.jetty (library)", "com.example.Chat.m()", "com.example.Main.m()"),
                keep(12, stack.toArray(String[]::new)));
    }

    @Test
    void applicationCodeAloneIsKeptAsItIsUpToTheDepth() {
        assertEquals(List.of("com.example.A.m()", "com.example.B.m()"), keep(2, "java.net.Socket", "com.example.A",
                "com.example.B", "com.example.C"));
    }

    @Test
    void aStackWithNoApplicationFrameKeepsItsLibraryFrames() {
        assertEquals(List.of("org.eclipse.jetty.io.F0.m()", "org.eclipse.jetty.io.F1.m()", "org.eclipse.jetty.io.F2.m()",
                "org.eclipse.jetty.io.F3.m()"), keep(4, jetty(30)));
    }

    @Test
    void nonJavaFramesAreSkipped() {
        assertEquals(List.of("com.example.A.m()"), StackCut.keep(java.util.Arrays.asList(null, "com.example.A").iterator(),
                Function.identity(), c -> c + ".m()", 5));
    }
}
