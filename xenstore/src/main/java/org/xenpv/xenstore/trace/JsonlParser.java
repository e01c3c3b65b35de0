package org.xenpv.xenstore.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/**
 * Parser for the xenpv JSON-lines trace ({@code docs/traces.md}, "JSON lines"), and for the older JSON
 * lines {@code xenpv serve --trace-format jsonl} wrote before it used the same format (format
 * {@code xenpv-xenstore-trace}, still documented there), told apart by the first line.
 */
final class JsonlParser implements RecordSource {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final LineSource in;
    /** The format the records were converted from (header {@code source}); JSONL for native captures. */
    private TraceFormat source = TraceFormat.JSONL;
    private String variant = "xenpv jsonl";
    /**
     * {@code format} of the legacy JSON lines that {@code xenpv serve --trace-format jsonl} wrote before it
     * switched to this package's format ({@code open}/{@code io}/... records, docs/traces.md); still read.
     */
    static final String LEGACY_FORMAT = "xenpv-xenstore-trace";
    static final int LEGACY_VERSION = 1;
    /** The file is in the legacy serve format ({@link #LEGACY_FORMAT}). */
    private boolean serverDialect;

    private static final java.util.regex.Pattern IGNORED = java.util.regex.Pattern.compile(
            "CONN (0x[0-9a-f]+) ignored, reason (\\d+)");

    JsonlParser(LineSource in) {
        this.in = in;
        LineSource.Line first = in.peek();
        if (first != null && first.problem() == null
                && first.text().contains("\"" + LEGACY_FORMAT + "\"")) {
            serverDialect = true;
            variant = "xenpv " + LEGACY_FORMAT + " jsonl";
        } else if (first != null && first.problem() == null && first.text().contains("\"" + Jsonl.HEADER + "\"")) {
            JsonNode h = tree(in.next());
            if (!Jsonl.HEADER.equals(h.path("kind").asText())) {
                throw error(first, "first line mentions a header but is no header record");
            }
            if (!Jsonl.FORMAT.equals(h.path("format").asText()) || h.path("version").asInt(-1) != Jsonl.VERSION) {
                throw error(first, "not a " + Jsonl.FORMAT + " version " + Jsonl.VERSION + " header");
            }
            TraceFormat f = TraceFormat.parse(h.path("source").asText("jsonl"));
            if (f == null) {
                throw error(first, "unknown source format '" + h.path("source").asText() + "'");
            }
            source = f;
            variant = "xenpv jsonl" + (f == TraceFormat.JSONL ? "" : " from " + h.path("variant").asText(f.cliName()));
        }
    }

    /** The format the file was converted from, which decides the reconstruction rules. */
    TraceFormat source() {
        return source;
    }

    @Override
    public String variant() {
        return variant;
    }

    @Override
    public TraceRecord next() {
        LineSource.Line l;
        do {
            l = in.next();
            if (l == null) {
                return null;
            }
        } while (l.text().isBlank());
        JsonNode o = tree(l);
        String kind = text(o, "kind", l, true);
        long n = l.number();
        if (serverDialect) {
            return serverRecord(o, kind, l);
        }
        return switch (kind) {
            case Jsonl.MSG -> message(o, l);
            case Jsonl.CONN_OPEN -> new ConnectionOpen(n, text(o, "conn", l, true), domid(o, l), time(o, l));
            case Jsonl.CONN_CLOSE -> new ConnectionClose(n, text(o, "conn", l, true), time(o, l));
            case Jsonl.CONN_IGNORED -> new ConnectionIgnored(n, text(o, "conn", l, true), (int) num(o, "reason", l, true));
            case Jsonl.TX_CREATE -> new TransactionCreate(n, text(o, "conn", l, false), optLong(o, "tx_id", l),
                    text(o, "obj", l, false));
            case Jsonl.TX_DESTROY -> new TransactionDestroy(n, text(o, "conn", l, false), optLong(o, "tx_id", l),
                    text(o, "obj", l, false));
            case Jsonl.TX_OUTCOME -> {
                String oc = text(o, "outcome", l, true).toUpperCase(Locale.ROOT);
                TransactionOutcome.Outcome outcome;
                try {
                    outcome = TransactionOutcome.Outcome.valueOf(oc);
                } catch (IllegalArgumentException e) {
                    throw error(l, "unknown transaction outcome '" + oc.toLowerCase(Locale.ROOT) + "'");
                }
                String detail = text(o, "detail", l, false);
                yield new TransactionOutcome(n, text(o, "conn", l, true), num(o, "tx_id", l, true),
                        optLong(o, "replay_of", l), outcome, detail == null ? "" : detail, time(o, l));
            }
            case Jsonl.REPLAYED_OP -> new ReplayedOp(n, text(o, "conn", l, true), num(o, "orig_tx", l, true),
                    num(o, "tx_id", l, true), dir(o, l), type(o, l), payload(o, l), time(o, l));
            case Jsonl.WATCH_CREATE -> new WatchCreate(n, text(o, "conn", l, false), text(o, "obj", l, false),
                    text(o, "path", l, false), text(o, "token", l, false));
            case Jsonl.WATCH_DESTROY -> new WatchDestroy(n, text(o, "conn", l, false), text(o, "obj", l, false),
                    text(o, "path", l, false), text(o, "token", l, false));
            case Jsonl.NOISE -> noise(o, l);
            case Jsonl.MARKER -> new Marker(n, o.path("blank_before").asBoolean(true));
            case Jsonl.HEADER -> throw error(l, "header record after the first line");
            default -> throw error(l, "unknown record kind '" + kind + "'");
        };
    }

    /**
     * A record of the legacy serve format ({@link #LEGACY_FORMAT}). Connections of domid 0 (socket clients and dom0's
     * ring alike there) get no domid, as in a cxenstored trace; a {@code note} that is cxenstored's
     * {@code CONN <p> ignored, reason <n>} becomes a {@link ConnectionIgnored}.
     */
    private TraceRecord serverRecord(JsonNode o, String kind, LineSource.Line l) {
        long n = l.number();
        TraceTime time = time(o, l);
        switch (kind) {
            case "open" -> {
                if (!LEGACY_FORMAT.equals(text(o, "format", l, true))
                        || num(o, "version", l, true) != LEGACY_VERSION) {
                    throw error(l, "not a " + LEGACY_FORMAT + " version " + LEGACY_VERSION
                            + " open record");
                }
                return new Marker(n, true);
            }
            case "io" -> {
                Direction dir = dir(o, l);
                String conn = text(o, "conn", l, true);
                OptionalInt domid = nonZero(domid(o, l));
                long code = num(o, "type_code", l, true);
                if (code < 0 || code > 0xffffffffL) {
                    throw error(l, "\"type_code\" out of range");
                }
                int type = (int) code;
                OptionalLong reqId = OptionalLong.of(num(o, "req_id", l, true));
                TxContext tx = TxContext.recorded(num(o, "tx_id", l, true));
                Payload payload;
                try {
                    payload = Payload.fromBase64(text(o, "payload_b64", l, true), Payload.Fidelity.EXACT);
                } catch (IllegalArgumentException e) {
                    throw error(l, "\"payload_b64\" is not base64 (" + e.getMessage() + ")");
                }
                if (payload.length() > XsHeader.PAYLOAD_MAX) {
                    throw error(l, "payload of " + payload.length() + " bytes is longer than XENSTORE_PAYLOAD_MAX (4096)");
                }
                if (dir == Direction.IN) {
                    return new Request(n, conn, domid, type, reqId, tx, payload, time);
                }
                if (type == XsType.WATCH_EVENT.code()) {
                    return new WatchEvent(n, conn, domid, reqId, tx, payload, time, false, null);
                }
                return new Reply(n, conn, domid, type, reqId, tx, payload, time, false, null);
            }
            case "create", "destroy" -> {
                boolean create = kind.equals("create");
                String object = text(o, "object", l, true);
                String id = text(o, "id", l, true);
                String conn = text(o, "conn", l, false);
                return switch (object) {
                    case "connection" -> create ? new ConnectionOpen(n, id, nonZero(domid(o, l)), time)
                            : new ConnectionClose(n, id, time);
                    case "watch" -> create ? new WatchCreate(n, conn, id, null, null)
                            : new WatchDestroy(n, conn, id, null, null);
                    case "transaction" -> create ? new TransactionCreate(n, conn, OptionalLong.empty(), id)
                            : new TransactionDestroy(n, conn, OptionalLong.empty(), id);
                    default -> throw error(l, "unknown object '" + object + "' (connection, watch, transaction)");
                };
            }
            case "note" -> {
                String t = text(o, "text", l, true);
                java.util.regex.Matcher m = IGNORED.matcher(t);
                if (m.matches()) {
                    return new ConnectionIgnored(n, m.group(1), Integer.parseInt(m.group(2)));
                }
                return new Noise(n, Noise.Kind.LOG, Payload.of(t.getBytes(StandardCharsets.ISO_8859_1)), true);
            }
            default -> throw error(l, "unknown record kind '" + kind + "' (" + LEGACY_FORMAT
                    + ": open, io, create, destroy, note)");
        }
    }

    private static OptionalInt nonZero(OptionalInt d) {
        return d.isPresent() && d.getAsInt() == 0 ? OptionalInt.empty() : d;
    }

    private Message message(JsonNode o, LineSource.Line l) {
        long n = l.number();
        Direction dir = dir(o, l);
        String conn = text(o, "conn", l, true);
        int type = type(o, l);
        OptionalLong reqId = optLong(o, "req_id", l);
        OptionalLong txId = optLong(o, "tx_id", l);
        TxContext tx = txId.isPresent() ? TxContext.recorded(txId.getAsLong()) : TxContext.UNKNOWN;
        Payload payload = payload(o, l);
        TraceTime time = time(o, l);
        boolean failed = o.path("write_failed").asBoolean(false);
        if (dir == Direction.IN) {
            return new Request(n, conn, domid(o, l), type, reqId, tx, payload, time);
        }
        if (type == XsType.WATCH_EVENT.code()) {
            return new WatchEvent(n, conn, domid(o, l), reqId, tx, payload, time, failed, null);
        }
        return new Reply(n, conn, domid(o, l), type, reqId, tx, payload, time, failed, null);
    }

    private Direction dir(JsonNode o, LineSource.Line l) {
        String d = text(o, "dir", l, true);
        return switch (d) {
            case "in" -> Direction.IN;
            case "out" -> Direction.OUT;
            default -> throw error(l, "\"dir\" must be \"in\" or \"out\", not '" + d + "'");
        };
    }

    private int type(JsonNode o, LineSource.Line l) {
        if (o.has("type_code")) {
            long c = num(o, "type_code", l, true);
            if (c < -1 || c > 0xffffffffL) {
                throw error(l, "\"type_code\" out of range");
            }
            return (int) c;
        }
        String name = text(o, "type", l, false);
        if (name == null) {
            return Message.UNKNOWN_TYPE;
        }
        try {
            return XsType.valueOf(name).code();
        } catch (IllegalArgumentException e) {
            throw error(l, "unknown message type '" + name + "' (use \"type_code\" for numbers without a name)");
        }
    }

    private Payload payload(JsonNode o, LineSource.Line l) {
        String b64 = text(o, "payload", l, true);
        Payload.Fidelity f = Payload.Fidelity.EXACT;
        String fs = text(o, "fidelity", l, false);
        if (fs != null && (f = Jsonl.parseFidelity(fs)) == null) {
            throw error(l, "unknown \"fidelity\" '" + fs + "'");
        }
        Payload p;
        try {
            p = Payload.fromBase64(b64, f);
        } catch (IllegalArgumentException e) {
            throw error(l, "\"payload\" is not base64 (" + e.getMessage() + ")");
        }
        if (p.length() > XsHeader.PAYLOAD_MAX) {
            throw error(l, "payload of " + p.length() + " bytes is longer than XENSTORE_PAYLOAD_MAX (4096)");
        }
        return p;
    }

    private Noise noise(JsonNode o, LineSource.Line l) {
        String cls = text(o, "class", l, true);
        Noise.Kind k;
        try {
            k = Noise.Kind.valueOf(cls.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            k = Noise.Kind.OTHER;
        }
        Payload raw;
        if (o.has("raw")) {
            try {
                raw = Payload.fromBase64(text(o, "raw", l, true), Payload.Fidelity.EXACT);
            } catch (IllegalArgumentException e) {
                throw error(l, "\"raw\" is not base64");
            }
        } else {
            raw = Payload.utf8(text(o, "text", l, true));
        }
        return new Noise(l.number(), k, raw, o.path("terminated").asBoolean(true));
    }

    private TraceTime time(JsonNode o, LineSource.Line l) {
        String w = text(o, "wall", l, false);
        OptionalLong vt = optLong(o, "vt_ns", l);
        if (w == null) {
            return vt.isPresent() ? new TraceTime(null, false, vt) : TraceTime.NONE;
        }
        try {
            return new TraceTime(Jsonl.parseWall(w), w.endsWith("Z"), vt);
        } catch (DateTimeParseException e) {
            throw error(l, "\"wall\" is not an ISO-8601 date-time: '" + w + "'");
        }
    }

    private OptionalInt domid(JsonNode o, LineSource.Line l) {
        OptionalLong d = optLong(o, "domid", l);
        if (d.isPresent() && (d.getAsLong() < 0 || d.getAsLong() > 0xffff)) {
            throw error(l, "\"domid\" out of range: " + d.getAsLong());
        }
        return d.isPresent() ? OptionalInt.of((int) d.getAsLong()) : OptionalInt.empty();
    }

    private OptionalLong optLong(JsonNode o, String f, LineSource.Line l) {
        return o.has(f) && !o.get(f).isNull() ? OptionalLong.of(num(o, f, l, true)) : OptionalLong.empty();
    }

    private long num(JsonNode o, String f, LineSource.Line l, boolean required) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) {
            if (required) {
                throw error(l, "missing \"" + f + "\"");
            }
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw error(l, "\"" + f + "\" must be an integer");
        }
        return v.asLong();
    }

    private String text(JsonNode o, String f, LineSource.Line l, boolean required) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) {
            if (required) {
                throw error(l, "missing \"" + f + "\"");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw error(l, "\"" + f + "\" must be a string");
        }
        return v.asText();
    }

    private JsonNode tree(LineSource.Line l) {
        JsonNode o;
        try {
            o = JSON.readTree(l.text().getBytes(StandardCharsets.ISO_8859_1));
        } catch (JsonProcessingException e) {
            throw error(l, "not a JSON object (" + e.getOriginalMessage() + ")");
        } catch (java.io.IOException e) {
            throw error(l, "not a JSON object (" + e.getMessage() + ")");
        }
        if (o == null || !o.isObject()) {
            throw error(l, "not a JSON object");
        }
        return o;
    }

    private TraceSyntaxException error(LineSource.Line l, String what) {
        return new TraceSyntaxException(in.name(), l.number(), what, l.text());
    }
}
