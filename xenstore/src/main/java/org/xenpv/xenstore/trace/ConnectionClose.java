package org.xenpv.xenstore.trace;

/** cxenstored {@code DESTROY connection <p>}; oxenstored {@code endconn}. */
public record ConnectionClose(long line, String conn, TraceTime time) implements TraceRecord {
}
