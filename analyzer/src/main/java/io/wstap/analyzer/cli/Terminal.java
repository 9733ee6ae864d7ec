package io.wstap.analyzer.cli;

import java.io.Console;

/** Whether standard output is a terminal (then watch redraws in place with ANSI; else plain blocks). */
final class Terminal {
    private Terminal() {
    }

    static boolean isTerminal() {
        Console c = System.console();
        if (c == null) {
            return false; // JDK 17-21: no console unless stdin and stdout are both terminals
        }
        try {
            // JDK 22+: System.console() exists even when redirected; Console.isTerminal() tells
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
