package org.xenpv.harness.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.harness.launcher.ConformanceResult;
import org.xenpv.harness.launcher.TestOutcome;
import org.xenpv.harness.samples.Observations;
import org.xenpv.harness.samples.Samples;
import org.xenpv.harness.samples.SeedSample;

/** The extension's seeds and kernels, observed through sample tests run by the real launcher. */
class XenpvExtensionTest {

    @TempDir
    Path tmp;

    private ConformanceResult runSeedSample(String seeds) {
        return Samples.run(Samples.request(tmp, SeedSample.class).withConfig(XenpvConfig.SEEDS, seeds));
    }

    private static List<String> names(ConformanceResult r, String method) {
        return r.outcomes().stream().filter(o -> o.methodName().equals(method)).map(TestOutcome::displayName).toList();
    }

    private static List<Long> seen(String method) {
        return Observations.seen().stream().filter(s -> s.method().equals(method)).map(Observations.Seen::seed)
                .toList();
    }

    @Test
    @DisplayName("@Seeds({3,1,4}) runs three invocations named [seed=N], in order, each on a kernel with its seed")
    void listedSeeds() {
        ConformanceResult r = runSeedSample("");
        assertThat(r.failed()).as(r.failures().toString()).isZero();
        assertThat(names(r, "listed")).containsExactly("[seed=3]", "[seed=1]", "[seed=4]");
        assertThat(seen("listed")).containsExactly(3L, 1L, 4L);
        assertThat(r.outcomes().stream().filter(o -> o.methodName().equals("listed")).map(o -> o.seed().orElseThrow()))
                .containsExactly(3L, 1L, 4L);
    }

    @Test
    @DisplayName("@Seeds(count=20) runs the 20 derived seeds; no @Seeds runs seed 1")
    void derivedAndDefaultSeeds() {
        runSeedSample("");
        assertThat(seen("derived")).isEqualTo(SeedSpec.derive(20, 0));
        assertThat(seen("defaultSeed")).containsExactly(1L);
    }

    @Test
    @DisplayName("xenpv.seeds overrides every @Seeds: a list, or a count")
    void globalOverride() {
        ConformanceResult r = runSeedSample("7,8");
        assertThat(names(r, "listed")).containsExactly("[seed=7]", "[seed=8]");
        assertThat(seen("derived")).containsExactly(7L, 8L);
        assertThat(seen("defaultSeed")).containsExactly(7L, 8L);
        runSeedSample("count:3");
        assertThat(seen("listed")).isEqualTo(SeedSpec.derive(3, 0));
    }

    @Test
    @DisplayName("Every invocation gets a fresh kernel (clock 0, empty log) that is closed after the test")
    void freshKernelPerInvocation() {
        runSeedSample("");
        List<Observations.Seen> all = Observations.seen();
        assertThat(all).hasSize(3 + 20 + 1 + 1);
        Set<Object> distinct = all.stream().map(s -> (Object) s.kernel())
                .collect(Collectors.toCollection(() -> java.util.Collections.newSetFromMap(
                        new java.util.IdentityHashMap<>())));
        assertThat(distinct).hasSize(all.size());
        for (Observations.Seen s : all) {
            assertThat(s.kernel().seed()).isEqualTo(s.seed());
            assertThat(s.kernelTimeAtStart()).isZero();
            assertThat(s.eventsAtStart()).isZero();
            assertThatThrownBy(() -> s.kernel().spawn("late", () -> { }))
                    .as("kernel of %s seed %d still open", s.method(), s.seed())
                    .hasMessageContaining("closed");
        }
    }

    @Test
    @DisplayName("@KernelOptions sets preemption, run limit, switch logging and log capacity; defaults otherwise")
    void kernelOptions() {
        runSeedSample("");
        Observations.Seen opt = Observations.seen().stream().filter(s -> s.method().equals("options")).findFirst()
                .orElseThrow();
        assertThat(opt.kernel().config().preemptionProbability()).isEqualTo(0.5);
        assertThat(opt.kernel().config().defaultRunLimit()).isEqualTo(Duration.ofSeconds(30));
        assertThat(opt.kernel().config().logActorSwitches()).isFalse();
        assertThat(opt.kernel().config().logCapacity()).isEqualTo(1000);
        Observations.Seen def = Observations.seen().stream().filter(s -> s.method().equals("defaultSeed"))
                .findFirst().orElseThrow();
        assertThat(def.kernel().config()).isEqualTo(org.xenpv.core.sim.KernelConfig.deterministic(1));
    }

    @Test
    @DisplayName("A malformed xenpv.seeds fails the test template naming the bad item")
    void malformedSeeds() {
        ConformanceResult r = runSeedSample("1,zz");
        assertThat(r.failures()).isNotEmpty().allSatisfy(f -> assertThat(f.message()).contains("'zz'"));
        assertThat(r.passed()).isZero();
    }
}
