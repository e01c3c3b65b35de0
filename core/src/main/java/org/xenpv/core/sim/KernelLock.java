package org.xenpv.core.sim;

/**
 * A mutex for driver code (the Windows drivers' spin locks and fast mutexes). Acquisition blocks
 * through the kernel, so in deterministic mode waiting for a lock hands the baton to another actor.
 */
public interface KernelLock {

    void lock();

    void unlock();

    boolean heldByCurrentActor();

    /** Runs {@code body} with the lock held. */
    default void with(Runnable body) {
        lock();
        try {
            body.run();
        } finally {
            unlock();
        }
    }
}
