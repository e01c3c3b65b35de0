package org.xenpv.xenstore.trace;

/**
 * One thing a xenstore trace says, in a form that does not depend on the trace format
 * (cxenstored {@code -T}, oxenstored access log, xenpv JSON lines). Every record knows the 1-based line
 * of the trace file where it starts. Format details and reconstruction rules: {@code docs/traces.md}.
 */
public sealed interface TraceRecord
        permits Message, ConnectionOpen, ConnectionClose, ConnectionIgnored, TransactionCreate,
                TransactionDestroy, TransactionOutcome, ReplayedOp, WatchCreate, WatchDestroy, Noise,
                Marker, Ambiguity {

    /** 1-based line number in the source file where this record starts (0 if synthesized). */
    long line();

    /**
     * Whether the record was derived by reconstruction rather than read (an {@link Ambiguity}).
     * Writers skip derived records: reading the written file derives them again.
     */
    default boolean derived() {
        return false;
    }
}
