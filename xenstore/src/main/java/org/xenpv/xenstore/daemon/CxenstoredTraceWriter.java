package org.xenpv.xenstore.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * Writes the cxenstored 4.17 {@code -T/--trace-file} format (xenstored_core.c {@code trace_io()},
 * {@code trace_create()}, {@code trace_destroy()}; xen-pv-protocols.md §4.1):
 * <pre>
 * IN|OUT &lt;conn %p&gt; &lt;YYYYMMDD HH:MM:SS&gt; &lt;TYPE|**UNKNOWN**&gt; (&lt;payload, NUL as space&gt;)
 * CREATE|DESTROY connection|watch|transaction &lt;%p&gt;
 * </pre>
 * Payload bytes are written verbatim (so a trace can hold any byte). Time comes from the given clock's
 * zone. Transaction creation is not written (4.17 does not log it). Not thread-safe.
 */
public final class CxenstoredTraceWriter implements XsTraceSink {

    private final OutputStream out;
    private final Clock clock;

    /** Writes the {@code \n***\n} open marker first, as cxenstored does when it opens the file. */
    public CxenstoredTraceWriter(OutputStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
        write("\n***\n");
    }

    /** {@code %p} rendering of a pseudo pointer. */
    public static String pointer(long id) {
        return "0x" + Long.toHexString(id);
    }

    /** {@code sockmsg_string()}: names of the 4.17 {@code wire_funcs[]}, {@code **UNKNOWN**} otherwise. */
    public static String typeName(int type) {
        XsType t = XsType.of(type);
        if (t == null || t == XsType.RESTRICT || t.code() > XsType.DIRECTORY_PART.code()) {
            return "**UNKNOWN**";
        }
        return t.name();
    }

    @Override
    public void in(XsConnection conn, XsMessage msg) {
        io("IN", conn, msg);
    }

    @Override
    public void out(XsConnection conn, XsMessage msg) {
        io("OUT", conn, msg);
    }

    private void io(String dir, XsConnection conn, XsMessage msg) {
        LocalDateTime t = LocalDateTime.now(clock);
        StringBuilder sb = new StringBuilder(64 + msg.length());
        sb.append(dir).append(' ').append(pointer(conn.traceId())).append(' ')
                .append(String.format("%04d%02d%02d %02d:%02d:%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                        t.getHour(), t.getMinute(), t.getSecond()))
                .append(' ').append(typeName(msg.type())).append(" (");
        for (int i = 0; i < msg.length(); i++) {
            byte b = msg.payloadByte(i);
            sb.append(b == 0 ? ' ' : (char) (b & 0xff));
        }
        sb.append(")\n");
        write(sb.toString());
    }

    @Override
    public void create(Kind kind, long id, XsConnection owner) {
        if (kind != Kind.TRANSACTION) {
            write("CREATE " + kind.label() + " " + pointer(id) + "\n");
        }
    }

    @Override
    public void destroy(Kind kind, long id, XsConnection owner) {
        write("DESTROY " + kind.label() + " " + pointer(id) + "\n");
    }

    @Override
    public void note(String line) {
        write(line + "\n");
    }

    @Override
    public void reopen() {
        write("\n***\n");
    }

    private void write(String s) {
        try {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cxenstored trace write failed", e);
        }
    }
}
