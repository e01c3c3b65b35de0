package org.xenpv.harness.boot;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.xenpv.core.log.EventLog;
import org.xenpv.core.log.LogEntry;

/**
 * A few lines about an event log: how many entries over how much kernel time, and counts by event
 * type and by actor, most frequent first.
 */
public final class LogSummary {

    private LogSummary() {
    }

    public static String render(List<LogEntry> entries) {
        if (entries.isEmpty()) {
            return "event log: empty\n";
        }
        Map<String, Integer> byType = new TreeMap<>();
        Map<String, Integer> byActor = new TreeMap<>();
        for (LogEntry e : entries) {
            byType.merge(e.event().type(), 1, Integer::sum);
            byActor.merge(e.actor(), 1, Integer::sum);
        }
        StringBuilder out = new StringBuilder();
        out.append("event log: ").append(entries.size()).append(" entries, t=")
                .append(EventLog.seconds(entries.getFirst().timeNanos())).append(" .. t=")
                .append(EventLog.seconds(entries.getLast().timeNanos())).append('\n');
        out.append("  by type:  ").append(top(byType)).append('\n');
        out.append("  by actor: ").append(top(byActor)).append('\n');
        return out.toString();
    }

    private static String top(Map<String, Integer> counts) {
        StringBuilder b = new StringBuilder();
        counts.entrySet().stream()
                .sorted((x, y) -> y.getValue() != x.getValue().intValue() ? y.getValue() - x.getValue() : x.getKey().compareTo(y.getKey()))
                .forEach(e -> b.append(b.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue()));
        return b.toString();
    }
}
