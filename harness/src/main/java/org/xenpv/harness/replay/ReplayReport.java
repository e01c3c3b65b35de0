package org.xenpv.harness.replay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a replay found: divergences (failures), expected deviations (divergences the trace's
 * expectations file explains), ambiguous and skipped steps, notes, and counts. Lists keep the first
 * {@link #limit()} entries each (counts stay exact), so a replay of a huge trace that diverges
 * everywhere still runs in constant memory.
 */
public final class ReplayReport {

    private final String file;
    private final String format;
    private final String target;
    private final int limit;
    private String variant = "";
    private final List<Divergence> divergences = new ArrayList<>();
    private final List<Divergence> deviations = new ArrayList<>();
    private final List<AmbiguousStep> ambiguous = new ArrayList<>();
    private final List<SkippedStep> skipped = new ArrayList<>();
    private final Set<String> notes = new LinkedHashSet<>();
    private long divergenceCount;
    private long deviationCount;
    private long ambiguousCount;
    private long skippedCount;
    long lines;
    long bytes;
    long records;
    long requestsSent;
    long impliedRequests;
    long repliesCompared;
    long eventsCompared;
    long notSent;
    long lenientSkipped;
    double seconds;

    ReplayReport(String file, String format, String target, int limit) {
        this.file = file;
        this.format = format;
        this.target = target;
        this.limit = limit;
    }

    void variant(String v) {
        variant = v;
    }

    void divergence(Divergence d) {
        if (d.deviation() != null) {
            deviationCount++;
            if (deviations.size() < limit) {
                deviations.add(d);
            }
            return;
        }
        divergenceCount++;
        if (divergences.size() < limit) {
            divergences.add(d);
        }
    }

    void ambiguous(AmbiguousStep a) {
        ambiguousCount++;
        if (ambiguous.size() < limit) {
            ambiguous.add(a);
        }
    }

    void skipped(SkippedStep s) {
        skippedCount++;
        if (skipped.size() < limit) {
            skipped.add(s);
        }
    }

    void note(String n) {
        if (notes.size() < limit) {
            notes.add(n);
        }
    }

    /** Whether the target answered exactly as recorded (expected deviations aside). */
    public boolean clean() {
        return divergenceCount == 0;
    }

    public String file() {
        return file;
    }

    public String format() {
        return format;
    }

    public String variant() {
        return variant;
    }

    public String target() {
        return target;
    }

    /** How many entries each list keeps. */
    public int limit() {
        return limit;
    }

    /** The divergences listed, in trace line order. */
    public List<Divergence> divergences() {
        return sorted(divergences, Divergence::line);
    }

    /** The expected deviations listed, in trace line order. */
    public List<Divergence> expectedDeviations() {
        return sorted(deviations, Divergence::line);
    }

    /** The ambiguous steps listed, in trace line order. */
    public List<AmbiguousStep> ambiguous() {
        return sorted(ambiguous, AmbiguousStep::line);
    }

    /** The skipped steps listed, in trace line order. */
    public List<SkippedStep> skipped() {
        return sorted(skipped, SkippedStep::line);
    }

    private static <T> List<T> sorted(List<T> l, java.util.function.ToLongFunction<T> line) {
        List<T> c = new ArrayList<>(l);
        c.sort(java.util.Comparator.comparingLong(line));
        return Collections.unmodifiableList(c);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public long divergenceCount() {
        return divergenceCount;
    }

    public long expectedDeviationCount() {
        return deviationCount;
    }

    public long ambiguousCount() {
        return ambiguousCount;
    }

    public long skippedCount() {
        return skippedCount;
    }

    public long lines() {
        return lines;
    }

    public long bytes() {
        return bytes;
    }

    public long records() {
        return records;
    }

    /** Requests sent to the target as the trace recorded them. */
    public long requestsSent() {
        return requestsSent;
    }

    /** Requests the replay added because the trace implies them (oxenstored transaction start/end). */
    public long impliedRequests() {
        return impliedRequests;
    }

    public long repliesCompared() {
        return repliesCompared;
    }

    public long eventsCompared() {
        return eventsCompared;
    }

    /** Records that are not client requests and were not sent (oxenstored's replayed transaction ops). */
    public long notSent() {
        return notSent;
    }

    /** Malformed records skipped with {@code --lenient}. */
    public long lenientSkipped() {
        return lenientSkipped;
    }

    public double seconds() {
        return seconds;
    }
}
