package org.xenpv.xenstore.trace;

/**
 * cxenstored writes {@code "\n***\n"} whenever it (re)opens the trace file (start, SIGHUP).
 *
 * @param blankLineBefore whether the {@code ***} line was preceded by its blank line (it is unless the
 *                        previous content lacked a final newline)
 */
public record Marker(long line, boolean blankLineBefore) implements TraceRecord {
}
