package io.wstap.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agent's options: {@code -javaagent:wstap-agent.jar=key=value,key=value} or {@code WSTAP_<KEY>} environment
 * variables (the agent argument wins). Unknown or malformed options are an {@link IllegalArgumentException} with one
 * clear line, and the agent stays off rather than guessing.
 *
 * @param file      capture file; null = {@code wstap-<pid>-<yyyyMMdd-HHmmss>.wstap} in the working directory
 * @param maxSize   rotate the capture file past this many bytes (0 = never)
 * @param ports     only connections with one of these local or remote ports (empty = all)
 * @param hosts     only connections whose remote address is one of these (empty = all)
 * @param stacks    record the application's stack on Close frames written and on close() of WebSocket connections
 * @param jfr       publish JFR events (when a recording wants them)
 * @param ringSlots capacity of the bounded record ring, in 64-byte units (full ring: records are dropped and counted)
 * @param stackDepth most stack frames kept per stack
 * @param quiet     print nothing at start (errors are still printed)
 * @param faults    test-only: make the tap throw inside every hook ({@code all}, from {@code true}), or only in the hooks
 *                  of one kind of object ({@code channel}, {@code socket}, {@code sslengine}, {@code sslsocket}), to
 *                  prove the host is unharmed and the other connections still tapped; {@code none} (from {@code false})
 * @param copyTap   benchmark-only: instead of scanning, copy every byte the socket hooks see into a 16 MiB ring (what
 *                  a packet tool does); the capture then holds no frames. The "copying tap" arm of docs/benchmarks.md
 * @param reasons   what the capture keeps of Close reasons: {@code keep}, {@code hash} (a short SHA-256 digest, so equal
 *                  reasons still match) or {@code drop} (the code only)
 * @param exactTimes read the clock for every data frame; off, a connection's data frames reuse its last reading for up
 *                  to 15 more calls within one writer period (Close and other control frames, handshakes and TCP ends
 *                  are always read exactly). See docs/agent.md, "Times"
 * @param benchToggle benchmark-only: milliseconds; the tap is switched off and on in turn, in windows of this length
 *                  aligned on the monotonic clock (off in even ones), so that one JVM measures its own throughput with
 *                  and without capture (the {@code agent-toggled} arm of docs/benchmarks.md); 0 (default): always on
 */
public record AgentOptions(Path file, long maxSize, Set<Integer> ports, Set<String> hosts, boolean stacks, boolean jfr,
                           int ringSlots, int stackDepth, boolean quiet, String faults, String reasons,
                           boolean copyTap, boolean exactTimes, long benchToggle) {

    /** Every option, with its default, as the user writes it. */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("file", "");
        d.put("maxSize", "0");
        d.put("ports", "");
        d.put("hosts", "");
        d.put("stacks", "true");
        d.put("jfr", "true");
        d.put("ring", "65536");
        d.put("stackDepth", "12");
        d.put("quiet", "false");
        d.put("faults", "false");
        d.put("reasons", "keep");
        d.put("copyTap", "false");
        d.put("exactTimes", "false");
        d.put("benchToggle", "0");
        return Collections.unmodifiableMap(d);
    }

    /** Parses the agent argument, falling back to {@code WSTAP_<KEY>} variables of {@code env}. */
    public static AgentOptions parse(String agentArgs, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        for (String key : DEFAULTS.keySet()) {
            String v = env.get("WSTAP_" + key.toUpperCase(Locale.ROOT));
            if (v != null) {
                values.put(key, v.trim());
            }
        }
        if (agentArgs != null && !agentArgs.isBlank()) {
            for (String pair : agentArgs.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("option '" + pair.trim() + "' is not key=value (known keys: "
                            + String.join(", ", DEFAULTS.keySet()) + ")");
                }
                String key = canonicalKey(pair.substring(0, eq).trim());
                values.put(key, pair.substring(eq + 1).trim());
            }
        }
        String file = values.get("file");
        return new AgentOptions(
                file.isEmpty() ? null : Path.of(file),
                size("maxSize", values.get("maxSize")),
                ports(values.get("ports")),
                hosts(values.get("hosts")),
                bool("stacks", values.get("stacks")),
                bool("jfr", values.get("jfr")),
                (int) range("ring", values.get("ring"), 64, 1 << 24),
                (int) range("stackDepth", values.get("stackDepth"), 1, 256),
                bool("quiet", values.get("quiet")),
                faults(values.get("faults")),
                oneOf("reasons", values.get("reasons"), "keep", "hash", "drop"),
                bool("copyTap", values.get("copyTap")),
                bool("exactTimes", values.get("exactTimes")),
                range("benchToggle", values.get("benchToggle"), 0, 60_000));
    }

    private static String canonicalKey(String key) {
        for (String k : DEFAULTS.keySet()) {
            if (k.equalsIgnoreCase(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown option '" + key + "' (known: " + String.join(", ", DEFAULTS.keySet()) + ")");
    }

    private static String oneOf(String key, String v, String... allowed) {
        for (String a : allowed) {
            if (a.equalsIgnoreCase(v)) {
                return a;
            }
        }
        throw new IllegalArgumentException("option " + key + "=" + v + ": expected one of " + String.join(", ", allowed));
    }

    /** {@code true}/{@code false} (and their synonyms) as {@code all}/{@code none}, or one kind of hooked object. */
    private static String faults(String v) {
        try {
            return bool("faults", v) ? "all" : "none";
        } catch (IllegalArgumentException notBoolean) {
            try {
                return oneOf("faults", v, "channel", "socket", "sslengine", "sslsocket");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("option faults=" + v
                        + ": expected true, false, channel, socket, sslengine or sslsocket");
            }
        }
    }

    private static boolean bool(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0" -> false;
            default -> throw new IllegalArgumentException("option " + key + "=" + v + ": expected true or false");
        };
    }

    /** A byte size: 1048576, 64k, 100m, 2g. */
    static long size(String key, String v) {
        String s = v.toLowerCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("k") || s.endsWith("kb")) {
            unit = 1L << 10;
        } else if (s.endsWith("m") || s.endsWith("mb")) {
            unit = 1L << 20;
        } else if (s.endsWith("g") || s.endsWith("gb")) {
            unit = 1L << 30;
        }
        String digits = s.replaceAll("[kmg]b?$", "");
        try {
            long n = Long.parseLong(digits);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("option " + key + "=" + v + ": expected a size such as 0, 1048576, 64k, 100m or 2g");
        }
    }

    private static long range(String key, String v, long min, long max) {
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("option " + key + "=" + v + ": expected a whole number from " + min + " to " + max);
    }

    private static Set<Integer> ports(String v) {
        Set<Integer> ports = new TreeSet<>();
        if (v.isEmpty()) {
            return ports;
        }
        for (String p : v.split("[;+ ]")) {
            if (p.isEmpty()) {
                continue;
            }
            try {
                int port = Integer.parseInt(p);
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
                ports.add(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option ports=" + v + ": '" + p
                        + "' is not a port (1-65535); separate ports with ';' as in ports=8080;8443");
            }
        }
        return Collections.unmodifiableSet(ports);
    }

    private static Set<String> hosts(String v) {
        List<String> hosts = new ArrayList<>();
        for (String h : v.split("[;+ ]")) {
            if (!h.isEmpty()) {
                hosts.add(h);
            }
        }
        return Set.copyOf(hosts);
    }
}
