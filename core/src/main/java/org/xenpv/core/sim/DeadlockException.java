package org.xenpv.core.sim;

/**
 * No actor can run and no timer is pending, but the run's goal was not reached: a lost
 * notification or a protocol wait that can never end. The message names every blocked actor and
 * what it waits for.
 */
public final class DeadlockException extends SimulationException {
    public DeadlockException(String message) {
        super(message);
    }
}
