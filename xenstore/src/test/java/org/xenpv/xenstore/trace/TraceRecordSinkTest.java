package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.daemon.XsTraceSink;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * The live daemon's trace through {@link TraceRecordSink}: the JSON lines {@code xenpv serve
 * --trace-format jsonl} writes read back with every field exact (req_id, tx_id, bytes, times, the
 * ignored connection), a second session appended to the same file reads as one trace, and the same run
 * in cxenstored's format is its 4.17 text.
 */
class TraceRecordSinkTest {

    private static final Clock WALL = Clock.fixed(Instant.parse("2026-11-24T15:26:49.701456854Z"), ZoneOffset.UTC);

    private static List<TraceRecord> read(byte[] trace) throws Exception {
        List<TraceRecord> out = new ArrayList<>();
        try (TraceReader r = TraceReader.open(new ByteArrayInputStream(trace), "serve.jsonl", trace.length,
                TraceOptions.DEFAULT)) {
            assertThat(r.format()).isEqualTo(TraceFormat.JSONL);
            assertThat(r.variant()).isEqualTo("xenpv jsonl");
            while (r.hasNext()) {
                out.add(r.next());
            }
        }
        return out;
    }

    /** A transaction, a binary WRITE in it, a WATCH, then a protocol error: traced to {@code sink}. */
    private static XsConnection session(XsTraceSink sink) {
        XenStore xs = XenStore.builder().trace(sink).build();
        XsConnection a = xs.connect(0, true, m -> { });
        a.handle(new XsMessage(XsType.TRANSACTION_START.code(), 7, 0, new byte[] {0}));
        a.handle(XsMessage.write(8, 1, "/t", new byte[] {'a', 0, 'b', (byte) 0xff}));
        a.handle(new XsMessage(XsType.WATCH.code(), 9, 0, "/t\0tok\0".getBytes(StandardCharsets.ISO_8859_1)));
        a.protocolError(3);
        return a;
    }

    @Test
    void aJsonlCaptureReadsBackExactly() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long[] vt = {0};
        TraceRecordSink sink = TraceRecordSink.jsonl(buf, true, () -> vt[0] += 1000, WALL, "xenpv serve");
        XsConnection a = session(sink);
        sink.flush();
        List<TraceRecord> rs = read(buf.toByteArray());

        assertThat(rs).filteredOn(r -> r instanceof Ambiguity).isEmpty();
        Request write = (Request) rs.stream().filter(r -> r instanceof Request q && q.type() == XsType.WRITE.code())
                .findFirst().orElseThrow();
        assertThat(write.conn()).isEqualTo(XsTraceSink.pointer(a.traceId()));
        assertThat(write.reqId()).hasValue(8);
        assertThat(write.tx()).isEqualTo(TxContext.recorded(1));
        assertThat(write.payload().bytes()).isEqualTo("/t\0a\0b\u00ff".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(write.domid()).as("socket connections have no domid").isEmpty();
        assertThat(write.time().virtualNanos()).isPresent();
        assertThat(write.time().wall()).isEqualTo(LocalDateTime.parse("2026-11-24T15:26:49.701456854"));
        assertThat(write.time().utc()).isTrue();
        Reply ok = (Reply) rs.stream().filter(r -> r instanceof Reply p && p.request() == write).findFirst()
                .orElseThrow();
        assertThat(ok.payload().bytes()).isEqualTo("OK\0".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(rs).filteredOn(r -> r instanceof WatchEvent).singleElement()
                .satisfies(e -> assertThat(((WatchEvent) e).watchPath()).isEqualTo("/t"));
        assertThat(rs).filteredOn(r -> r instanceof ConnectionIgnored).singleElement()
                .satisfies(c -> assertThat(((ConnectionIgnored) c).reason()).isEqualTo(3));
        assertThat(rs).filteredOn(r -> r instanceof TransactionCreate).hasSize(1);
        assertThat(rs).filteredOn(r -> r instanceof ConnectionOpen).hasSize(2);
    }

    @Test
    void anAppendedSessionStartsWithAMarkerNotASecondHeader() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TraceRecordSink first = TraceRecordSink.jsonl(buf, true, null, WALL, "xenpv serve");
        session(first);
        first.close();
        TraceRecordSink second = TraceRecordSink.jsonl(buf, false, null, WALL, "xenpv serve");
        session(second);
        second.close();
        List<TraceRecord> rs = read(buf.toByteArray());
        assertThat(buf.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"header\""))).hasSize(1);
        assertThat(rs).filteredOn(r -> r instanceof Marker).hasSize(1);
        assertThat(rs).filteredOn(r -> r instanceof ConnectionIgnored).hasSize(2);
    }

    @Test
    void theSameRunInCxenstoredFormat() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TraceRecordSink sink = TraceRecordSink.cxenstored(buf, WALL);
        XsConnection a = session(sink);
        sink.flush();
        String p = XsTraceSink.pointer(a.traceId());
        String t = buf.toString(StandardCharsets.ISO_8859_1);
        assertThat(t).startsWith("\n***\nCREATE connection ")
                .contains("IN " + p + " 20261124 15:26:49 WRITE (/t a b\u00ff)\n")
                .contains("OUT " + p + " 20261124 15:26:49 WATCH_EVENT (/t tok )\n")
                .contains("CONN " + p + " ignored, reason 3\n")
                .doesNotContain("CREATE transaction")
                .endsWith("DESTROY connection " + p + "\n");
    }
}
