package org.xenpv.xenstore.trace;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.function.LongSupplier;
import org.xenpv.xenstore.daemon.CxenstoredTraceWriter;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.daemon.XsTraceSink;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * Writes the daemon's trace as JSON lines, losslessly: one object per line for every request read
 * ({@code "dir":"in"}), every reply and watch event written ({@code "dir":"out"}), every connection, watch
 * and transaction created or destroyed, and every free-form daemon line. Payloads are kept byte-exact
 * (base64) next to a readable form, with the connection, its domid, req_id and tx_id that cxenstored 4.17's
 * text trace leaves out, and both virtual and wall-clock time. The format is specified field by field in
 * {@code docs/traces.md} ("xenpv JSON lines"); it is what {@code xenpv serve --trace-format jsonl} writes.
 *
 * <p>Called on the daemon's thread. Output is buffered by the caller's stream; {@link #flush} pushes it
 * out (the server flushes once per event-loop batch).
 */
public final class JsonLinesTraceWriter implements XsTraceSink, Flushable, Closeable {

    /** Value of the {@code "format"} field of {@code open} records. */
    public static final String FORMAT = "xenpv-xenstore-trace";
    /** Value of the {@code "version"} field of {@code open} records. */
    public static final int VERSION = 1;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final OutputStream out;
    private final LongSupplier virtualNanos;
    private final Clock wall;
    private final StringBuilder sb = new StringBuilder(256);
    private long seq;

    /**
     * Writes the {@code open} record first.
     *
     * @param virtualNanos virtual time in ns ({@code "vt_ns"}): the simulation kernel's clock, or for a
     *                     server monotonic time since it started
     * @param wall         wall clock for {@code "wall"}
     */
    public JsonLinesTraceWriter(OutputStream out, LongSupplier virtualNanos, Clock wall) {
        this.out = out;
        this.virtualNanos = virtualNanos;
        this.wall = wall;
        open();
    }

    private void open() {
        begin("open");
        sb.append(",\"format\":\"").append(FORMAT).append("\",\"version\":").append(VERSION);
        end();
    }

    @Override
    public void in(XsConnection conn, XsMessage msg) {
        io("in", conn, msg);
    }

    @Override
    public void out(XsConnection conn, XsMessage msg) {
        io("out", conn, msg);
    }

    private void io(String dir, XsConnection conn, XsMessage msg) {
        begin("io");
        sb.append(",\"dir\":\"").append(dir).append('"');
        connection(conn);
        XsType t = msg.knownType();
        sb.append(",\"type\":\"").append(t == null ? "UNKNOWN" : t.name()).append("\",\"type_code\":")
                .append(Integer.toUnsignedString(msg.type()))
                .append(",\"req_id\":").append(Integer.toUnsignedString(msg.reqId()))
                .append(",\"tx_id\":").append(Integer.toUnsignedString(msg.txId()))
                .append(",\"len\":").append(msg.length());
        byte[] p = msg.payload();
        sb.append(",\"payload_b64\":\"").append(Base64.getEncoder().encodeToString(p)).append('"');
        sb.append(",\"payload_text\":");
        string(p, 0, p.length);
        if (t == XsType.WATCH_EVENT) {
            List<String> s = XsPayload.split(p);
            if (s.size() >= 2) {
                sb.append(",\"event\":{\"path\":");
                string(s.get(0));
                sb.append(",\"token\":");
                string(s.get(1));
                sb.append('}');
            }
        } else if (t == XsType.ERROR) {
            sb.append(",\"error\":");
            string(XsPayload.cString(p, 0));
        }
        end();
    }

    @Override
    public void create(Kind kind, long id, XsConnection owner) {
        object("create", kind, id, owner);
    }

    @Override
    public void destroy(Kind kind, long id, XsConnection owner) {
        object("destroy", kind, id, owner);
    }

    private void object(String what, Kind kind, long id, XsConnection owner) {
        begin(what);
        sb.append(",\"object\":\"").append(kind.label()).append("\",\"id\":\"")
                .append(CxenstoredTraceWriter.pointer(id)).append('"');
        if (owner != null) {
            connection(owner);
        }
        end();
    }

    @Override
    public void note(String line) {
        begin("note");
        sb.append(",\"text\":");
        string(line);
        end();
    }

    @Override
    public void reopen() {
        open();
    }

    private void connection(XsConnection conn) {
        sb.append(",\"conn\":\"").append(CxenstoredTraceWriter.pointer(conn.traceId())).append("\",\"domid\":")
                .append(Integer.toUnsignedString(conn.domid())).append(",\"priv\":").append(conn.privileged());
    }

    private void begin(String kind) {
        sb.setLength(0);
        sb.append("{\"seq\":").append(++seq).append(",\"kind\":\"").append(kind).append("\",\"vt_ns\":")
                .append(virtualNanos.getAsLong()).append(",\"wall\":\"").append(wall.instant()).append('"');
    }

    private void end() {
        sb.append("}\n");
        try {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("writing the JSON-lines trace failed", e);
        }
    }

    /** A JSON string of ISO-8859-1 text (each char is one byte 0-255). */
    private void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        string(b, 0, b.length);
    }

    /** A JSON string holding byte {@code b} as the character U+00bb, so the text form is lossless too. */
    private void string(byte[] b, int from, int to) {
        sb.append('"');
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
                    } else {
                        sb.append((char) c);
                    }
                }
            }
        }
        sb.append('"');
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
