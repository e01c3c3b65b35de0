package org.xenpv.xenstore.trace;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.daemon.XsTraceSink;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * Captures what the daemon does as format-neutral trace records ({@code docs/traces.md}) and hands them
 * to a {@link TraceWriter}: the one path from the live daemon to a trace file, whatever the format.
 * {@link #cxenstored} writes cxenstored 4.17's {@code -T} text ({@code xenpv serve --trace-format
 * cxenstored}, the differential tests' traces); {@link #jsonl} writes xenpv JSON lines, which keep
 * req_id, tx_id and exact payload bytes, so a capture of xenpv replays without any ambiguity. Connections
 * are named by their trace pointer ({@code 0x5650885ca670}, {@link XsTraceSink#pointer}); domain
 * connections carry their domid (dom0's own ring: 0), socket connections none.
 *
 * <p>Records are buffered by the writer: {@link #flush} pushes them out (the socket server does after
 * every batch of input), {@link #close} flushes and closes the writer and its stream.
 */
public final class TraceRecordSink implements XsTraceSink, Flushable, Closeable {

    private static final Pattern IGNORED = Pattern.compile("CONN (0x[0-9a-f]+) ignored, reason (\\d+)");

    private final TraceWriter writer;
    private final LongSupplier virtualNanos;
    private final Clock wall;
    private final boolean transactionCreates;

    /**
     * Every record, times in virtual nanoseconds only.
     *
     * @param virtualNanos the simulation's virtual time for {@code vt_ns}, or {@code null} for none
     */
    public TraceRecordSink(TraceWriter writer, LongSupplier virtualNanos) {
        this(writer, virtualNanos, null, true);
    }

    /**
     * @param virtualNanos       virtual time for {@code vt_ns}, or {@code null} for none
     * @param wall               wall clock stamped on messages and connection records, or {@code null}; a
     *                           clock in UTC records UTC, any other zone local time (as cxenstored does)
     * @param transactionCreates whether transaction creation is recorded (cxenstored 4.17 does not log it)
     */
    public TraceRecordSink(TraceWriter writer, LongSupplier virtualNanos, Clock wall, boolean transactionCreates) {
        this.writer = writer;
        this.virtualNanos = virtualNanos;
        this.wall = wall;
        this.transactionCreates = transactionCreates;
    }

    /**
     * The daemon's trace in cxenstored 4.17's {@code -T/--trace-file} format, as cxenstored writes it:
     * {@code \n***\n} first, the clock's local time with second resolution, no transaction creation.
     */
    public static TraceRecordSink cxenstored(OutputStream out, Clock clock) {
        TraceRecordSink s = new TraceRecordSink(new CxenstoredTraceWriter(out), null, clock, false);
        s.reopen();
        return s;
    }

    /**
     * The daemon's trace in xenpv JSON lines ({@code docs/traces.md}).
     *
     * @param header       write the header line (false when appending to a file that has one: a marker
     *                     record then starts the session, as {@code ***} does in cxenstored's format)
     * @param virtualNanos time for {@code vt_ns} (e.g. monotonic time since the server started), or null
     * @param wall         clock for {@code wall} (UTC recommended), or null
     * @param variant      free text for the header (e.g. {@code xenpv serve})
     */
    public static TraceRecordSink jsonl(OutputStream out, boolean header, LongSupplier virtualNanos, Clock wall,
            String variant) {
        TraceRecordSink s = new TraceRecordSink(new JsonlTraceWriter(out, TraceFormat.JSONL, variant, header),
                virtualNanos, wall, true);
        if (!header) {
            s.reopen();
        }
        return s;
    }

    @Override
    public void in(XsConnection conn, XsMessage msg) {
        write(new Request(0, name(conn), domid(conn), msg.type(), OptionalLong.of(Integer.toUnsignedLong(msg.reqId())),
                TxContext.recorded(Integer.toUnsignedLong(msg.txId())), Payload.of(msg.payload()), time()));
    }

    @Override
    public void out(XsConnection conn, XsMessage msg) {
        OptionalLong req = OptionalLong.of(Integer.toUnsignedLong(msg.reqId()));
        TxContext tx = TxContext.recorded(Integer.toUnsignedLong(msg.txId()));
        if (msg.type() == XsType.WATCH_EVENT.code()) {
            write(new WatchEvent(0, name(conn), domid(conn), req, tx, Payload.of(msg.payload()), time(), false, null));
        } else {
            write(new Reply(0, name(conn), domid(conn), msg.type(), req, tx, Payload.of(msg.payload()), time(), false,
                    null));
        }
    }

    @Override
    public void create(Kind kind, long id, XsConnection owner) {
        String p = XsTraceSink.pointer(id);
        switch (kind) {
            case CONNECTION -> write(new ConnectionOpen(0, p, domid(owner), time()));
            case WATCH -> write(new WatchCreate(0, name(owner), p, null, null));
            case TRANSACTION -> {
                if (transactionCreates) {
                    write(new TransactionCreate(0, name(owner), OptionalLong.empty(), p));
                }
            }
        }
    }

    @Override
    public void destroy(Kind kind, long id, XsConnection owner) {
        String p = XsTraceSink.pointer(id);
        write(switch (kind) {
            case CONNECTION -> new ConnectionClose(0, p, time());
            case WATCH -> new WatchDestroy(0, name(owner), p, null, null);
            case TRANSACTION -> new TransactionDestroy(0, name(owner), OptionalLong.empty(), p);
        });
    }

    /**
     * A daemon line: {@code CONN <p> ignored, reason <n>} becomes its record (the connection's end for a
     * replay), anything else a log line, its characters taken as bytes (the daemon's strings are ISO-8859-1).
     */
    @Override
    public void note(String line) {
        Matcher m = IGNORED.matcher(line);
        if (m.matches()) {
            write(new ConnectionIgnored(0, m.group(1), Integer.parseInt(m.group(2))));
        } else {
            write(new Noise(0, Noise.Kind.LOG, Payload.of(line.getBytes(StandardCharsets.ISO_8859_1)), true));
        }
    }

    @Override
    public void reopen() {
        write(new Marker(0, true));
    }

    @Override
    public void flush() throws IOException {
        writer.flush();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    private static String name(XsConnection c) {
        return c == null ? null : XsTraceSink.pointer(c.traceId());
    }

    private static OptionalInt domid(XsConnection c) {
        return c != null && c.isDomainConnection() ? OptionalInt.of(c.domid()) : OptionalInt.empty();
    }

    private TraceTime time() {
        OptionalLong vt = virtualNanos == null ? OptionalLong.empty() : OptionalLong.of(virtualNanos.getAsLong());
        if (wall == null) {
            return vt.isEmpty() ? TraceTime.NONE : new TraceTime(null, false, vt);
        }
        return new TraceTime(LocalDateTime.now(wall), ZoneOffset.UTC.equals(wall.getZone().normalized()), vt);
    }

    private void write(TraceRecord r) {
        try {
            writer.write(r);
        } catch (IOException e) {
            throw new UncheckedIOException("trace capture write failed", e);
        }
    }
}
