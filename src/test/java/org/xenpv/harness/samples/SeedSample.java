package org.xenpv.harness.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvRun;
import org.xenpv.harness.junit.XenpvTest;

/** Seeds and kernels as the extension hands them out. */
@Sample
public class SeedSample {

    @XenpvTest
    @Seeds({3, 1, 4})
    void listed(XenpvRun run, Kernel kernel) {
        assertThat(run.kernel()).isSameAs(kernel);
        assertThat(run.testId()).isEqualTo(SeedSample.class.getName() + "#listed");
        Observations.saw("listed", run.seed(), kernel);
    }

    @XenpvTest
    @Seeds(count = 20)
    void derived(Kernel kernel) {
        Observations.saw("derived", kernel.seed(), kernel);
    }

    @XenpvTest
    void defaultSeed(Kernel kernel) {
        Observations.saw("defaultSeed", kernel.seed(), kernel);
    }

    @XenpvTest
    @Seeds({9})
    @KernelOptions(preemption = 0.5, runLimitSeconds = 30, logActorSwitches = false, logCapacity = 1000)
    void options(Kernel kernel) {
        Observations.saw("options", kernel.seed(), kernel);
    }
}
