package org.xenpv.xenstore.trace;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.util.Map;

/** Writes {@link TraceRecord}s in one trace format. Derived records ({@link Ambiguity}) are skipped. */
public interface TraceWriter extends Closeable, Flushable {

    void write(TraceRecord r) throws IOException;

    /** Pushes buffered records out to the underlying stream (and flushes it). */
    @Override
    void flush() throws IOException;

    /** Records the format cannot represent and that were therefore not written, by record kind. */
    Map<String, Long> dropped();

    /** Writers for {@code --to}: {@link TraceFormat#CXENSTORED} or {@link TraceFormat#JSONL}. */
    static TraceWriter of(TraceFormat to, java.io.OutputStream out, TraceFormat source, String variant) {
        return switch (to) {
            case CXENSTORED -> new CxenstoredTraceWriter(out);
            case JSONL -> new JsonlTraceWriter(out, source, variant);
            case OXENSTORED -> throw new IllegalArgumentException("no writer for the oxenstored access log");
        };
    }
}
