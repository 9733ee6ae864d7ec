package io.wstap.engine;

/**
 * Where the byte path takes event times from when its driver does not give one per call: the live agent, for which a
 * clock read (about 25 ns) costs more than scanning a small frame. Asked only when bytes complete an event, once per
 * call, so the middle of a payload costs no read.
 *
 * <p>Anything the engine judges by time (handshake heads, Close and other control frames, findings) is timed by
 * {@link #exactTime}; data frames by {@link #dataFrameTime}, which may return a slightly earlier reading so that a
 * busy connection does not pay a read per frame. Both must be monotonic per connection.
 */
public interface EventClock {
    /** Now, in monotonic nanos. */
    long exactTime();

    /** Now or a recent reading (the driver documents how recent), never before an earlier time it gave. */
    long dataFrameTime();
}
