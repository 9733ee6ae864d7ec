package io.wstap.capture;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * Which frames of a stack a capture keeps, one rule for the live agent (StackWalker frames) and for the JFR reader
 * (recorded frames): the JDK's and wstap's frames left out; of a known library's frames the top {@link #LIBRARY_TOP}
 * (its write or close site), then one {@link #MARK} entry for those cut between it and the application, then the
 * application's frames, {@code depth} entries in all. Jetty puts 15 to 25 frames between a socket write and the
 * application's {@code session.close(1002, ...)}: without the cut a 12-frame stack never reaches the line that sent
 * the 1002. A stack with no application frame (a library's own timer thread) keeps its library frames.
 */
public final class StackCut {
    /** Starts the one entry that is not a frame: "… 17 frames of org.eclipse.jetty (library)". */
    public static final String MARK = "\u2026 ";
    /** Frames of the library's own write or close site kept before the cut. */
    public static final int LIBRARY_TOP = 2;

    private static final String[] INFRASTRUCTURE = {"java.", "javax.", "jdk.", "sun.", "com.sun.", "io.wstap.agent.tap.",
        "io.wstap.engine.", "io.wstap.wire.", "io.wstap.capture.", "io.wstap.jfr."};
    /** Servers, clients and frameworks whose frames sit between a socket and the application's call. */
    private static final String[] LIBRARIES = {"org.eclipse.jetty.", "io.netty.", "okhttp3.", "okio.",
        "org.apache.tomcat.", "org.apache.coyote.", "org.apache.catalina.", "io.undertow.", "org.xnio.",
        "org.java_websocket.", "org.glassfish.tyrus.", "io.vertx.", "reactor.netty.", "reactor.core.",
        "org.springframework.web.socket.", "org.springframework.web.reactive.socket.", "io.micronaut.",
        "io.quarkus.", "jakarta.websocket.", "io.helidon.", "com.neovisionaries.ws.", "org.asynchttpclient."};

    private StackCut() {
    }

    /** The JDK's and wstap's own frames: never shown. */
    public static boolean isInfrastructure(String className) {
        return startsWithAny(className, INFRASTRUCTURE) != null;
    }

    /** The library {@code className} belongs to (its package prefix, no trailing dot), or null for application code. */
    public static String libraryOf(String className) {
        String p = startsWithAny(className, LIBRARIES);
        return p == null ? null : p.substring(0, p.length() - 1);
    }

    /**
     * The kept entries of a stack, top first. {@code className} null for a frame means "not a Java frame": skipped.
     */
    public static <F> List<String> keep(Iterator<F> frames, Function<F, String> className, Function<F, String> text,
                                        int depth) {
        List<String> kept = new ArrayList<>(depth + 1);
        List<String> library = new ArrayList<>(depth);
        int cut = 0;
        String cutLibrary = null;
        boolean application = false;
        while (frames.hasNext() && kept.size() < depth) {
            F f = frames.next();
            String c = className.apply(f);
            if (c == null || isInfrastructure(c)) {
                continue;
            }
            if (!application) {
                String lib = libraryOf(c);
                if (lib != null) {
                    if (kept.size() < LIBRARY_TOP) {
                        kept.add(text.apply(f));
                    } else {
                        cut++;
                        cutLibrary = cutLibrary == null ? lib : cutLibrary;
                        if (library.size() < depth) {
                            library.add(text.apply(f));
                        }
                    }
                    continue;
                }
                application = true;
                if (cut > 0) {
                    kept.add(MARK + cut + " frames of " + cutLibrary + " (library)");
                }
            }
            kept.add(text.apply(f));
        }
        for (int i = 0; !application && i < library.size() && kept.size() < depth; i++) {
            kept.add(library.get(i)); // nothing above the library: show the library itself, as deep as allowed
        }
        return kept;
    }

    private static String startsWithAny(String s, String[] prefixes) {
        for (String p : prefixes) {
            if (s.startsWith(p)) {
                return p;
            }
        }
        return null;
    }
}
