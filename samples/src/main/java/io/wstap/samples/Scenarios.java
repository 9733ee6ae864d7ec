package io.wstap.samples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named list of scenarios and the main loop that runs them: one line per scenario, {@code scenario NAME: RESULT
 * (server port PORT)}, which the end-to-end tests parse to find each scenario's connection in the capture.
 */
public final class Scenarios {
    /** One scenario: runs a real exchange and says what the application saw. */
    @FunctionalInterface
    public interface Scenario {
        String run() throws Exception;
    }

    private final Map<String, Scenario> all = new LinkedHashMap<>();
    /** The server port of the scenario running now. */
    private int port;

    public void add(String name, Scenario scenario) {
        all.put(name, scenario);
    }

    /** Notes the port of the scenario's server (the tests find its sockets by it) and hands it back. */
    public int port(int serverPort) {
        port = serverPort;
        return serverPort;
    }

    public List<String> names() {
        return new ArrayList<>(all.keySet());
    }

    /** Runs the scenarios named in {@code args} (all of them when none), in order; exit code 2 for an unknown name. */
    public void main(String[] args) throws Exception {
        List<String> names = args.length == 0 ? names() : List.of(args);
        for (String name : names) {
            Scenario s = all.get(name);
            if (s == null) {
                System.err.println("unknown scenario " + name + "; known: " + String.join(", ", all.keySet()));
                System.exit(2);
            }
            String result = s.run();
            System.out.println("scenario " + name + ": " + result + " (server port " + port + ")");
        }
    }
}
