package org.xenpv.core.sim;

/** Base of the kernel's run-time failures. */
public sealed class SimulationException extends RuntimeException
        permits DeadlockException, SimTimeoutException, ActorFailedException, ActorKilled {
    SimulationException(String message) {
        super(message);
    }

    SimulationException(String message, Throwable cause) {
        super(message, cause);
    }
}
