package org.xenpv.xenstore.trace;

/**
 * cxenstored {@code DESTROY watch <p>} (UNWATCH, RESET_WATCHES, or the connection's end). Attributed to
 * the watch created with the same pointer, when the trace showed that.
 */
public record WatchDestroy(long line, String conn, String object, String path, String token) implements TraceRecord {
}
