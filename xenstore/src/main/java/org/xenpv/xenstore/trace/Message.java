package org.xenpv.xenstore.trace;

import java.util.OptionalInt;
import java.util.OptionalLong;
import org.xenpv.xenstore.wire.XsType;

/**
 * A xenstore message ({@code xsd_sockmsg} + payload, {@code xs_wire.h}) as a trace recorded it:
 * a client {@link Request}, a daemon {@link Reply}, or an unsolicited {@link WatchEvent}.
 */
public sealed interface Message extends TraceRecord permits Request, Reply, WatchEvent {

    /** Type code when the trace does not say which type it was (cxenstored {@code **UNKNOWN**}). */
    int UNKNOWN_TYPE = -1;

    /** Connection as the trace names it: {@code 0x5650885cbb70}, {@code A5}, {@code D3}, ... */
    String conn();

    /** Domain of the connection when the trace says it (4.19+ {@code (d0)}, oxenstored {@code D3}). */
    OptionalInt domid();

    /** Raw {@code xsd_sockmsg.type}, or {@link #UNKNOWN_TYPE}. */
    int type();

    OptionalLong reqId();

    TxContext tx();

    Payload payload();

    TraceTime time();

    Direction direction();

    /** The {@link XsType} for {@link #type()}, or {@code null} if unknown or not recorded. */
    default XsType knownType() {
        return XsType.of(type());
    }

    /** Type name for messages and reports: the xs_wire.h name, {@code #<n>}, or {@code ?}. */
    default String typeName() {
        return typeName(type());
    }

    static String typeName(int type) {
        if (type == UNKNOWN_TYPE) {
            return "?";
        }
        XsType t = XsType.of(type);
        return t != null ? t.name() : "#" + type;
    }
}
