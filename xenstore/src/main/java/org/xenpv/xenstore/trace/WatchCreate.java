package org.xenpv.xenstore.trace;

/**
 * cxenstored {@code CREATE watch <p>} (logged while a WATCH is processed). {@code conn}, {@code path}
 * and {@code token} come from that WATCH request when it is known.
 */
public record WatchCreate(long line, String conn, String object, String path, String token) implements TraceRecord {
}
