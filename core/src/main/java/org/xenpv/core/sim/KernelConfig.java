package org.xenpv.core.sim;

import java.time.Duration;

/**
 * How a {@link Kernel} runs.
 *
 * @param mode                  deterministic (one actor at a time, virtual clock) or concurrent
 * @param seed                  PRNG seed for scheduling and preemption choices
 * @param preemptionProbability chance that {@link Kernel#preemptionPoint()} yields (deterministic mode)
 * @param logCapacity           entries the event log keeps in memory
 * @param defaultRunLimit       kernel-time limit of {@link Kernel#runUntil(java.util.function.BooleanSupplier)}
 * @param logActorSwitches      whether every actor switch is logged
 */
public record KernelConfig(Kernel.Mode mode, long seed, double preemptionProbability, int logCapacity,
                           Duration defaultRunLimit, boolean logActorSwitches) {

    public KernelConfig {
        if (preemptionProbability < 0 || preemptionProbability > 1) {
            throw new IllegalArgumentException("preemption probability must be in [0,1]: " + preemptionProbability);
        }
        if (logCapacity < 1) {
            throw new IllegalArgumentException("log capacity must be positive: " + logCapacity);
        }
    }

    public static KernelConfig deterministic(long seed) {
        return new KernelConfig(Kernel.Mode.DETERMINISTIC, seed, 0.0, Integer.MAX_VALUE, Duration.ofSeconds(600), true);
    }

    public static KernelConfig concurrent() {
        return new KernelConfig(Kernel.Mode.CONCURRENT, 0, 0.0, 100_000, Duration.ofSeconds(60), false);
    }

    public KernelConfig withPreemption(double p) {
        return new KernelConfig(mode, seed, p, logCapacity, defaultRunLimit, logActorSwitches);
    }

    public KernelConfig withLogCapacity(int capacity) {
        return new KernelConfig(mode, seed, preemptionProbability, capacity, defaultRunLimit, logActorSwitches);
    }

    public KernelConfig withDefaultRunLimit(Duration limit) {
        return new KernelConfig(mode, seed, preemptionProbability, logCapacity, limit, logActorSwitches);
    }

    public KernelConfig withActorSwitchLogging(boolean on) {
        return new KernelConfig(mode, seed, preemptionProbability, logCapacity, defaultRunLimit, on);
    }
}
