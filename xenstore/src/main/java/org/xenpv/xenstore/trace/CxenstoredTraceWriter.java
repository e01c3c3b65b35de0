package org.xenpv.xenstore.trace;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.xenpv.xenstore.wire.XsType;

/**
 * Writes the cxenstored 4.17 {@code -T} trace format ({@code xenstored_core.c} {@code trace_io()} and
 * friends): {@code IN|OUT <conn> YYYYMMDD HH:MM:SS <TYPE> (<payload, NULs as spaces>)},
 * {@code CREATE|DESTROY <connection|watch|transaction> <p>}, {@code CONN <p> ignored, reason <n>},
 * {@code \n***\n}, and cxenstored diagnostics verbatim. A trace read from this format is written back
 * byte for byte; what 4.17 cannot express is dropped and counted ({@link #dropped()}):
 * oxenstored-only records, objects without a pointer, {@code OUT(START)} lines. Later-version details
 * ({@code io:}/{@code obj:} prefixes, {@code (d<domid>)}, {@code OUT(ERR)}) are written in 4.17 form.
 * Times are written as recorded (oxenstored's UTC stays UTC); without a wall time, virtual time
 * since 1970-01-01 is used.
 */
public final class CxenstoredTraceWriter implements TraceWriter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuuMMdd HH:mm:ss", Locale.ROOT);
    /** Types cxenstored 4.17 has a name for ({@code wire_funcs[]}, XS_TYPE_COUNT = 23, no 20). */
    private static final int LAST_417_TYPE = XsType.DIRECTORY_PART.code();

    private final OutputStream out;
    private final Map<String, Long> dropped = new TreeMap<>();

    public CxenstoredTraceWriter(OutputStream out) {
        this.out = new BufferedOutputStream(out, 1 << 16);
    }

    @Override
    public void write(TraceRecord r) throws IOException {
        switch (r) {
            case Request q -> io("IN", q);
            case Reply p -> io("OUT", p);
            case WatchEvent e -> io("OUT", e);
            case ConnectionOpen c -> line("CREATE connection " + c.conn());
            case ConnectionClose c -> line("DESTROY connection " + c.conn());
            case ConnectionIgnored c -> line("CONN " + c.conn() + " ignored, reason " + c.reason());
            case WatchCreate w -> object("CREATE watch ", w.object(), r);
            case WatchDestroy w -> object("DESTROY watch ", w.object(), r);
            case TransactionCreate t -> object("CREATE transaction ", t.object(), r);
            case TransactionDestroy t -> object("DESTROY transaction ", t.object(), r);
            case Marker m -> text(m.blankLineBefore() ? "\n***\n" : "***\n");
            case Noise n -> {
                if (!n.kind().cxenstored() || n.kind() == Noise.Kind.OUT_START) {
                    drop(r);
                } else {
                    out.write(n.raw().bytes());
                    if (n.terminated()) {
                        out.write('\n');
                    }
                }
            }
            case Ambiguity a -> { }
            case TransactionOutcome t -> drop(r);
            case ReplayedOp o -> drop(r);
        }
    }

    private void io(String dir, Message m) throws IOException {
        text(dir + " " + m.conn() + " " + time(m.time()) + " " + name(m.type()) + " (");
        byte[] b = m.payload().bytes();
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                b[i] = ' ';
            }
        }
        out.write(b);
        out.write(')');
        out.write('\n');
    }

    static String name(int type) {
        XsType t = XsType.of(type);
        return t == null || type > LAST_417_TYPE || t == XsType.RESTRICT ? "**UNKNOWN**" : t.traceName();
    }

    static String time(TraceTime t) {
        LocalDateTime w = t.wall();
        if (w == null) {
            long ns = t.virtualNanos().orElse(0);
            w = LocalDateTime.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), 0, ZoneOffset.UTC);
        }
        return TIME.format(w);
    }

    private void object(String prefix, String object, TraceRecord r) throws IOException {
        if (object == null) {
            drop(r);
        } else {
            line(prefix + object);
        }
    }

    private void drop(TraceRecord r) {
        dropped.merge(r.getClass().getSimpleName(), 1L, Long::sum);
    }

    private void line(String s) throws IOException {
        text(s);
        out.write('\n');
    }

    private void text(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Map<String, Long> dropped() {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(dropped));
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
