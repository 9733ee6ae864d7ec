package io.wstap.agent.tap;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The application's stack on the rare events that need one (a Close frame written, close() of a WebSocket
 * connection), interned so that a stack seen again costs a map look-up and an int in the record.
 *
 * <p>Frames of the JDK and of wstap are left out, and the library frames between the library's write or close site
 * and the application are cut to one marker entry (see {@link #keep}). The table is bounded; past {@link #MAX_STACKS} new stacks are not recorded (-1).
 */
final class Stacks {
    static final int MAX_STACKS = 4096;
    /** How many frames of the library's own write or close site are kept before the cut. */
    static final int LIBRARY_TOP = 2;
    /** Starts the one stack entry that is not a frame: how many library frames were cut there. */
    public static final String CUT_MARK = "\u2026 ";
    /** Servers, clients and frameworks whose frames sit between a socket and the application's call. */
    private static final String[] LIBRARIES = {"org.eclipse.jetty.", "io.netty.", "okhttp3.", "okio.",
        "org.apache.tomcat.", "org.apache.coyote.", "org.apache.catalina.", "io.undertow.", "org.xnio.",
        "org.java_websocket.", "org.glassfish.tyrus.", "io.vertx.", "reactor.netty.", "reactor.core.",
        "org.springframework.web.socket.", "org.springframework.web.reactive.socket.", "io.micronaut.",
        "io.quarkus.", "jakarta.websocket.", "io.helidon.", "com.neovisionaries.ws.", "org.asynchttpclient."};

    private final int depth;
    private final Recorder recorder;
    private final ConcurrentHashMap<List<String>, Integer> ids = new ConcurrentHashMap<>();
    private final StackWalker walker = StackWalker.getInstance();

    Stacks(int depth, Recorder recorder) {
        this.depth = depth;
        this.recorder = recorder;
    }

    /** The current thread's stack id, declaring it in the capture the first time; -1 when none could be kept. */
    int current() {
        List<String> frames = walker.walk(this::keep);
        Integer id = ids.get(frames);
        if (id != null) {
            return id;
        }
        synchronized (this) {
            id = ids.get(frames);
            if (id != null) {
                return id;
            }
            if (ids.size() >= MAX_STACKS) {
                return -1;
            }
            int next = ids.size();
            if (!recorder.putStack(next, List.copyOf(frames))) {
                return -1; // the ring was full: try again next time
            }
            ids.put(frames, next);
            return next;
        }
    }

    /**
     * The frames worth showing: the JDK's and wstap's left out; then the library's write or close site (its top
     * {@link #LIBRARY_TOP} frames), a marker for the library frames between it and the application, and the
     * application's frames from there on. Jetty puts 15 to 25 frames between a socket write and the application's
     * {@code session.close(1002, ...)}: without the cut, a stack of {@code depth} frames never reaches the line that
     * sent the 1002. A stack with no application frame at all (a library's own timer) keeps its library frames.
     */
    private List<String> keep(Stream<StackWalker.StackFrame> stack) {
        List<String> kept = new ArrayList<>(depth + 1);
        List<String> library = new ArrayList<>(depth);
        int cut = 0;
        String cutPackage = null;
        boolean application = false;
        for (Iterator<StackWalker.StackFrame> it = stack.iterator(); it.hasNext() && kept.size() < depth; ) {
            StackWalker.StackFrame f = it.next();
            String c = f.getClassName();
            if (isInfrastructure(c)) {
                continue;
            }
            if (!application) {
                String lib = libraryOf(c);
                if (lib != null) {
                    if (kept.size() < LIBRARY_TOP) {
                        kept.add(f.toString());
                    } else {
                        cut++;
                        cutPackage = cutPackage == null ? lib : cutPackage;
                        if (library.size() < depth) {
                            library.add(f.toString());
                        }
                    }
                    continue;
                }
                application = true;
                if (cut > 0) {
                    kept.add(CUT_MARK + cut + " frames of " + cutPackage + " (library)");
                }
            }
            kept.add(f.toString());
        }
        if (!application) { // nothing above the library: show the library itself, as deep as allowed
            for (int i = 0; i < library.size() && kept.size() < depth; i++) {
                kept.add(library.get(i));
            }
        }
        return kept;
    }

    /** The WebSocket or HTTP library {@code className} belongs to (its package prefix), or null for application code. */
    static String libraryOf(String className) {
        for (String p : LIBRARIES) {
            if (className.startsWith(p)) {
                return p.substring(0, p.length() - 1);
            }
        }
        return null;
    }

    private static boolean isInfrastructure(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.") || className.startsWith("io.wstap.agent.tap.")
                || className.startsWith("io.wstap.engine.") || className.startsWith("io.wstap.wire.")
                || className.startsWith("io.wstap.capture.");
    }
}
