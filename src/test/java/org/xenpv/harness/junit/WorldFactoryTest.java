package org.xenpv.harness.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.harness.launcher.ConformanceResult;
import org.xenpv.harness.launcher.TestOutcome;
import org.xenpv.harness.samples.Observations;
import org.xenpv.harness.samples.Samples;
import org.xenpv.harness.samples.WorldFactorySample;

/** How world factories are found, and what a misconfigured world reports. */
class WorldFactoryTest {

    @TempDir
    Path tmp;

    private ConformanceResult result;

    @BeforeEach
    void run() {
        result = Samples.run(Samples.request(tmp, WorldFactorySample.class));
    }

    private TestOutcome outcome(String method) {
        return result.outcomes().stream().filter(o -> o.methodName().equals(method)).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("A factory registered in META-INF/services serves every @XenpvTest, built per invocation")
    void serviceFactory() {
        assertThat(result.outcomes().stream().filter(o -> o.methodName().equals("fromService"))
                .map(TestOutcome::status)).containsExactly(TestOutcome.Status.PASSED, TestOutcome.Status.PASSED);
        assertThat(Observations.events()).containsExactly("service world for seed 4", "service world for seed 5");
    }

    @Test
    @DisplayName("A factory named with @UseWorld wins over a registered one for the same type")
    void annotationWins() {
        assertThat(outcome("annotationWins").status()).as(outcome("annotationWins").message())
                .isEqualTo(TestOutcome.Status.PASSED);
    }

    @Test
    @DisplayName("Asking for a type no factory builds fails naming the type and how to register one")
    void noFactory() {
        assertThat(outcome("noFactory").message()).contains("no WorldFactory builds java.lang.StringBuilder")
                .contains("@UseWorld or META-INF/services/org.xenpv.harness.junit.WorldFactory");
    }

    @Test
    @DisplayName("Factories that need each other fail with the cycle named")
    void cycle() {
        assertThat(outcome("cycle").status()).isEqualTo(TestOutcome.Status.FAILED);
        assertThat(outcome("cycle").message()).contains("world factories form a cycle: Chicken -> Egg -> Chicken");
    }
}
