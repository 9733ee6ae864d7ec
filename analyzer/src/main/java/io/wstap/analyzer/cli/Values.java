package io.wstap.analyzer.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Option values shared by watch and record; a bad one is a usage error naming the option and what was expected. */
final class Values {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Values() {
    }

    /** "500ms", "30s", "5m", "1h". */
    static Duration duration(CommandLine cl, String option, String value) {
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new ParameterException(cl, "invalid value for " + option + ": '" + value
                    + "' (expected a positive number and a unit: 500ms, 30s, 5m or 1h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** "127.0.0.1:8080", "[::1]:8080", or a bare port (then 127.0.0.1): where the live page listens. 0 = any port. */
    static InetSocketAddress listenAddress(CommandLine cl, String option, String value) {
        String v = value.trim();
        String host = "127.0.0.1";
        String port = v;
        int colon = v.lastIndexOf(':');
        if (colon >= 0) {
            host = v.substring(0, colon);
            port = v.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535 || host.isEmpty()) {
            throw new ParameterException(cl, "invalid value for " + option + ": '" + value
                    + "' (expected ADDRESS:PORT such as 127.0.0.1:8080, or a port)");
        }
        InetSocketAddress a = new InetSocketAddress(host, Integer.parseInt(port));
        if (a.isUnresolved()) {
            throw new ParameterException(cl, "invalid value for " + option + ": '" + value + "' (unknown host '"
                    + host + "')");
        }
        return a;
    }
}
