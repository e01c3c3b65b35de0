package org.xenpv.xenstore.trace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.xenpv.xenstore.wire.XsError;
import org.xenpv.xenstore.wire.XsType;

/**
 * Summary of a trace for {@code xenpv trace stats}: operations by type and connection, errors by
 * errno, transaction outcomes, watch fan-out, ambiguities. Memory grows with the number of distinct
 * connections and watches, not with the number of records.
 */
public final class TraceStats {

    private final Map<String, Long> records = new TreeMap<>();
    private final Map<String, Long> requestsByType = new TreeMap<>();
    private final Map<String, Map<String, Long>> requestsByConn = new TreeMap<>();
    private final Map<String, Long> errors = new TreeMap<>();
    private final Map<String, Long> fanOut = new TreeMap<>();
    private final Map<String, Long> ambiguities = new TreeMap<>();
    private final Map<String, Long> noise = new TreeMap<>();
    private final Map<String, Long> txEndErrors = new TreeMap<>();
    private long requests;
    private long replies;
    private long pairedReplies;
    private long events;
    private long txStarted;
    private long txCommitted;
    private long txAborted;
    private long txEagain;
    private long txReplayed;
    private long connOpened;
    private long connClosed;
    private long connIgnored;
    private long markers;
    private String lastCoalesce;

    public void accept(TraceRecord r) {
        records.merge(r.getClass().getSimpleName(), 1L, Long::sum);
        switch (r) {
            case Request q -> {
                requests++;
                requestsByType.merge(q.typeName(), 1L, Long::sum);
                requestsByConn.computeIfAbsent(q.conn(), c -> new TreeMap<>()).merge(q.typeName(), 1L, Long::sum);
            }
            case Reply p -> reply(p);
            case WatchEvent e -> {
                events++;
                String key = e.conn() + " " + (e.watchPath() == null ? "?" : e.watchPath()) + " " + e.token();
                fanOut.merge(key, 1L, Long::sum);
            }
            case TransactionOutcome t -> outcome(t);
            case TransactionCreate t -> {
                if (t.object() == null) {
                    txStarted++;
                }
            }
            case ConnectionOpen c -> connOpened++;
            case ConnectionClose c -> connClosed++;
            case ConnectionIgnored c -> connIgnored++;
            case Marker m -> markers++;
            case Noise n -> noise.merge(n.kind().name().toLowerCase(), 1L, Long::sum);
            case Ambiguity a -> ambiguities.merge(a.kind().name().toLowerCase(), 1L, Long::sum);
            default -> { }
        }
    }

    private void reply(Reply p) {
        replies++;
        XsError err = p.error();
        if (p.isError()) {
            errors.merge(err != null ? err.name() : p.payload().firstString(), 1L, Long::sum);
        }
        Request q = p.request();
        if (q == null) {
            // oxenstored logs no transaction end: an orphan EAGAIN inside a transaction ends it.
            if (err == XsError.EAGAIN && p.tx().id() != 0) {
                txEagain++;
            }
            return;
        }
        pairedReplies++;
        if (q.type() == XsType.TRANSACTION_START.code() && !p.isError()) {
            txStarted++;
        } else if (q.type() == XsType.TRANSACTION_END.code()) {
            String arg = q.payload().firstString();
            if (!p.isError()) {
                if (arg.equals("F")) {
                    txAborted++;
                } else {
                    txCommitted++;
                }
            } else if (err == XsError.EAGAIN) {
                txEagain++;
            } else {
                txEndErrors.merge(err != null ? err.name() : p.payload().firstString(), 1L, Long::sum);
            }
        }
    }

    private void outcome(TransactionOutcome t) {
        String key = t.conn() + "." + t.txId();
        switch (t.outcome()) {
            case COMMIT -> {
                txCommitted++;
                if (t.replayOf().isPresent()) {
                    txReplayed++;
                }
            }
            case COALESCE -> {
                if (!key.equals(lastCoalesce)) {
                    txCommitted++;
                }
            }
            case CONFLICT -> { }
        }
        lastCoalesce = t.outcome() == TransactionOutcome.Outcome.COALESCE ? key : null;
    }

    public long requests() {
        return requests;
    }

    public long replies() {
        return replies;
    }

    public long events() {
        return events;
    }

    public Map<String, Long> requestsByType() {
        return Map.copyOf(requestsByType);
    }

    public Map<String, Map<String, Long>> requestsByConnection() {
        return requestsByConn.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Map.copyOf(e.getValue())));
    }

    public Map<String, Long> errors() {
        return Map.copyOf(errors);
    }

    public Map<String, Long> watchFanOut() {
        return Map.copyOf(fanOut);
    }

    public Map<String, Long> ambiguities() {
        return Map.copyOf(ambiguities);
    }

    public Map<String, Long> noise() {
        return Map.copyOf(noise);
    }

    public Map<String, Long> records() {
        return Map.copyOf(records);
    }

    public long txStarted() {
        return txStarted;
    }

    public long txCommitted() {
        return txCommitted;
    }

    public long txAborted() {
        return txAborted;
    }

    public long txEagain() {
        return txEagain;
    }

    public long txReplayed() {
        return txReplayed;
    }

    public Map<String, Long> txEndErrors() {
        return Map.copyOf(txEndErrors);
    }

    public long connectionsOpened() {
        return connOpened;
    }

    public long connectionsClosed() {
        return connClosed;
    }

    public long connectionsIgnored() {
        return connIgnored;
    }

    public long markers() {
        return markers;
    }

    public long pairedReplies() {
        return pairedReplies;
    }

    /** The summary as nested maps (for JSON output), keys in a stable order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records", records);
        m.put("requests", requests);
        m.put("replies", replies);
        m.put("replies_paired", pairedReplies);
        m.put("watch_events", events);
        m.put("requests_by_type", requestsByType);
        m.put("requests_by_connection", requestsByConn);
        m.put("errors", errors);
        Map<String, Object> tx = new LinkedHashMap<>();
        tx.put("started", txStarted);
        tx.put("committed", txCommitted);
        tx.put("aborted", txAborted);
        tx.put("eagain", txEagain);
        tx.put("committed_after_replay", txReplayed);
        tx.put("end_errors", txEndErrors);
        m.put("transactions", tx);
        Map<String, Object> conns = new LinkedHashMap<>();
        conns.put("opened", connOpened);
        conns.put("closed", connClosed);
        conns.put("ignored", connIgnored);
        m.put("connections", conns);
        m.put("watch_fan_out", fanOut);
        m.put("ambiguities", ambiguities);
        m.put("noise", noise);
        m.put("markers", markers);
        return m;
    }

    /** Human-readable report. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("messages: %d requests, %d replies (%d paired with their request), %d watch events%n",
                requests, replies, pairedReplies, events));
        b.append("requests by type:\n");
        requestsByType.forEach((k, v) -> b.append(String.format("  %-22s %8d%n", k, v)));
        b.append("requests by connection:\n");
        requestsByConn.forEach((c, types) -> {
            long total = types.values().stream().mapToLong(Long::longValue).sum();
            b.append(String.format("  %-22s %8d  %s%n", c, total, types.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "))));
        });
        b.append("errors by errno:").append(errors.isEmpty() ? " none" : "").append('\n');
        errors.forEach((k, v) -> b.append(String.format("  %-22s %8d%n", k, v)));
        b.append(String.format("transactions: %d started, %d committed (%d after replay), %d aborted, %d EAGAIN",
                txStarted, txCommitted, txReplayed, txAborted, txEagain));
        if (!txEndErrors.isEmpty()) {
            b.append(", TRANSACTION_END errors ").append(txEndErrors);
        }
        b.append('\n');
        b.append(String.format("connections: %d opened, %d closed, %d ignored; %d trace (re)open markers%n",
                connOpened, connClosed, connIgnored, markers));
        b.append("watch fan-out (events per connection, watch path, token):").append(fanOut.isEmpty() ? " none" : "")
                .append('\n');
        List<Map.Entry<String, Long>> top = fanOut.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(20).toList();
        top.forEach(e -> b.append(String.format("  %-50s %8d%n", e.getKey(), e.getValue())));
        if (fanOut.size() > top.size()) {
            b.append("  ... ").append(fanOut.size() - top.size()).append(" more watches\n");
        }
        b.append("ambiguities:").append(ambiguities.isEmpty() ? " none" : "").append('\n');
        ambiguities.forEach((k, v) -> b.append(String.format("  %-22s %8d%n", k, v)));
        b.append("other lines:").append(noise.isEmpty() ? " none" : "").append('\n');
        noise.forEach((k, v) -> b.append(String.format("  %-22s %8d%n", k, v)));
        return b.toString();
    }
}
