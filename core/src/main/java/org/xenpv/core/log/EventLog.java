package org.xenpv.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The run's protocol trace: every platform action as a {@link LogEntry}.
 *
 * <p>In deterministic mode the same seed yields a byte-identical log ({@link #toText()} and
 * {@link #toJsonLines()}), because entries are stamped with virtual time and appended by exactly one
 * running actor at a time. A bounded log keeps only the newest {@code capacity} entries in memory;
 * listeners see every entry (for streaming to a file or to SLF4J on long runs).
 */
public final class EventLog {

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final LongSupplier clock;
    private final Supplier<String> actor;
    private final int capacity;
    private final ArrayDeque<LogEntry> entries = new ArrayDeque<>();
    private final List<Consumer<LogEntry>> listeners = new CopyOnWriteArrayList<>();
    private long seq;
    private volatile boolean enabled = true;

    /**
     * @param clock    time source in nanoseconds (the kernel's)
     * @param actor    name of the actor that is running now
     * @param capacity how many entries to keep in memory ({@code Integer.MAX_VALUE}: all)
     */
    public EventLog(LongSupplier clock, Supplier<String> actor, int capacity) {
        this.clock = clock;
        this.actor = actor;
        this.capacity = capacity;
    }

    /** Records an event now, from the current actor. */
    public void record(Event event) {
        if (!enabled) {
            return;
        }
        LogEntry e;
        synchronized (this) {
            e = new LogEntry(++seq, clock.getAsLong(), actor.get(), event);
            if (entries.size() == capacity) {
                entries.removeFirst();
            }
            entries.addLast(e);
        }
        for (Consumer<LogEntry> l : listeners) {
            l.accept(e);
        }
    }

    /** Shorthand for a {@link Event.Note}. */
    public void note(String component, String message) {
        record(new Event.Note(component, message));
    }

    /** Turns recording off (benchmarks in concurrent mode) or back on. */
    public void setEnabled(boolean on) {
        this.enabled = on;
    }

    public boolean enabled() {
        return enabled;
    }

    public void addListener(Consumer<LogEntry> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<LogEntry> listener) {
        listeners.remove(listener);
    }

    /** A snapshot of the entries kept in memory, oldest first. */
    public synchronized List<LogEntry> entries() {
        return new ArrayList<>(entries);
    }

    /** Number of events recorded since the start (including those no longer kept). */
    public synchronized long count() {
        return seq;
    }

    /** The kept entries as protocol-trace text, one line each. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (LogEntry e : entries()) {
            sb.append(e.text()).append('\n');
        }
        return sb.toString();
    }

    /** The kept entries as JSON lines. */
    public String toJsonLines() {
        StringWriter w = new StringWriter();
        for (LogEntry e : entries()) {
            writeJson(e, w);
        }
        return w.toString();
    }

    /**
     * Writes one entry as a JSON object on its own line:
     * {@code {"seq":1,"t":1000,"actor":"d1/vif0","type":"ring-push",...event fields}}.
     */
    public static void writeJson(LogEntry e, Writer out) {
        try {
            JsonGenerator g = JSON.getFactory().createGenerator(out);
            g.writeStartObject();
            g.writeNumberField("seq", e.seq());
            g.writeNumberField("t", e.timeNanos());
            g.writeStringField("actor", e.actor());
            g.writeStringField("type", e.event().type());
            var fields = JSON.valueToTree(e.event()).properties();
            for (var f : fields) {
                g.writeFieldName(f.getKey());
                g.writeTree(f.getValue());
            }
            g.writeEndObject();
            g.flush();
            out.write('\n');
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Renders nanoseconds as seconds with microsecond precision: {@code 1.000250s}. */
    public static String seconds(long nanos) {
        long micros = nanos / 1000;
        return String.format("%d.%06ds", micros / 1_000_000, micros % 1_000_000);
    }
}
