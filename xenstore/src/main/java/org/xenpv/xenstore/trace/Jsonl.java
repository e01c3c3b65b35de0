package org.xenpv.xenstore.trace;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Names and value encodings of the xenpv JSON-lines trace ({@code docs/traces.md}, "JSON lines"). */
final class Jsonl {

    static final String FORMAT = "xenpv-trace";
    static final int VERSION = 1;

    static final String HEADER = "header";
    static final String MSG = "msg";
    static final String CONN_OPEN = "conn-open";
    static final String CONN_CLOSE = "conn-close";
    static final String CONN_IGNORED = "conn-ignored";
    static final String TX_CREATE = "tx-create";
    static final String TX_DESTROY = "tx-destroy";
    static final String TX_OUTCOME = "tx-outcome";
    static final String REPLAYED_OP = "replayed-op";
    static final String WATCH_CREATE = "watch-create";
    static final String WATCH_DESTROY = "watch-destroy";
    static final String NOISE = "noise";
    static final String MARKER = "marker";

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS", Locale.ROOT);

    private Jsonl() {
    }

    /** ISO-8601 local date-time as recorded, with {@code Z} when the trace recorded UTC. */
    static String wall(TraceTime t) {
        LocalDateTime w = t.wall();
        int nanos = w.getNano();
        String s = nanos == 0 ? SECONDS.format(w)
                : nanos % 1_000_000 == 0 ? MILLIS.format(w) : DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(w);
        return t.utc() ? s + "Z" : s;
    }

    static LocalDateTime parseWall(String s) {
        String v = s.endsWith("Z") ? s.substring(0, s.length() - 1) : s;
        return LocalDateTime.parse(v, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    }

    static String fidelity(Payload.Fidelity f) {
        return switch (f) {
            case EXACT -> "exact";
            case SPACE_OR_NUL -> "space-or-nul";
            case TRUNCATED -> "truncated";
        };
    }

    static Payload.Fidelity parseFidelity(String s) {
        return switch (s) {
            case "exact" -> Payload.Fidelity.EXACT;
            case "space-or-nul" -> Payload.Fidelity.SPACE_OR_NUL;
            case "truncated" -> Payload.Fidelity.TRUNCATED;
            default -> null;
        };
    }
}
