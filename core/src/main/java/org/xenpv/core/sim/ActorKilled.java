package org.xenpv.core.sim;

/** Thrown inside an actor's blocking call when the kernel is closed, to unwind its stack. */
public final class ActorKilled extends SimulationException {
    ActorKilled(String actor) {
        super("actor '" + actor + "' stopped: kernel closed");
    }
}
