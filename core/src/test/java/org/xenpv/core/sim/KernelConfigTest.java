package org.xenpv.core.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.xenpv.core.sim.KernelConfig.ActorThreads;

class KernelConfigTest {

    @Test
    @DisplayName("A concurrent kernel runs actors on platform threads unless told otherwise; a deterministic one on"
            + " virtual threads only")
    void actorThreadsDefaultsAndLimits() {
        assertThat(KernelConfig.concurrent().actorThreads()).isEqualTo(ActorThreads.PLATFORM);
        assertThat(KernelConfig.deterministic(1).actorThreads()).isEqualTo(ActorThreads.VIRTUAL);
        assertThat(KernelConfig.concurrent().withActorThreads(ActorThreads.VIRTUAL).actorThreads())
                .isEqualTo(ActorThreads.VIRTUAL);
        assertThatThrownBy(() -> KernelConfig.deterministic(1).withActorThreads(ActorThreads.PLATFORM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deterministic kernel runs its actors on virtual threads");
    }

    @Test
    @DisplayName("withSeed changes the seed and keeps every other setting")
    void withSeedKeepsTheRest() {
        KernelConfig c = KernelConfig.deterministic(1).withPreemption(0.25).withLogCapacity(7);
        KernelConfig d = c.withSeed(99);
        assertThat(d.seed()).isEqualTo(99);
        assertThat(d).isEqualTo(new KernelConfig(c.mode(), 99, 0.25, 7, c.defaultRunLimit(), c.logActorSwitches(),
                c.actorThreads()));
    }
}
