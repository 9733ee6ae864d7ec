package io.wstap.analyzer.cli;

import io.wstap.analyzer.testing.Cli;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * watch and record refuse bad targets and options in one line naming them and what was expected, never a stack
 * trace. The live runs against a real target are samples' WatchIT, WatchHttpIT and RecordIT.
 */
class WatchRecordErrorsTest {
    private static void oneLine(Cli.Run run, int exit, String expected) {
        assertEquals(exit, run.exit(), run.toString());
        String err = run.err().strip();
        assertFalse(err.contains("\tat ") || err.contains("Exception in"), err);
        assertTrue(err.startsWith(expected), "expected '" + expected + "' in:\n" + err);
    }

    @Test
    void aTargetThatIsNoPidHostPortOrUrl() {
        Cli.Run run = Cli.run("watch", "--duration", "1s", "not-a-target");
        oneLine(run, ExitCodes.BAD_INPUT, "wstap: target 'not-a-target': expected a local PID (12345), HOST:PORT of a "
                + "JMX agent (127.0.0.1:9010) or a JMX service URL (service:jmx:rmi:///jndi/rmi://host:9010/jmxrmi)");
        assertFalse(run.err().strip().contains("\n"), run.err());
    }

    @Test
    void aPortWithNoJmxAgent() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        for (String cmd : new String[] {"watch", "record"}) {
            Cli.Run run = cmd.equals("watch") ? Cli.run("watch", "--duration", "1s", "127.0.0.1:" + port)
                    : Cli.run("record", "--duration", "1s", "-o", "target/x.jfr", "127.0.0.1:" + port);
            oneLine(run, ExitCodes.BAD_INPUT, "wstap: cannot connect to 127.0.0.1:" + port + " over JMX: ");
            assertTrue(run.err().contains("(expected a JVM started with -Dcom.sun.management.jmxremote.port)"),
                    run.err());
            assertFalse(run.err().strip().contains("\n"), run.err());
        }
    }

    @Test
    void aPidWithNoJvm() {
        Cli.Run run = Cli.run("watch", "--duration", "1s", "999999999");
        oneLine(run, ExitCodes.BAD_INPUT, "wstap: cannot attach to JVM 999999999: ");
        assertFalse(run.err().strip().contains("\n"), run.err());
    }

    @Test
    void attachNeedsALocalPid() {
        oneLine(Cli.run("watch", "--attach", "--agent", "pom.xml", "127.0.0.1:9"), ExitCodes.BAD_INPUT,
                "wstap: --attach needs a local PID, not '127.0.0.1:9'");
        oneLine(Cli.run("watch", "--attach", "--agent", "no/such.jar", "1"), ExitCodes.BAD_INPUT,
                "wstap: --agent no/such.jar: no such file (expected wstap-agent.jar)");
    }

    @Test
    void badDurationAndHttpAddress() {
        oneLine(Cli.run("watch", "--duration", "5x", "1"), ExitCodes.USAGE,
                "wstap: invalid value for --duration: '5x' (expected a positive number and a unit: 500ms, 30s, 5m or 1h)");
        oneLine(Cli.run("record", "--duration", "0s", "-o", "x.jfr", "1"), ExitCodes.USAGE,
                "wstap: invalid value for --duration: '0s'");
        oneLine(Cli.run("watch", "--http", "127.0.0.1:99999", "1"), ExitCodes.USAGE,
                "wstap: invalid value for --http: '127.0.0.1:99999' (expected ADDRESS:PORT such as 127.0.0.1:8080, "
                        + "or a port)");
        oneLine(Cli.run("record", "--duration", "1s", "1"), ExitCodes.USAGE,
                "wstap: Missing required option: '--output=FILE'");
        oneLine(Cli.run("record", "--duration", "1s", "-o", "x.jfr", "--format", "xml", "1"), ExitCodes.USAGE,
                "wstap: invalid value for --format: 'xml' (expected text, json or html)");
    }

    @Test
    void helpShowsExamples() {
        Cli.Run watch = Cli.run("watch", "--help");
        assertEquals(ExitCodes.OK, watch.exit());
        assertTrue(watch.out().contains("wstap watch --http 127.0.0.1:8090 127.0.0.1:9010"), watch.out());
        Cli.Run record = Cli.run("record", "--help");
        assertTrue(record.out().contains("wstap record --duration 30s -o app.jfr 12345"), record.out());
        assertTrue(Cli.run().out().contains("wstap watch 12345"), "the how-to names watch");
    }
}
