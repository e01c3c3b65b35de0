package org.xenpv.xenstore.trace;

import java.util.OptionalInt;

/** cxenstored {@code CREATE connection <p>}; oxenstored {@code newconn}. */
public record ConnectionOpen(long line, String conn, OptionalInt domid, TraceTime time) implements TraceRecord {
}
