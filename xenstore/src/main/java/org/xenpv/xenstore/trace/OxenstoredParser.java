package org.xenpv.xenstore.trace;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenpv.xenstore.wire.XsType;

/**
 * Parser for oxenstored's access log ({@code tools/ocaml/xenstored/logging.ml}): each line is
 * {@code "[" date "] " " " %-12s(con[.tid]) " " op(padded to 9) " " data}, data being the payload
 * with NULs as spaces, OCaml-escaped ({@code String.escaped}), and the whole line cut to 179
 * characters ending {@code ..} when longer. Rules: {@code docs/traces.md}.
 */
final class OxenstoredParser implements RecordSource {

    /** oxenstored's default {@code access-log-nb-chars} (180) minus one: length of a cut line. */
    static final int CUT_LENGTH = 179;
    static final Pattern DATE = Pattern.compile("\\[(\\d{4})(\\d{2})(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})\\.(\\d{3})Z\\] ");
    private static final Pattern TID = Pattern.compile("(?:r\\((\\d{1,18})\\):)?([AD])(\\d{1,10})(?:\\.(\\d{1,18}))?");

    enum Op {
        NEWCONN("newconn", -2), ENDCONN("endconn", -2), COMMIT("commit", -2), CONFLICT("conflict", -2),
        COALESCE("coalesce", -2), W_NOTFIRED("w notfired", -2), W_EVENT("w event", XsType.WATCH_EVENT.code()),
        ERROR("error", XsType.ERROR.code()), T_START("t start", -2), T_END("t end", -2),
        DEBUG("debug", XsType.CONTROL.code()), DIRECTORY("directory", XsType.DIRECTORY.code()),
        READ("read", XsType.READ.code()), GETPERMS("getperms", XsType.GET_PERMS.code()),
        WATCH("watch", XsType.WATCH.code()), UNWATCH("unwatch", XsType.UNWATCH.code()),
        INTRODUCE("introduce", XsType.INTRODUCE.code()), RELEASE("release", XsType.RELEASE.code()),
        GETDOMAIN("getdomain", XsType.GET_DOMAIN_PATH.code()),
        IS_INTRODUCED("is introduced", XsType.IS_DOMAIN_INTRODUCED.code()),
        RESUME("resume", XsType.RESUME.code()), WRITE("write", XsType.WRITE.code()),
        MKDIR("mkdir", XsType.MKDIR.code()), RM("rm", XsType.RM.code()), SETPERMS("setperms", XsType.SET_PERMS.code()),
        RESET_WATCHES("reset watches", XsType.RESET_WATCHES.code()), SETTARGET("settarget", XsType.SET_TARGET.code()),
        INVALID("invalid", Message.UNKNOWN_TYPE);

        final String word;
        /** xs_wire.h type for request-like ops; -2 for lines that are not messages. */
        final int type;

        Op(String word, int type) {
            this.word = word;
            this.type = type;
        }

        /** Width of the op column: {@code string_of_access_type} pads to 9, longer names are not cut. */
        int width() {
            return Math.max(9, word.length());
        }
    }

    private static final Op[] BY_LENGTH = java.util.Arrays.stream(Op.values())
            .sorted((a, b) -> b.word.length() - a.word.length()).toArray(Op[]::new);

    /** One parsed line. {@code conn} is null for the daemon's own lines ({@code =======>}, empty). */
    record OxLine(long number, String text, LocalDateTime wall, String tidField, String conn, OptionalInt domid,
                  long tx, OptionalLong replayOf, Op op, String data, boolean truncated) {
    }

    private final LineSource in;

    OxenstoredParser(LineSource in) {
        this.in = in;
    }

    @Override
    public String variant() {
        return "oxenstored access log";
    }

    static boolean looksLike(String s) {
        return DATE.matcher(s).lookingAt();
    }

    @Override
    public TraceRecord next() {
        LineSource.Line l = in.next();
        if (l == null) {
            return null;
        }
        OxLine x = parse(l, in.name());
        long n = x.number();
        TraceTime time = TraceTime.utc(x.wall());
        if (x.conn() == null) {
            if (x.op() != Op.DEBUG) {
                throw new TraceSyntaxException(in.name(), n, "operation '" + x.op().word
                        + "' without a connection name", x.text());
            }
            return new Noise(n, Noise.Kind.DAEMON_DEBUG, Payload.ofLatin1(x.text(), Payload.Fidelity.EXACT),
                    l.terminated());
        }
        boolean replay = x.replayOf().isPresent();
        return switch (x.op()) {
            case NEWCONN -> new ConnectionOpen(n, x.conn(), x.domid(), time);
            case ENDCONN -> new ConnectionClose(n, x.conn(), time);
            case COMMIT, CONFLICT, COALESCE -> new TransactionOutcome(n, x.conn(), x.tx(), x.replayOf(),
                    TransactionOutcome.Outcome.valueOf(x.op().name()), x.data().strip(), time);
            case W_NOTFIRED -> new Noise(n, Noise.Kind.WATCH_NOT_FIRED,
                    Payload.ofLatin1(x.text(), Payload.Fidelity.EXACT), l.terminated());
            case T_START -> new TransactionCreate(n, x.conn(), OptionalLong.of(x.tx()), null);
            case T_END -> new TransactionDestroy(n, x.conn(), OptionalLong.of(x.tx()), null);
            case ERROR -> replay ? replayed(x, Direction.OUT, time) : new Reply(n, x.conn(), x.domid(),
                    XsType.ERROR.code(), OptionalLong.empty(), TxContext.recorded(x.tx()),
                    payload(x, Direction.OUT), time, false, null);
            case W_EVENT -> replay ? replayed(x, Direction.IN, time)
                    : rejectedClientEvent(x) ? request(x, time)
                    : new WatchEvent(n, x.conn(), x.domid(), OptionalLong.empty(), TxContext.recorded(x.tx()),
                            payload(x, Direction.OUT), time, false, null);
            default -> replay ? replayed(x, Direction.IN, time) : request(x, time);
        };
    }

    private Request request(OxLine x, TraceTime time) {
        return new Request(x.number(), x.conn(), x.domid(), x.op().type, OptionalLong.empty(),
                TxContext.recorded(x.tx()), payload(x, Direction.IN), time);
    }

    private ReplayedOp replayed(OxLine x, Direction dir, TraceTime time) {
        return new ReplayedOp(x.number(), x.conn(), x.replayOf().getAsLong(), x.tx(), dir, x.op().type,
                payload(x, dir), time);
    }

    /**
     * A {@code w event} line is the client's own (invalid) WATCH_EVENT request, not an event, when the
     * very next line is that connection's {@code error ENOSYS} at the same time: oxenstored logs an
     * operation and its error answer together.
     */
    private boolean rejectedClientEvent(OxLine x) {
        LineSource.Line p = in.peek();
        if (p == null || p.problem() != null) {
            return false;
        }
        try {
            OxLine y = parse(p, in.name());
            return y.op() == Op.ERROR && y.tidField().equals(x.tidField()) && y.wall().equals(x.wall())
                    && y.data().startsWith("ENOSYS");
        } catch (TraceSyntaxException e) {
            return false;
        }
    }

    private static Payload payload(OxLine x, Direction dir) {
        return SpacedPayload.decode(x.data(), dir, x.op().type, x.truncated());
    }

    static OxLine parse(LineSource.Line l, String file) {
        String s = l.text();
        long n = l.number();
        Matcher d = DATE.matcher(s);
        if (!d.lookingAt()) {
            throw new TraceSyntaxException(file, n, "not an oxenstored access log line (expected "
                    + "'[YYYYMMDDThh:mm:ss.mmmZ]  <conn> <op> <data>')" + hint(s), s);
        }
        LocalDateTime wall;
        try {
            wall = LocalDateTime.of(Integer.parseInt(d.group(1)), Integer.parseInt(d.group(2)),
                    Integer.parseInt(d.group(3)), Integer.parseInt(d.group(4)), Integer.parseInt(d.group(5)),
                    Integer.parseInt(d.group(6)), Integer.parseInt(d.group(7)) * 1_000_000);
        } catch (DateTimeException e) {
            throw new TraceSyntaxException(file, n, "bad timestamp (" + e.getMessage() + ")", s);
        }
        int p = d.end();
        if (p >= s.length() || s.charAt(p) != ' ') {
            throw new TraceSyntaxException(file, n, "expected two spaces after the timestamp", s);
        }
        p++;
        int sp = s.indexOf(' ', p);
        if (sp < 0) {
            throw new TraceSyntaxException(file, n, "missing operation after the connection name", s);
        }
        String tidField = s.substring(p, sp);
        int fieldEnd = p + Math.max(12, tidField.length());
        if (fieldEnd >= s.length() || !blank(s, sp, fieldEnd) || s.charAt(fieldEnd) != ' ') {
            throw new TraceSyntaxException(file, n, "connection column not padded to 12 characters", s);
        }
        int opStart = fieldEnd + 1;
        Op op = null;
        for (Op o : BY_LENGTH) {
            if (s.startsWith(o.word, opStart) && (opStart + o.word.length() == s.length()
                    || s.charAt(opStart + o.word.length()) == ' ')) {
                op = o;
                break;
            }
        }
        if (op == null) {
            throw new TraceSyntaxException(file, n, "unknown operation '" + word(s, opStart) + "'", s);
        }
        int dataStart = opStart + op.width() + 1;
        if (dataStart > s.length() || !blank(s, opStart + op.word.length(), dataStart)) {
            throw new TraceSyntaxException(file, n, "operation column of '" + op.word
                    + "' not padded to " + op.width() + " characters plus a space", s);
        }
        boolean truncated = s.length() == CUT_LENGTH && s.endsWith("..");
        String raw = s.substring(dataStart, truncated ? s.length() - 2 : s.length());
        String data = unescape(raw, truncated, file, n, s);
        String conn = null;
        OptionalInt domid = OptionalInt.empty();
        long tx = 0;
        OptionalLong replayOf = OptionalLong.empty();
        if (!tidField.isEmpty() && !tidField.equals("=======>")) {
            Matcher t = TID.matcher(tidField);
            if (!t.matches()) {
                throw new TraceSyntaxException(file, n, "bad connection name '" + tidField
                        + "' (expected A<n>, D<domid>, optionally .<tid> or r(<tid>): before)", s);
            }
            conn = t.group(2) + t.group(3);
            if (t.group(2).equals("D")) {
                domid = OptionalInt.of(intOf(t.group(3), file, n, s));
            }
            if (t.group(4) != null) {
                tx = Long.parseLong(t.group(4));
            }
            if (t.group(1) != null) {
                replayOf = OptionalLong.of(Long.parseLong(t.group(1)));
            }
        }
        return new OxLine(n, s, wall, tidField, conn, domid, tx, replayOf, op, data, truncated);
    }

    private static String hint(String s) {
        if (CxenstoredParser.classify(s) != null && !s.isEmpty()) {
            return " (it looks like a cxenstored trace line: mixed formats?)";
        }
        return s.startsWith("{") ? " (it looks like a JSON line: mixed formats?)" : "";
    }

    private static int intOf(String digits, String file, long n, String s) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new TraceSyntaxException(file, n, "domid out of range", s);
        }
    }

    private static boolean blank(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != ' ') {
                return false;
            }
        }
        return true;
    }

    private static String word(String s, int from) {
        int e = s.indexOf(' ', from);
        return s.substring(from, e < 0 ? s.length() : e);
    }

    /**
     * Reverses OCaml's {@code String.escaped}: {@code \\ \" \' \n \t \r \b \DDD} (decimal) and
     * {@code \xHH}. In a cut line an escape may be cut too; its remains are dropped.
     */
    static String unescape(String s, boolean truncated, String file, long n, String line) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i + 1 >= s.length()) {
                if (truncated) {
                    break;
                }
                throw new TraceSyntaxException(file, n, "backslash at the end of the data", line);
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\\', '"', '\'', ' ' -> b.append(e);
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'x' -> {
                    if (i + 2 >= s.length()) {
                        if (truncated) {
                            i = s.length();
                            continue;
                        }
                        throw new TraceSyntaxException(file, n, "cut hex escape", line);
                    }
                    int v = hex(s, i + 1, file, n, line);
                    b.append((char) v);
                    i += 2;
                }
                default -> {
                    if (e >= '0' && e <= '9') {
                        if (i + 2 >= s.length()) {
                            if (truncated) {
                                i = s.length();
                                continue;
                            }
                            throw new TraceSyntaxException(file, n, "cut decimal escape", line);
                        }
                        int v = dec(s, i, file, n, line);
                        b.append((char) v);
                        i += 2;
                    } else {
                        throw new TraceSyntaxException(file, n, "unknown escape '\\" + e + "'", line);
                    }
                }
            }
        }
        return b.toString();
    }

    private static int dec(String s, int at, String file, long n, String line) {
        int v = 0;
        for (int k = at; k < at + 3; k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                throw new TraceSyntaxException(file, n, "bad decimal escape '\\" + s.substring(at, at + 3) + "'", line);
            }
            v = v * 10 + (c - '0');
        }
        if (v > 255) {
            throw new TraceSyntaxException(file, n, "decimal escape above 255", line);
        }
        return v;
    }

    private static int hex(String s, int at, String file, long n, String line) {
        if (at + 2 > s.length()) {
            throw new TraceSyntaxException(file, n, "cut hex escape", line);
        }
        try {
            return Integer.parseInt(s.substring(at, at + 2), 16);
        } catch (NumberFormatException e) {
            throw new TraceSyntaxException(file, n, "bad hex escape", line);
        }
    }
}
