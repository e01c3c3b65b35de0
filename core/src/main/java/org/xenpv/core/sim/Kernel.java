package org.xenpv.core.sim;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.xenpv.core.log.EventLog;

/**
 * The simulation kernel: owns every actor (guest vCPUs and DPC workers, backends, the store daemon,
 * the toolstack, a test's script) and the clock.
 *
 * <p>Actors block only through the kernel: {@link WaitQueue#await}, {@link #sleep},
 * {@link #yieldNow}, {@link KernelLock}. In {@link Mode#DETERMINISTIC} mode exactly one actor runs at a
 * time, the next one is chosen by a PRNG seeded with {@link #seed()}, and the clock is virtual: it
 * jumps to the next timer when every actor is blocked. The controlling thread (a test, the CLI)
 * drives the world with {@link #step()}, {@link #runUntil} and {@link #runFor}; while it holds
 * control no actor runs, so it may inspect or change shared state between steps. In
 * {@link Mode#CONCURRENT} mode actors are real threads on the real clock and the run methods wait.
 *
 * <p>See {@code docs/architecture.md} and {@code shared/design/simulation-kernel.md}.
 */
public interface Kernel extends AutoCloseable {

    enum Mode { DETERMINISTIC, CONCURRENT }

    /** Creates a kernel for {@code config}. */
    static Kernel create(KernelConfig config) {
        return config.mode() == Mode.DETERMINISTIC ? new DeterministicKernel(config) : new ConcurrentKernel(config);
    }

    static Kernel deterministic(long seed) {
        return create(KernelConfig.deterministic(seed));
    }

    static Kernel concurrent() {
        return create(KernelConfig.concurrent());
    }

    Mode mode();

    long seed();

    KernelConfig config();

    /** Nanoseconds since the kernel started: virtual in deterministic mode. */
    long nanoTime();

    EventLog log();

    /** Starts a new actor running {@code body}; in deterministic mode it first runs when picked. */
    Actor spawn(String name, Runnable body);

    WaitQueue waitQueue(String name);

    KernelLock lock(String name);

    /** The calling actor, or {@code null} on the controlling thread. */
    Actor currentActor();

    /** Blocks the calling actor for {@code d} of kernel time. */
    void sleep(Duration d);

    /** Gives other runnable actors a turn. */
    void yieldNow();

    /**
     * A place where a real SMP guest could be interrupted (ring index loads/stores, barriers). In
     * deterministic mode the kernel yields here with the configured probability, so a sweep of seeds
     * explores interleavings inside protocol steps; elsewhere it costs nothing.
     */
    void preemptionPoint();

    /**
     * Deterministic mode: runs one actor until it blocks. Returns {@code false} when no actor is
     * runnable and no timer is pending. Concurrent mode: unsupported.
     */
    boolean step();

    /**
     * Runs the world until {@code done} holds (checked between steps), for at most {@code limit} of
     * kernel time. Throws {@link DeadlockException} when no actor can ever run again and
     * {@link SimTimeoutException} when the limit passes; rethrows an actor's failure as
     * {@link ActorFailedException}.
     */
    void runUntil(BooleanSupplier done, Duration limit);

    default void runUntil(BooleanSupplier done) {
        runUntil(done, config().defaultRunLimit());
    }

    /** Runs the world for {@code d} of kernel time. */
    void runFor(Duration d);

    /**
     * Runs until no actor is runnable and no timer is pending before {@code limit} (actors may stay
     * blocked forever: daemons waiting for requests).
     */
    void runUntilIdle(Duration limit);

    /** Stops every actor. */
    @Override
    void close();
}
