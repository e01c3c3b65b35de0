package org.xenpv.xenstore.trace;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads a xenstore trace file as a stream of {@link TraceRecord}s, in constant memory: cxenstored
 * {@code -T} traces (4.17, 4.18+, 4.19+), the oxenstored access log, and xenpv JSON lines. The format is
 * detected from the first meaningful lines unless given. Replies are paired with their requests and
 * transactions inferred per {@code docs/traces.md}; where a rule had to choose, an {@link Ambiguity}
 * record follows the record concerned.
 *
 * <p>Malformed input throws {@link TraceSyntaxException} ({@code file:line: what: "text"}) from
 * {@link #next()}; with {@link TraceOptions#lenient()} malformed lines are skipped and counted instead.
 * I/O failures throw {@link UncheckedIOException}.
 *
 * <pre>{@code
 * try (TraceReader r = TraceReader.open(path, TraceOptions.DEFAULT)) {
 *     while (r.hasNext()) {
 *         switch (r.next()) {
 *             case Request q -> ...
 *             case Reply p -> ... p.request() ...
 *             default -> { }
 *         }
 *     }
 * }
 * }</pre>
 */
public final class TraceReader implements Iterator<TraceRecord>, Closeable {

    /** How many lines detection looks at, at most. */
    static final int SNIFF_LINES = 16;
    private static final int SNIFF_BYTES = 1 << 16;
    private static final int MAX_SKIP_MESSAGES = 10;

    private final LineSource lines;
    private final TraceFormat format;
    private final RecordSource parser;
    private final Reconstructor reconstructor;
    private final boolean lenient;
    private final List<String> skipMessages = new ArrayList<>();
    private long skipped;
    private TraceRecord nextRecord;
    private boolean done;

    private TraceReader(LineSource lines, TraceFormat format, TraceOptions opts) {
        this.lines = lines;
        this.format = format;
        this.lenient = opts.lenient();
        RecordSource p = switch (format) {
            case CXENSTORED -> new CxenstoredParser(lines);
            case OXENSTORED -> new OxenstoredParser(lines);
            case JSONL -> new JsonlParser(lines);
        };
        this.parser = p;
        TraceFormat rules = p instanceof JsonlParser j ? j.source() : format;
        RecordSource guarded = lenient ? new RecordSource() {
            @Override
            public TraceRecord next() {
                while (true) {
                    try {
                        return p.next();
                    } catch (TraceSyntaxException e) {
                        skipped++;
                        if (skipMessages.size() < MAX_SKIP_MESSAGES) {
                            skipMessages.add(e.getMessage());
                        }
                    }
                }
            }

            @Override
            public String variant() {
                return p.variant();
            }
        } : p;
        this.reconstructor = opts.reconstruct() ? new Reconstructor(guarded, rules) : null;
        this.rawSource = guarded;
        this.sourceFormat = rules;
    }

    private final TraceFormat sourceFormat;

    private final RecordSource rawSource;

    /** Opens a trace file; its size drives the progress callback. */
    public static TraceReader open(Path file, TraceOptions opts) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            return open(in, file.toString(), Files.size(file), opts);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Reads a trace from a stream (closed by {@link #close()}).
     *
     * @param name       file name for messages
     * @param totalBytes size for progress, or -1
     * @throws TraceSyntaxException if the format was not given and cannot be detected
     */
    public static TraceReader open(InputStream in, String name, long totalBytes, TraceOptions opts) {
        BufferedInputStream b = new BufferedInputStream(in, SNIFF_BYTES);
        TraceFormat f = opts.format() != null ? opts.format() : detect(b, name);
        LineSource ls = new LineSource(b, name, totalBytes, opts.progress());
        return new TraceReader(ls, f, opts);
    }

    /**
     * Detects the format from the first meaningful lines ({@link #SNIFF_LINES} at most, within 64 KiB):
     * a JSON object => JSONL; {@code [YYYYMMDDThh:mm:ss.mmmZ] } => oxenstored; a cxenstored line kind
     * ({@code ***}, IN/OUT, CREATE/DESTROY, CONN, known diagnostics) => cxenstored.
     */
    static TraceFormat detect(BufferedInputStream b, String name) {
        byte[] head;
        try {
            b.mark(SNIFF_BYTES);
            head = b.readNBytes(SNIFF_BYTES);
            b.reset();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": read failed: " + e.getMessage(), e);
        }
        if (head.length == 0) {
            throw new TraceSyntaxException(name, 1, "empty file: nothing to detect the trace format from", null);
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] ls = text.split("\n", -1);
        int limit = Math.min(ls.length, SNIFF_LINES);
        for (int i = 0; i < limit; i++) {
            String s = ls[i];
            if (i == ls.length - 1 && head.length == SNIFF_BYTES && ls.length > 1) {
                break;
            }
            if (s.indexOf('\0') >= 0) {
                throw new TraceSyntaxException(name, i + 1, "NUL byte: binary data, not a xenstore trace", s);
            }
            if (s.isBlank()) {
                continue;
            }
            if (s.startsWith("{")) {
                return TraceFormat.JSONL;
            }
            if (OxenstoredParser.looksLike(s)) {
                return TraceFormat.OXENSTORED;
            }
            CxenstoredParser.LineKind k = CxenstoredParser.classify(s);
            if (k != null) {
                return TraceFormat.CXENSTORED;
            }
            throw new TraceSyntaxException(name, i + 1, "cannot tell the trace format: the first meaningful line "
                    + "is no cxenstored, oxenstored or JSON-lines record (use --format)", s);
        }
        throw new TraceSyntaxException(name, Math.min(ls.length, SNIFF_LINES),
                "cannot tell the trace format: no meaningful line in the first " + SNIFF_LINES + " lines", null);
    }

    /**
     * The format whose rules the records follow: {@link #format()}, except for JSON lines converted from
     * another format (header {@code source}), where it is that format ({@code JSONL} for xenpv's captures).
     */
    public TraceFormat sourceFormat() {
        return sourceFormat;
    }

    public TraceFormat format() {
        return format;
    }

    /** The variant(s) seen so far, e.g. {@code cxenstored 4.17} or {@code oxenstored access log}. */
    public String variant() {
        return parser.variant();
    }

    /** Malformed records skipped in lenient mode. */
    public long skipped() {
        return skipped;
    }

    /** The first few skipped records' error messages. */
    public List<String> skipMessages() {
        return Collections.unmodifiableList(skipMessages);
    }

    public long linesRead() {
        return lines.lineNumber();
    }

    public long bytesRead() {
        return lines.bytesRead();
    }

    @Override
    public boolean hasNext() {
        if (nextRecord == null && !done) {
            nextRecord = reconstructor != null ? reconstructor.next() : rawSource.next();
            done = nextRecord == null;
        }
        return nextRecord != null;
    }

    @Override
    public TraceRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        TraceRecord r = nextRecord;
        nextRecord = null;
        return r;
    }

    /** The remaining records as a sequential stream (closing the stream closes the reader). */
    public Stream<TraceRecord> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(() -> {
                    try {
                        close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
