package io.wstap.engine;

import io.wstap.engine.Scenarios.Scenario;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same bytes give the same frames, findings and reconstruction however they are cut into calls, and the event path
 * (a capture replayed) gives what the byte path gave.
 */
class SplitInvarianceTest {
    static List<Scenario> scenarios() {
        return Scenarios.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void randomSplitsGiveTheWholeStreamsReconstruction(Scenario s) {
        Reconstruction whole = s.script().run(s.options());
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(seed * 31L + s.name().hashCode());
            Reconstruction split = s.script().run(s.options(), random, ConnectionObserver.NONE);
            int finalSeed = seed;
            assertEquals(whole, split, () -> "seed " + finalSeed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void replayedEventsGiveTheByteStreamsReconstruction(Scenario s) {
        Reconstruction[] both = s.script().runBothPaths(s.options());
        assertEquals(both[0], both[1]);
    }
}
