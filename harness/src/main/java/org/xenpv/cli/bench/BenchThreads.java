package org.xenpv.cli.bench;

import java.util.Locale;
import org.xenpv.core.sim.KernelConfig.ActorThreads;

/**
 * What {@code xenpv bench ring} runs the Java blkfront and blkback actors on ({@code --java-threads}). The C
 * reference always runs two pthreads that block on a futex.
 *
 * <p>{@link #AUTO} picks by mode. Spinning actors get platform threads: a busy-polling actor needs a CPU of its
 * own, as each C thread has one, and a virtual thread is not time-sliced, so two spinning actors on fewer than two
 * carriers would never let each other run. Actors that block get virtual threads: that is how the simulated
 * platform schedules vCPUs, a {@code SCHEDOP_poll} that blocks unmounts the actor and the send that wakes it queues
 * it on a carrier, as Xen blocks a vCPU and runs the next one on the pCPU, instead of putting an OS thread to sleep.
 */
enum BenchThreads {
    AUTO,
    PLATFORM,
    VIRTUAL;

    /** The kind of thread the actors of a run in {@code mode} get. */
    ActorThreads resolve(NotifyMode mode) {
        return switch (this) {
            case AUTO -> mode.notifies() ? ActorThreads.VIRTUAL : ActorThreads.PLATFORM;
            case PLATFORM -> ActorThreads.PLATFORM;
            case VIRTUAL -> ActorThreads.VIRTUAL;
        };
    }

    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** How a report names {@code threads}: {@code platform threads} or {@code virtual threads (N carriers)}. */
    static String describe(ActorThreads threads) {
        if (threads == ActorThreads.PLATFORM) {
            return "platform threads";
        }
        String p = System.getProperty("jdk.virtualThreadScheduler.parallelism");
        int carriers = p != null && p.matches("\\d+") ? Integer.parseInt(p) : Runtime.getRuntime().availableProcessors();
        return "virtual threads (" + carriers + " carrier" + (carriers == 1 ? "" : "s") + ")";
    }
}
