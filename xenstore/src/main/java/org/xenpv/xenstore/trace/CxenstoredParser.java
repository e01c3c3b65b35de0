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

    /**
     * The fixed part of an I/O line, {@code [io: ]IN|OUT|OUT(END)|OUT(ERR)|OUT(START) <conn> [(d<domid>)]
     * YYYYMMDD HH:MM:SS <TYPE> (}; {@code end} is where the payload starts.
     */
    record IoHeader(boolean prefixed, String dir, String conn, String domid, int year, int month, int day,
                    int hour, int minute, int second, String type, int end) {
    }

    private static final String[] DIRS = {"IN ", "OUT ", "OUT(END) ", "OUT(ERR) ", "OUT(START) "};

    /** Parses the fixed part of an I/O line by hand (hot path); {@code null} if it is none. */
    static IoHeader ioHeader(String s) {
        int p = 0;
        boolean prefixed = s.startsWith("io: ");
        if (prefixed) {
            p = 4;
        }
        String dir = null;
        for (String d : DIRS) {
            if (s.startsWith(d, p)) {
                dir = d.substring(0, d.length() - 1);
                p += d.length();
                break;
            }
        }
        if (dir == null) {
            return null;
        }
        int q = s.indexOf(' ', p);
        if (q <= p) {
            return null;
        }
        String conn = s.substring(p, q);
        p = q + 1;
        String domid = null;
        if (s.startsWith("(d", p)) {
            q = s.indexOf(") ", p);
            if (q < p + 3 || q > p + 12 || !digits(s, p + 2, q)) {
                return null;
            }
            domid = s.substring(p + 2, q);
            p = q + 2;
        }
        // YYYYMMDD HH:MM:SS followed by a space
        if (s.length() < p + 18 || !digits(s, p, p + 8) || s.charAt(p + 8) != ' ' || !digits(s, p + 9, p + 11)
                || s.charAt(p + 11) != ':' || !digits(s, p + 12, p + 14) || s.charAt(p + 14) != ':'
                || !digits(s, p + 15, p + 17) || s.charAt(p + 17) != ' ') {
            return null;
        }
        int year = num(s, p, p + 4);
        int month = num(s, p + 4, p + 6);
        int day = num(s, p + 6, p + 8);
        int hour = num(s, p + 9, p + 11);
        int minute = num(s, p + 12, p + 14);
        int second = num(s, p + 15, p + 17);
        p += 18;
        q = s.indexOf(' ', p);
        if (q <= p || q + 1 >= s.length() || s.charAt(q + 1) != '(') {
            return null;
        }
        return new IoHeader(prefixed, dir, conn, domid, year, month, day, hour, minute, second, s.substring(p, q),
                q + 2);
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int num(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }

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
        if ((c == 'I' || c == 'O' || c == 'i') && ioHeader(s) != null) {
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
        IoHeader m = ioHeader(s);
        String dirWord = m.dir();
        variants.add(m.domid() != null ? Variant.V4_19 : m.prefixed() ? Variant.V4_18 : Variant.V4_17);
        String conn = m.conn();
        OptionalInt domid = m.domid() == null ? OptionalInt.empty()
                : OptionalInt.of(parseInt(m.domid(), first, "domid"));
        LocalDateTime wall;
        try {
            wall = LocalDateTime.of(m.year(), m.month(), m.day(), m.hour(), m.minute(), m.second());
        } catch (DateTimeException e) {
            throw new TraceSyntaxException(in.name(), first.number(), "bad timestamp (" + e.getMessage() + ")", s);
        }
        String typeName = m.type();
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
