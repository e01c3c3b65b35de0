package org.xenpv.core.sim;

/** A run's kernel-time limit passed before its goal was reached. */
public final class SimTimeoutException extends SimulationException {
    public SimTimeoutException(String message) {
        super(message);
    }
}
