package io.wstap.agent;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's options as users write them (a contract: docs/agent.md): defaults, {@code WSTAP_<KEY>} variables under
 * the agent argument, the value forms, and the one line each mistake gets. The forked-JVM ITs show that a bad option
 * turns the agent off; this shows every rule of the parse.
 */
class AgentOptionsTest {
    private static final Map<String, String> NO_ENV = Map.of();

    @Test
    void withNothingGivenEveryOptionHasItsDocumentedDefault() {
        AgentOptions o = AgentOptions.parse(null, NO_ENV);
        assertEquals(new AgentOptions(null, 0, Set.of(), Set.of(), true, true, 65536, 12, false, "none", "keep", false, false, 0), o);
        assertEquals(o, AgentOptions.parse("", NO_ENV));
        assertEquals(o, AgentOptions.parse(" , ,", NO_ENV), "empty pairs are ignored");
    }

    @Test
    void theAgentArgumentWinsOverEnvironmentVariablesWhichWinOverDefaults() {
        Map<String, String> env = Map.of("WSTAP_FILE", "/var/tmp/env.wstap", "WSTAP_STACKS", "off",
                "WSTAP_MAXSIZE", " 10m ", "WSTAP_UNRELATED", "ignored");
        AgentOptions fromEnv = AgentOptions.parse(null, env);
        assertEquals(Path.of("/var/tmp/env.wstap"), fromEnv.file());
        assertFalse(fromEnv.stacks());
        assertEquals(10L << 20, fromEnv.maxSize());

        AgentOptions both = AgentOptions.parse("file=/tmp/arg.wstap,stacks=yes", env);
        assertEquals(Path.of("/tmp/arg.wstap"), both.file());
        assertTrue(both.stacks());
        assertEquals(10L << 20, both.maxSize(), "what the argument does not name still comes from the environment");
    }

    @Test
    void keysAreCaseInsensitiveAndValuesTrimmed() {
        AgentOptions o = AgentOptions.parse(" MAXSIZE = 64k , Ring=128,STACKDEPTH=3, reasons=HASH ,copytap=1,exacttimes=on"
                + ",BENCHTOGGLE=500", NO_ENV);
        assertEquals(64 << 10, o.maxSize());
        assertEquals(128, o.ringSlots());
        assertEquals(3, o.stackDepth());
        assertEquals("hash", o.reasons());
        assertTrue(o.copyTap());
        assertTrue(o.exactTimes());
        assertEquals(500, o.benchToggle());
    }

    @Test
    void sizesPortsAndHostsTakeTheirDocumentedForms() {
        assertEquals(1048576, AgentOptions.size("maxSize", "1048576"));
        assertEquals(64L << 10, AgentOptions.size("maxSize", "64KB"));
        assertEquals(100L << 20, AgentOptions.size("maxSize", "100m"));
        assertEquals(2L << 30, AgentOptions.size("maxSize", "2g"));
        assertEquals("all", AgentOptions.parse("faults=true", NO_ENV).faults());
        assertEquals("none", AgentOptions.parse("", NO_ENV).faults());
        assertEquals("sslengine", AgentOptions.parse("faults=SSLEngine", NO_ENV).faults());
        AgentOptions o = AgentOptions.parse("ports=8080;8443 443+80,hosts=10.0.0.1;db.example", NO_ENV);
        assertEquals(Set.of(80, 443, 8080, 8443), o.ports());
        assertEquals(Set.of("10.0.0.1", "db.example"), o.hosts());
    }

    @Test
    void everyMistakeIsOneLineNamingTheOptionAndWhatWasExpected() {
        String known = "file, maxSize, ports, hosts, stacks, jfr, ring, stackDepth, quiet, faults, reasons, copyTap, exactTimes, benchToggle";
        assertRefused("verbose=true", "unknown option 'verbose' (known: " + known + ")");
        assertRefused("file", "option 'file' is not key=value (known keys: " + known + ")");
        assertRefused("=x", "option '=x' is not key=value (known keys: " + known + ")");
        assertRefused("stacks=maybe", "option stacks=maybe: expected true or false");
        assertRefused("maxSize=-1", "option maxSize=-1: expected a size such as 0, 1048576, 64k, 100m or 2g");
        assertRefused("maxSize=10t", "option maxSize=10t: expected a size such as 0, 1048576, 64k, 100m or 2g");
        assertRefused("maxSize=9999999999g", "option maxSize=9999999999g: expected a size such as 0, 1048576, 64k,"
                + " 100m or 2g");
        assertRefused("ring=63", "option ring=63: expected a whole number from 64 to 16777216");
        assertRefused("stackDepth=0", "option stackDepth=0: expected a whole number from 1 to 256");
        assertRefused("benchToggle=-1", "option benchToggle=-1: expected a whole number from 0 to 60000");
        assertRefused("reasons=mask", "option reasons=mask: expected one of keep, hash, drop");
        assertRefused("faults=sometimes", "option faults=sometimes: expected true, false, channel, socket, sslengine or"
                + " sslsocket");
        assertRefused("ports=8080,9090", "option '9090' is not key=value (known keys: " + known + ")");
        assertRefused("ports=70000", "option ports=70000: '70000' is not a port (1-65535); separate ports with ';' as"
                + " in ports=8080;8443");
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
                () -> AgentOptions.parse(null, Map.of("WSTAP_JFR", "nope")));
        assertEquals("option jfr=nope: expected true or false", env.getMessage(), "a bad variable is named the same way");
    }

    @Test
    void aFileNamedNowhereIsLeftToTheAgentsDefaultName() {
        assertNull(AgentOptions.parse("file=", NO_ENV).file());
    }

    private static void assertRefused(String args, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse(args, NO_ENV),
                args);
        assertEquals(message, e.getMessage());
        assertFalse(message.contains("\n"));
    }
}
