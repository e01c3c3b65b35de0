package org.xenpv.xenstore.trace;

import java.time.LocalDateTime;
import java.util.OptionalLong;

/**
 * When a record happened, as the trace recorded it. cxenstored writes local wall time with second
 * resolution ({@code utc=false}); oxenstored writes UTC with milliseconds ({@code utc=true});
 * xenpv's own captures add the simulation kernel's virtual time in nanoseconds.
 *
 * @param wall         wall-clock time as recorded, or {@code null} when the line has none
 * @param utc          whether {@code wall} is UTC (else local time of the recording host)
 * @param virtualNanos virtual time of a xenpv capture
 */
public record TraceTime(LocalDateTime wall, boolean utc, OptionalLong virtualNanos) {

    public static final TraceTime NONE = new TraceTime(null, false, OptionalLong.empty());

    public static TraceTime local(LocalDateTime wall) {
        return new TraceTime(wall, false, OptionalLong.empty());
    }

    public static TraceTime utc(LocalDateTime wall) {
        return new TraceTime(wall, true, OptionalLong.empty());
    }

    public boolean isNone() {
        return wall == null && virtualNanos.isEmpty();
    }
}
