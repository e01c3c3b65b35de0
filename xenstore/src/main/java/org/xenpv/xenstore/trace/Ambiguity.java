package org.xenpv.xenstore.trace;

import java.util.List;

/**
 * Something the trace does not tell for certain, and the choice the reconstruction rules made
 * ({@code docs/traces.md}). Derived, not read: writers skip it.
 *
 * @param line         the line of the record concerned
 * @param what         what is unknown, naming the line's thing (type, connection, path)
 * @param alternatives the possibilities (the chosen one first)
 */
public record Ambiguity(long line, Kind kind, String what, List<String> alternatives) implements TraceRecord {

    public enum Kind {
        /** A space shown in a value could have been a NUL byte. */
        PAYLOAD_SPACE_OR_NUL,
        /** The trace cut the data; the rest is unknown. */
        PAYLOAD_TRUNCATED,
        /** The message type is not recorded (cxenstored {@code **UNKNOWN**}, oxenstored {@code invalid}). */
        TYPE_NOT_RECORDED,
        /** Which transaction (if any) a request belonged to. */
        TX_CONTEXT,
        /** Which of several open transactions a TRANSACTION_END ended. */
        TX_END_TARGET,
        /** A reply that no recorded request can be paired with. */
        REPLY_WITHOUT_REQUEST,
        /** The paired request's type differs from the reply's (and the reply is no ERROR). */
        REPLY_TYPE_MISMATCH,
        /** A request that got no reply before its connection closed or the trace ended. */
        REQUEST_NOT_ANSWERED
    }

    public Ambiguity {
        alternatives = List.copyOf(alternatives);
    }

    @Override
    public boolean derived() {
        return true;
    }
}
