package io.wstap.capture;

import io.wstap.engine.EngineOptions;
import io.wstap.engine.Endpoint;
import io.wstap.engine.Protocol;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine tests' scripted connections ({@code io.wstap.engine.Scenarios.all()}), read through reflection: those
 * classes are package-private to io.wstap.engine and are not changed for this package's sake.
 */
final class ScenarioAccess {
    /** One step of a script: bytes from a role, a TCP end by a role, or the end of the capture. */
    record Step(long timeNanos, Role from, byte[] bytes, TcpEnd tcp, boolean end) {
    }

    /** A scenario, unpacked. */
    record Scenario(String name, EngineOptions options, Endpoint clientEndpoint, boolean joined, Role joinedAs,
                    Protocol joinedProtocol, List<Step> steps, Object script) {
        Endpoint endpointOf(Role r) {
            return r == Role.CLIENT ? clientEndpoint : clientEndpoint.other();
        }

        /** What the engine tests' own driver gives for it ({@code Script.run(options)}, connection id 7). */
        Reconstruction runOriginal() {
            try {
                Method run = script.getClass().getDeclaredMethod("run", EngineOptions.class);
                run.setAccessible(true);
                return (Reconstruction) run.invoke(script, options);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private ScenarioAccess() {
    }

    static List<Scenario> all() {
        try {
            Class<?> scenarios = Class.forName("io.wstap.engine.Scenarios");
            Method all = scenarios.getDeclaredMethod("all");
            all.setAccessible(true);
            List<Scenario> out = new ArrayList<>();
            for (Object s : (List<?>) all.invoke(null)) {
                String name = (String) call(s, "name");
                Object script = call(s, "script");
                EngineOptions options = (EngineOptions) call(s, "options");
                List<Step> steps = new ArrayList<>();
                for (Object st : (List<?>) field(script, "steps")) {
                    steps.add(new Step((Long) call(st, "timeNanos"), (Role) call(st, "from"), (byte[]) call(st, "bytes"),
                            (TcpEnd) call(st, "tcp"), (Boolean) call(st, "end")));
                }
                out.add(new Scenario(name, options, (Endpoint) field(script, "clientEndpoint"),
                        (Boolean) field(script, "joined"), (Role) field(script, "joinedAs"),
                        (Protocol) field(script, "joinedProtocol"), List.copyOf(steps), script));
            }
            return out;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("io.wstap.engine.Scenarios changed shape", e);
        }
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        Method m = target.getClass().getDeclaredMethod(method);
        m.setAccessible(true);
        return m.invoke(target);
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }
}
