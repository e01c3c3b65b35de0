package org.xenpv.core.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Kernel} runs.
 *
 * @param mode                  deterministic (one actor at a time, virtual clock) or concurrent
 * @param seed                  PRNG seed for scheduling and preemption choices
 * @param preemptionProbability chance that {@link Kernel#preemptionPoint()} yields (deterministic mode)
 * @param logCapacity           entries the event log keeps in memory
 * @param defaultRunLimit       kernel-time limit of {@link Kernel#runUntil(java.util.function.BooleanSupplier)}
 * @param logActorSwitches      whether every actor switch is logged
 * @param actorThreads          what runs a concurrent kernel's actors (a deterministic kernel always runs each actor
 *                              on a virtual thread and lets exactly one of them go at a time)
 */
public record KernelConfig(Kernel.Mode mode, long seed, double preemptionProbability, int logCapacity,
                           Duration defaultRunLimit, boolean logActorSwitches, ActorThreads actorThreads) {

    /**
     * What a concurrent kernel runs its actors on. Either way the actors run in parallel on the machine's CPUs and
     * block only through kernel primitives; what differs is the cost of a block and a wake-up.
     */
    public enum ActorThreads {
        /**
         * One operating-system thread per actor: a block is a futex wait and a wake-up goes through the OS scheduler.
         * The OS preempts actors anywhere, so this finds the most races, and an actor may busy-poll shared memory
         * for as long as it likes (it has a CPU of its own, as a vCPU pinned to a pCPU has).
         */
        PLATFORM,
        /**
         * Virtual threads on the JVM's carrier threads (one per CPU): a block unmounts the actor and a wake-up queues
         * it, so a vCPU that blocks in {@code SCHEDOP_poll} costs what a hypervisor's vCPU switch costs, not an OS
         * wake-up, and a carrier runs the next runnable actor as Xen runs the next vCPU on a pCPU. Actors are not
         * time-sliced: one that busy-polls without blocking or yielding keeps its carrier, so at most as many actors
         * as there are CPUs may spin at once.
         */
        VIRTUAL
    }

    public KernelConfig {
        if (preemptionProbability < 0 || preemptionProbability > 1) {
            throw new IllegalArgumentException("preemption probability must be in [0,1]: " + preemptionProbability);
        }
        Objects.requireNonNull(actorThreads, "actorThreads");
        if (mode == Kernel.Mode.DETERMINISTIC && actorThreads != ActorThreads.VIRTUAL) {
            throw new IllegalArgumentException("a deterministic kernel runs its actors on virtual threads, not "
                    + actorThreads);
        }
        if (logCapacity < 1) {
            throw new IllegalArgumentException("log capacity must be positive: " + logCapacity);
        }
    }

    public static KernelConfig deterministic(long seed) {
        return new KernelConfig(Kernel.Mode.DETERMINISTIC, seed, 0.0, Integer.MAX_VALUE, Duration.ofSeconds(600), true,
                ActorThreads.VIRTUAL);
    }

    public static KernelConfig concurrent() {
        return new KernelConfig(Kernel.Mode.CONCURRENT, 0, 0.0, 100_000, Duration.ofSeconds(60), false,
                ActorThreads.PLATFORM);
    }

    public KernelConfig withSeed(long s) {
        return new KernelConfig(mode, s, preemptionProbability, logCapacity, defaultRunLimit, logActorSwitches,
                actorThreads);
    }

    /** What a concurrent kernel runs its actors on; a deterministic kernel refuses anything but {@code VIRTUAL}. */
    public KernelConfig withActorThreads(ActorThreads threads) {
        return new KernelConfig(mode, seed, preemptionProbability, logCapacity, defaultRunLimit, logActorSwitches,
                threads);
    }

    public KernelConfig withPreemption(double p) {
        return new KernelConfig(mode, seed, p, logCapacity, defaultRunLimit, logActorSwitches, actorThreads);
    }

    public KernelConfig withLogCapacity(int capacity) {
        return new KernelConfig(mode, seed, preemptionProbability, capacity, defaultRunLimit, logActorSwitches, actorThreads);
    }

    public KernelConfig withDefaultRunLimit(Duration limit) {
        return new KernelConfig(mode, seed, preemptionProbability, logCapacity, limit, logActorSwitches, actorThreads);
    }

    public KernelConfig withActorSwitchLogging(boolean on) {
        return new KernelConfig(mode, seed, preemptionProbability, logCapacity, defaultRunLimit, on, actorThreads);
    }
}
