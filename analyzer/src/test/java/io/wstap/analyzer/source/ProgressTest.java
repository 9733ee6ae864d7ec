package io.wstap.analyzer.source;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The progress line: drawn and cleared in place on a terminal, absent otherwise. */
class ProgressTest {
    @Test
    void quietWhenNotATerminalOrSmall() {
        StringWriter err = new StringWriter();
        assertSame(Progress.NONE, Progress.forInputs(new PrintWriter(err), 1024));
        Progress p = Progress.forInputs(new PrintWriter(err), Long.MAX_VALUE); // the test JVM has no terminal
        p.file(Path.of("app.wstap"), 1, 1);
        p.events(1 << 20);
        p.done();
        assertEquals("", err.toString());
    }

    @Test
    void drawsOneLineAndClearsIt() {
        StringWriter err = new StringWriter();
        Progress p = Progress.to(new PrintWriter(err));
        p.file(Path.of("/tmp/app.wstap"), 2, 3);
        p.done();
        String line = "wstap: reading app.wstap (2/3)";
        assertEquals("\r" + line + "\r" + " ".repeat(line.length()) + "\r", err.toString());
    }
}
