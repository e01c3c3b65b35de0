package org.xenpv.core.sim;

/** An actor's body threw; the controlling thread sees it on its next run call. */
public final class ActorFailedException extends SimulationException {
    private final String actor;

    public ActorFailedException(String actor, Throwable cause) {
        super("actor '" + actor + "' failed: " + cause, cause);
        this.actor = actor;
    }

    public String actor() {
        return actor;
    }
}
