package org.xenpv.harness.samples;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;

/** A racy scenario whose log depends on the seed, failing on purpose after it ran. */
@Sample
public class FailingSample {

    @XenpvTest
    @Seeds(count = 3)
    @KernelOptions(preemption = 0.5)
    @Checks(id = "SAMPLE-9", ref = "nowhere §0")
    void racy(Kernel kernel) {
        int[] counter = {0};
        WaitQueue q = kernel.waitQueue("counter");
        for (int i = 0; i < 3; i++) {
            String name = "d" + i + "/worker";
            kernel.spawn(name, () -> {
                for (int j = 0; j < 4; j++) {
                    int seen = counter[0];
                    kernel.preemptionPoint();
                    counter[0] = seen + 1;
                    kernel.log().note(name, "counter=" + counter[0]);
                    q.wakeAll();
                }
            });
        }
        kernel.spawn("d0/waiter", () -> q.await(() -> counter[0] >= 12, Duration.ofSeconds(3)));
        kernel.runUntilIdle(Duration.ofMinutes(1));
        fail("deliberate failure: counter ended at " + counter[0] + " after " + kernel.log().count() + " events");
    }
}
