package org.xenpv.xenbus.debug;

/**
 * A DEBUG v1 callback ({@code XENBUS_DEBUG_FUNCTION}): dumps its owner's state with
 * {@link Debug#printf} while it runs.
 */
@FunctionalInterface
public interface DebugFunction {

    /** @param crashing whether this is the bugcheck dump (touch as little shared memory as possible) */
    void dump(boolean crashing);
}
