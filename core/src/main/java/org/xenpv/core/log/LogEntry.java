package org.xenpv.core.log;

/**
 * An {@link Event} stamped with its sequence number, (virtual) time in nanoseconds since the
 * kernel started, and the actor that caused it ({@code "-"} for the controlling test thread).
 */
public record LogEntry(long seq, long timeNanos, String actor, Event event) {

    /** {@code [t=1.000250s d1/vif0-tx] ring ... push req_prod 12->14 notify=yes}. */
    public String text() {
        return "[t=" + EventLog.seconds(timeNanos) + " " + actor + "] " + event.text();
    }
}
