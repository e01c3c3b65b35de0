package org.xenpv.core.sim;

import java.util.Optional;

/** A thread of simulated execution owned by a {@link Kernel}. */
public interface Actor {

    /** Stable name, e.g. {@code d1/vif0-tx}; used in the event log. */
    String name();

    /** Spawn order, from 0. */
    int id();

    boolean finished();

    /** The exception the body ended with, if any. */
    Optional<Throwable> failure();
}
