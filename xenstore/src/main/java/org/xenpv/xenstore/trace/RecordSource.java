package org.xenpv.xenstore.trace;

/** Pull interface of the format parsers: the next record of the file, or {@code null} at its end. */
interface RecordSource {

    /**
     * @throws TraceSyntaxException for malformed input, after consuming the offending lines so that a
     *                              lenient caller can call again
     */
    TraceRecord next();

    /** Human-readable variant seen so far, e.g. {@code cxenstored 4.17}. */
    String variant();
}
