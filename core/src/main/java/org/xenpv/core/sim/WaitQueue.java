package org.xenpv.core.sim;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Where actors wait for a condition on shared state (a pending event channel, ring indices, a
 * store reply). Whoever changes that state calls {@link #wakeAll()}; a woken actor re-checks its
 * condition, so spurious wake-ups are harmless and a lost one is a protocol bug the deterministic
 * kernel reports as a deadlock.
 */
public interface WaitQueue {

    String name();

    /**
     * Blocks the calling actor until {@code condition} holds or {@code timeout} of kernel time passes.
     *
     * @return {@code true} if the condition holds, {@code false} on timeout
     */
    boolean await(BooleanSupplier condition, Duration timeout);

    /** Blocks the calling actor until {@code condition} holds. */
    void await(BooleanSupplier condition);

    /** Makes every actor waiting here re-check its condition. Never blocks. */
    void wakeAll();
}
