package io.wstap.engine;

import io.wstap.engine.Scenarios.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each scenario's real bytes raise exactly the expected rules and end in the expected outcome. */
class RulesTest {
    static List<Scenario> scenarios() {
        return Scenarios.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void raisesExactlyTheExpectedRules(Scenario s) {
        Reconstruction r = s.script().run(s.options());
        Set<String> raised = r.findings().stream().map(f -> f.rule().id()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(s.rules()), raised, () -> "findings: " + r.findings());
        assertEquals(s.outcome(), r.outcome());
    }

    @Test
    void everyRuleIsRaisedBySomeScenario() {
        EnumSet<Rule> covered = EnumSet.noneOf(Rule.class);
        for (Scenario s : Scenarios.all()) {
            s.script().run(s.options()).findings().forEach(f -> covered.add(f.rule()));
        }
        assertEquals(EnumSet.allOf(Rule.class), covered);
    }
}
