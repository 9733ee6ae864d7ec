package io.wstap.agent.tap;

import io.wstap.capture.StackCut;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The application's stack on the rare events that need one (a Close frame written, close() of a WebSocket
 * connection), interned so that a stack seen again costs a map look-up and an int in the record.
 *
 * <p>Frames of the JDK and of wstap are left out, and the library frames between the library's write or close site
 * and the application are cut to one marker entry ({@link StackCut}, shared with the JFR reader). The table is bounded;
 * past {@link #MAX_STACKS} new stacks are not recorded (-1).
 */
final class Stacks {
    static final int MAX_STACKS = 4096;

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
        List<String> frames = walker.walk(s -> StackCut.keep(s.iterator(), StackWalker.StackFrame::getClassName,
                StackWalker.StackFrame::toString, depth));
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

}
