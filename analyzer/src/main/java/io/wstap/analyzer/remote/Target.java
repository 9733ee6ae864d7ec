package io.wstap.analyzer.remote;

import javax.management.remote.JMXServiceURL;
import java.net.MalformedURLException;

/**
 * What {@code wstap watch} and {@code wstap record} are pointed at: a local JVM by its pid (reached through the Attach
 * API, which starts its local JMX agent), a JMX agent by {@code HOST:PORT} (the target runs with
 * {@code -Dcom.sun.management.jmxremote.port=PORT}), or a full JMX service URL.
 *
 * @param spec as the user wrote it
 * @param pid  the local pid, or -1
 * @param url  the JMX service URL, or null for a pid (known only once the local agent is started)
 */
public record Target(String spec, long pid, JMXServiceURL url) {
    /** Parses {@code spec}; the message of the exception says what was expected. */
    public static Target parse(String spec) throws TargetException {
        String s = spec.trim();
        if (s.matches("\\d{1,10}")) {
            return new Target(spec, Long.parseLong(s), null);
        }
        if (s.startsWith("service:jmx:")) {
            try {
                return new Target(spec, -1, new JMXServiceURL(s));
            } catch (MalformedURLException e) {
                throw new TargetException("target '" + spec + "': not a JMX service URL (" + e.getMessage() + ")");
            }
        }
        int colon = s.lastIndexOf(':');
        if (colon > 0 && s.substring(colon + 1).matches("\\d{1,5}")) {
            int port = Integer.parseInt(s.substring(colon + 1));
            String host = s.substring(0, colon);
            if (port > 0 && port < 65536 && !host.isEmpty()) {
                try {
                    return new Target(spec, -1, new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + host + ":" + port
                            + "/jmxrmi"));
                } catch (MalformedURLException e) {
                    throw new TargetException("target '" + spec + "': bad host (" + e.getMessage() + ")");
                }
            }
        }
        throw new TargetException("target '" + spec + "': expected a local PID (12345), HOST:PORT of a JMX agent "
                + "(127.0.0.1:9010) or a JMX service URL (service:jmx:rmi:///jndi/rmi://host:9010/jmxrmi)");
    }

    public boolean local() {
        return pid >= 0;
    }

    @Override
    public String toString() {
        return local() ? "JVM " + pid : spec;
    }
}
