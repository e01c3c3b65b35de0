package org.xenpv.xenstore.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.xenpv.xenstore.daemon.CxenstoredTraceWriter;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.daemon.XsTraceSink;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * Captures what the daemon does as format-neutral trace records ({@code docs/traces.md}) and hands them
 * to a {@link TraceWriter}, e.g. xenpv JSON lines, which, unlike cxenstored's 4.17 text format, keep
 * req_id, tx_id and exact payload bytes: a capture of xenpv replays without any ambiguity. Connections
 * are named by their trace pointer ({@code 0x5650885ca670}, as in {@link CxenstoredTraceWriter}); domain
 * connections carry their domid (dom0's own ring: 0), socket connections none.
 */
public final class TraceRecordSink implements XsTraceSink {

    private final TraceWriter writer;
    private final LongSupplier virtualNanos;

    /**
     * @param virtualNanos the simulation's virtual time for {@code vt_ns}, or {@code null} for none
     */
    public TraceRecordSink(TraceWriter writer, LongSupplier virtualNanos) {
        this.writer = writer;
        this.virtualNanos = virtualNanos;
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
        String p = CxenstoredTraceWriter.pointer(id);
        write(switch (kind) {
            case CONNECTION -> new ConnectionOpen(0, p, domid(owner), time());
            case WATCH -> new WatchCreate(0, name(owner), p, null, null);
            case TRANSACTION -> new TransactionCreate(0, name(owner), OptionalLong.empty(), p);
        });
    }

    @Override
    public void destroy(Kind kind, long id, XsConnection owner) {
        String p = CxenstoredTraceWriter.pointer(id);
        write(switch (kind) {
            case CONNECTION -> new ConnectionClose(0, p, time());
            case WATCH -> new WatchDestroy(0, name(owner), p, null, null);
            case TRANSACTION -> new TransactionDestroy(0, name(owner), OptionalLong.empty(), p);
        });
    }

    @Override
    public void note(String line) {
        write(new Noise(0, Noise.Kind.LOG, Payload.of(line.getBytes(StandardCharsets.UTF_8)), true));
    }

    @Override
    public void reopen() {
        write(new Marker(0, true));
    }

    private static String name(XsConnection c) {
        return c == null ? null : CxenstoredTraceWriter.pointer(c.traceId());
    }

    private static OptionalInt domid(XsConnection c) {
        return c != null && c.isDomainConnection() ? OptionalInt.of(c.domid()) : OptionalInt.empty();
    }

    private TraceTime time() {
        return virtualNanos == null ? TraceTime.NONE
                : new TraceTime(null, false, OptionalLong.of(virtualNanos.getAsLong()));
    }

    private void write(TraceRecord r) {
        try {
            writer.write(r);
        } catch (IOException e) {
            throw new UncheckedIOException("trace capture write failed", e);
        }
    }
}
