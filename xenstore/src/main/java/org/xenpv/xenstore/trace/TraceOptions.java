package org.xenpv.xenstore.trace;

/**
 * How to read a trace.
 *
 * @param format      the format, or {@code null} to detect it from the first meaningful lines
 * @param lenient     skip malformed lines (counted in {@link TraceReader#skippedLines()}) instead of failing
 * @param reconstruct pair replies with requests, infer transactions and watches ({@code docs/traces.md});
 *                    off: records as the lines say, without {@link Ambiguity} records
 * @param progress    progress callback
 */
public record TraceOptions(TraceFormat format, boolean lenient, boolean reconstruct, ProgressListener progress) {

    public static final TraceOptions DEFAULT = new TraceOptions(null, false, true, ProgressListener.NONE);

    public TraceOptions {
        if (progress == null) {
            progress = ProgressListener.NONE;
        }
    }

    public TraceOptions withFormat(TraceFormat f) {
        return new TraceOptions(f, lenient, reconstruct, progress);
    }

    public TraceOptions withLenient(boolean l) {
        return new TraceOptions(format, l, reconstruct, progress);
    }

    public TraceOptions withReconstruct(boolean r) {
        return new TraceOptions(format, lenient, r, progress);
    }

    public TraceOptions withProgress(ProgressListener p) {
        return new TraceOptions(format, lenient, reconstruct, p);
    }
}
