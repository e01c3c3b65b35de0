package org.xenpv.xenstore.trace;

import java.util.OptionalLong;

/**
 * oxenstored's transaction lines ({@code logging.ml}): {@code commit}, {@code conflict}, and
 * {@code coalesce} (a partial commit; detail {@code write <path>} or {@code read <path>}).
 *
 * @param replayOf for a line of a replayed transaction ({@code r(3):A5.4}): the original id (3)
 */
public record TransactionOutcome(long line, String conn, long txId, OptionalLong replayOf, Outcome outcome,
                                 String detail, TraceTime time) implements TraceRecord {

    public enum Outcome {
        COMMIT, CONFLICT, COALESCE
    }
}
