package org.xenpv.cli.bench;

/**
 * One timed run of either implementation.
 *
 * @param mode       notification mode
 * @param count      round trips (requests answered and verified)
 * @param nanos      wall time from starting the two actors (threads) to the last verified response
 * @param notifies   event-channel sends, both directions
 * @param polls      times a side blocked waiting for an event ({@code -1}: not reported)
 */
public record RunResult(NotifyMode mode, long count, long nanos, long notifies, long polls) {

    /** Round trips per second. */
    public double roundTripsPerSecond() {
        return count * 1e9 / nanos;
    }
}
