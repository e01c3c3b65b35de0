package org.xenpv.xenstore.trace;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/**
 * Parser for cxenstored's {@code -T/--trace-file} output ({@code xenstored_core.c} {@code trace_io()},
 * {@code trace_create()}, {@code trace_destroy()}, and the daemon's other {@code trace()}/{@code log()}
 * lines). Accepts the 4.17 form and the 4.18+ ({@code io:}/{@code obj:} prefixes) and 4.19+
 * ({@code (d<domid>)}, {@code OUT(END)}/{@code OUT(ERR)}/{@code OUT(START)}) forms, line by line.
 * Line kinds and rules: {@code docs/traces.md}.
 */
final class CxenstoredParser implements RecordSource {

    enum Variant { V4_17, V4_18, V4_19 }

    /** {@code [io: ]IN|OUT... <conn> [(d<domid>)] YYYYMMDD HH:MM:SS <TYPE> (}. */
    static final Pattern IO = Pattern.compile(
            "(io: )?(IN|OUT|OUT\\(END\\)|OUT\\(ERR\\)|OUT\\(START\\)) (\\S+) (?:\\(d(\\d{1,10})\\) )?"
                    + "(\\d{4})(\\d{2})(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\S+) \\(");
    static final Pattern OBJ = Pattern.compile("(obj: )?(CREATE|DESTROY) (connection|watch|transaction) (\\S+)");
    static final Pattern CONN = Pattern.compile("CONN (\\S+) ignored, reason (\\d{1,10})");
    private static final Pattern OX_LINE = Pattern.compile("\\[\\d{8}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\] .*");
    private static final Pattern CONTROL_WORD = Pattern.compile("[A-Za-z0-9_-]+");

    private static final String[][] NOISE = {
            {"wrl: ", "WRL"},
            {"Checking store ...", "CHECK_STORE"}, {"Checking store complete.", "CHECK_STORE"},
            {"check_store: ", "CHECK_STORE"}, {"clean_store: ", "CHECK_STORE"},
            {"corruption detected by connection ", "CHECK_STORE"},
            {"TDB: ", "TDB"}, {"tdb: ", "TDB"}, {"TDB error on read: ", "TDB"},
            {"acc: ", "ACC"},
            {"Delaying transaction start for connection ", "FLOW"}, {"Stalling connection ", "FLOW"},
            {"watch event path ", "FLOW"},
            {"orphaned node ", "ORPHAN"}, {"moving orphaned node ", "ORPHAN"},
            {"dropping duplicate watch ", "LOG"}, {"treewalk: ", "LOG"}, {"talloc failure during logging", "LOG"},
            {"control: ", "LOG"}, {"live-update: ", "LOG"}, {"FATAL: ", "LOG"}, {"[ERR] ", "LOG"},
            {"Got message ", "LOG"}, {"Writing msg ", "LOG"}, {"Correct accounting data for domain ", "LOG"},
            {"special node ", "LOG"}, {"Could not initialize dom", "LOG"}, {"priv_domid defaulted to ", "LOG"},
            {"xenstored: ", "LOG"}, {"Node ", "LOG"},
    };

    /** What a line is, by its first characters. */
    enum LineKind { BLANK, MARKER, IO, OBJ, CONN, NOISE }

    private final LineSource in;
    private final Set<Variant> variants = EnumSet.noneOf(Variant.class);
    /**
     * Lines to parse again before reading on: the rest of a line after glued {@code control: <cmd>}
     * output, or lines a payload look-ahead took and gave back.
     */
    private final java.util.ArrayDeque<LineSource.Line> pushback = new java.util.ArrayDeque<>();

    CxenstoredParser(LineSource in) {
        this.in = in;
    }

    @Override
    public String variant() {
        if (variants.isEmpty()) {
            return "cxenstored";
        }
        StringBuilder b = new StringBuilder("cxenstored");
        for (Variant v : variants) {
            b.append(b.length() == 10 ? " " : "+").append(v.name().substring(1).replace('_', '.'));
        }
        return b.toString();
    }

    static LineKind classify(String s) {
        if (s.isEmpty()) {
            return LineKind.BLANK;
        }
        if (s.equals("***")) {
            return LineKind.MARKER;
        }
        char c = s.charAt(0);
        if ((c == 'I' || c == 'O' || c == 'i') && IO.matcher(s).lookingAt()) {
            return LineKind.IO;
        }
        if ((c == 'C' || c == 'D' || c == 'o') && OBJ.matcher(s).matches()) {
            return LineKind.OBJ;
        }
        if (c == 'C' && CONN.matcher(s).matches()) {
            return LineKind.CONN;
        }
        return noiseKind(s) != null ? LineKind.NOISE : null;
    }

    static Noise.Kind noiseKind(String s) {
        for (String[] n : NOISE) {
            if (s.startsWith(n[0])) {
                return Noise.Kind.valueOf(n[1]);
            }
        }
        return null;
    }

    @Override
    public TraceRecord next() {
        LineSource.Line l = takeLine();
        if (l == null) {
            return null;
        }
        String s = l.text();
        LineKind k = kindOf(l);
        if (k == null) {
            throw new TraceSyntaxException(in.name(), l.number(), "unrecognized cxenstored trace line" + hint(s), s);
        }
        return switch (k) {
            case BLANK -> blank(l);
            case MARKER -> new Marker(l.number(), false);
            case IO -> io(l);
            case OBJ -> obj(l);
            case CONN -> {
                Matcher m = CONN.matcher(s);
                m.matches();
                yield new ConnectionIgnored(l.number(), m.group(1), parseInt(m.group(2), l, "reason"));
            }
            case NOISE -> noise(l);
        };
    }

    private static String hint(String s) {
        if (OX_LINE.matcher(s).matches()) {
            return " (it looks like an oxenstored access log line: mixed formats?)";
        }
        if (s.startsWith("{")) {
            return " (it looks like a JSON line: mixed formats?)";
        }
        return "";
    }

    private TraceRecord blank(LineSource.Line l) {
        LineSource.Line p = peekLine();
        if (p != null && p.problem() == null && p.text().equals("***")) {
            takeLine();
            return new Marker(p.number(), true);
        }
        return new Noise(l.number(), Noise.Kind.BLANK, Payload.EMPTY, l.terminated());
    }

    private TraceRecord noise(LineSource.Line l) {
        String s = l.text();
        Noise.Kind kind = noiseKind(s);
        if (s.startsWith("control: ")) {
            // xprintf("control: %s", cmd) has no newline: with xprintf = trace (daemon mode) the next
            // trace output continues on the same line.
            for (int j = "control: ".length() + 1; j < s.length(); j++) {
                String rest = s.substring(j);
                LineKind rk = classify(rest);
                if (rk != null && rk != LineKind.BLANK
                        && CONTROL_WORD.matcher(s.substring("control: ".length(), j)).matches()) {
                    pushback.addFirst(new LineSource.Line(rest, l.number(), l.terminated(), null));
                    return new Noise(l.number(), Noise.Kind.LOG, Payload.ofLatin1(s.substring(0, j),
                            Payload.Fidelity.EXACT), false);
                }
            }
        }
        if (s.startsWith("acc: ") || s.startsWith("tdb: ")) {
            variants.add(Variant.V4_18);
        }
        return new Noise(l.number(), kind, Payload.ofLatin1(s, Payload.Fidelity.EXACT), l.terminated());
    }

    private TraceRecord obj(LineSource.Line l) {
        Matcher m = OBJ.matcher(l.text());
        m.matches();
        variants.add(m.group(1) != null ? Variant.V4_18 : Variant.V4_17);
        boolean create = m.group(2).equals("CREATE");
        String p = m.group(4);
        long n = l.number();
        return switch (m.group(3)) {
            case "connection" -> create ? new ConnectionOpen(n, p, OptionalInt.empty(), TraceTime.NONE)
                    : new ConnectionClose(n, p, TraceTime.NONE);
            case "watch" -> create ? new WatchCreate(n, null, p, null, null) : new WatchDestroy(n, null, p, null, null);
            default -> create ? new TransactionCreate(n, null, OptionalLong.empty(), p)
                    : new TransactionDestroy(n, null, OptionalLong.empty(), p);
        };
    }

    private TraceRecord io(LineSource.Line first) {
        String s = first.text();
        Matcher m = IO.matcher(s);
        m.lookingAt();
        String dirWord = m.group(2);
        variants.add(m.group(4) != null ? Variant.V4_19 : m.group(1) != null ? Variant.V4_18 : Variant.V4_17);
        String conn = m.group(3);
        OptionalInt domid = m.group(4) == null ? OptionalInt.empty()
                : OptionalInt.of(parseInt(m.group(4), first, "domid"));
        LocalDateTime wall;
        try {
            wall = LocalDateTime.of(Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)),
                    Integer.parseInt(m.group(7)), Integer.parseInt(m.group(8)), Integer.parseInt(m.group(9)),
                    Integer.parseInt(m.group(10)));
        } catch (DateTimeException e) {
            throw new TraceSyntaxException(in.name(), first.number(), "bad timestamp (" + e.getMessage() + ")", s);
        }
        String typeName = m.group(11);
        int type = typeCode(typeName);
        if (type == Integer.MIN_VALUE) {
            throw new TraceSyntaxException(in.name(), first.number(),
                    "unknown message type '" + typeName + "' (expected an xs_wire.h name or **UNKNOWN**)", s);
        }
        StringBuilder shown = new StringBuilder(s.length() - m.end() + 16);
        shown.append(s, m.end(), s.length());
        boolean terminated = first.terminated();
        // The payload ends with ')' at the end of a line that is followed by a record (or the end);
        // payloads may contain newlines (CONTROL help) and even lines ending in ')'. If going on past
        // such a line leads nowhere, the payload ended there and the lines taken are given back, so
        // that a bad line is reported at its own number.
        int candidate = -1;
        boolean candidateTerminated = false;
        java.util.List<LineSource.Line> taken = new java.util.ArrayList<>();
        String failure = null;
        while (true) {
            LineSource.Line p = peekLine();
            boolean ends = shown.length() > 0 && shown.charAt(shown.length() - 1) == ')';
            if (ends && (p == null || p.problem() != null || kindOf(p) != null)) {
                break;
            }
            if (ends && candidate < 0) {
                candidate = shown.length();
                candidateTerminated = terminated;
            }
            if (p == null) {
                failure = "message payload not closed by ')' before the end of the file (truncated trace?)";
            } else if (p.problem() == null && (kindOf(p) == LineKind.IO || p.text().equals("***"))) {
                failure = "message payload not closed by ')' before the next record at line " + p.number();
            } else if (shown.length() + 1 + p.text().length() > XsHeader.PAYLOAD_MAX + 1) {
                failure = "message payload longer than " + XsHeader.PAYLOAD_MAX
                        + " bytes (XENSTORE_PAYLOAD_MAX) or not closed by ')'";
            }
            if (failure != null) {
                if (candidate < 0) {
                    for (int i = taken.size() - 1; i >= 0; i--) {
                        pushback.addFirst(taken.get(i));
                    }
                    throw new TraceSyntaxException(in.name(), first.number(), failure, s);
                }
                for (int i = taken.size() - 1; i >= 0; i--) {
                    pushback.addFirst(taken.get(i));
                }
                shown.setLength(candidate);
                terminated = candidateTerminated;
                break;
            }
            takeLine();
            taken.add(p);
            shown.append('\n').append(p.text());
            terminated = p.terminated();
        }
        if (shown.length() > XsHeader.PAYLOAD_MAX + 1) {
            throw new TraceSyntaxException(in.name(), first.number(),
                    "message payload longer than " + XsHeader.PAYLOAD_MAX + " bytes (XENSTORE_PAYLOAD_MAX)", s);
        }
        long line = first.number();
        if (dirWord.equals("OUT(START)")) {
            String raw = s.substring(0, m.end()) + shown;
            return new Noise(line, Noise.Kind.OUT_START, Payload.ofLatin1(raw, Payload.Fidelity.EXACT), terminated);
        }
        Direction dir = dirWord.equals("IN") ? Direction.IN : Direction.OUT;
        Payload payload = SpacedPayload.decode(shown.substring(0, shown.length() - 1), dir, type, false);
        TraceTime time = TraceTime.local(wall);
        if (dir == Direction.IN) {
            return new Request(line, conn, domid, type, OptionalLong.empty(), TxContext.UNKNOWN, payload, time);
        }
        boolean failed = dirWord.equals("OUT(ERR)");
        if (type == XsType.WATCH_EVENT.code()) {
            return new WatchEvent(line, conn, domid, OptionalLong.empty(), TxContext.UNKNOWN, payload, time, failed,
                    null);
        }
        return new Reply(line, conn, domid, type, OptionalLong.empty(), TxContext.UNKNOWN, payload, time, failed,
                null);
    }

    private LineSource.Line classifiedLine;
    private LineKind classifiedKind;

    /** {@link #classify} with a one-line cache: a peeked line is classified again when it is taken. */
    private LineKind kindOf(LineSource.Line l) {
        if (l != classifiedLine) {
            classifiedKind = classify(l.text());
            classifiedLine = l;
        }
        return classifiedKind;
    }

    private LineSource.Line takeLine() {
        return pushback.isEmpty() ? in.next() : pushback.pollFirst();
    }

    private LineSource.Line peekLine() {
        return pushback.isEmpty() ? in.peek() : pushback.peekFirst();
    }

    /** xs_wire.h code for a trace type name; {@link Message#UNKNOWN_TYPE} for **UNKNOWN**. */
    static int typeCode(String name) {
        Integer c = TYPE_CODES.get(name);
        return c != null ? c : Integer.MIN_VALUE;
    }

    private static final java.util.Map<String, Integer> TYPE_CODES = typeCodes();

    private static java.util.Map<String, Integer> typeCodes() {
        java.util.Map<String, Integer> m = new java.util.HashMap<>();
        for (XsType t : XsType.values()) {
            m.put(t.traceName(), t.code());
        }
        m.put("DEBUG", XsType.CONTROL.code());
        m.put("**UNKNOWN**", Message.UNKNOWN_TYPE);
        return java.util.Map.copyOf(m);
    }

    private int parseInt(String digits, LineSource.Line l, String what) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new TraceSyntaxException(in.name(), l.number(), what + " out of range", l.text());
        }
    }
}
