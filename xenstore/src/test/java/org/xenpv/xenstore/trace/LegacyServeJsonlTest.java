package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.wire.XsType;

/**
 * {@link TraceReader} still reads the JSON lines {@code xenpv serve --trace-format jsonl} wrote before it
 * switched to {@link TraceRecordSink#jsonl} (format {@code xenpv-xenstore-trace}, docs/traces.md).
 * {@code legacy-serve.jsonl} was written by that writer: a TRANSACTION_START, a WRITE of a binary value in
 * the transaction, a WATCH, then the connection ignored for a protocol error.
 */
class LegacyServeJsonlTest {

    private static List<TraceRecord> read(byte[] trace) throws Exception {
        List<TraceRecord> out = new ArrayList<>();
        try (TraceReader r = TraceReader.open(new ByteArrayInputStream(trace), "serve.jsonl", trace.length,
                TraceOptions.DEFAULT)) {
            assertThat(r.format()).isEqualTo(TraceFormat.JSONL);
            assertThat(r.sourceFormat()).isEqualTo(TraceFormat.JSONL);
            assertThat(r.variant()).isEqualTo("xenpv xenpv-xenstore-trace jsonl");
            while (r.hasNext()) {
                out.add(r.next());
            }
        }
        return out;
    }

    private static byte[] sample() throws IOException {
        try (InputStream in = LegacyServeJsonlTest.class.getResourceAsStream("legacy-serve.jsonl")) {
            return in.readAllBytes();
        }
    }

    @Test
    void aLegacyServeCaptureReadsBackExactly() throws Exception {
        List<TraceRecord> rs = read(sample());

        assertThat(rs.get(0)).isInstanceOf(Marker.class);
        assertThat(rs).filteredOn(r -> r instanceof Ambiguity).isEmpty();
        Request write = (Request) rs.stream().filter(r -> r instanceof Request q && q.type() == XsType.WRITE.code())
                .findFirst().orElseThrow();
        assertThat(write.reqId()).hasValue(8);
        assertThat(write.tx()).isEqualTo(TxContext.recorded(1));
        assertThat(write.payload().bytes()).isEqualTo("/t\0a\0b".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(write.domid()).isEmpty();
        assertThat(write.time().virtualNanos()).hasValue(10000);
        Reply ok = (Reply) rs.stream().filter(r -> r instanceof Reply p && p.request() == write).findFirst()
                .orElseThrow();
        assertThat(ok.payload().bytes()).isEqualTo("OK\0".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(rs).filteredOn(r -> r instanceof WatchEvent).singleElement()
                .satisfies(e -> assertThat(((WatchEvent) e).watchPath()).isEqualTo("/t"));
        assertThat(rs).filteredOn(r -> r instanceof ConnectionIgnored).singleElement()
                .satisfies(c -> assertThat(((ConnectionIgnored) c).reason()).isEqualTo(3));
        assertThat(rs).filteredOn(r -> r instanceof ConnectionOpen).hasSize(2);
    }

    @Test
    void malformedRecordsNameTheLine() {
        String open = "{\"seq\":1,\"kind\":\"open\",\"vt_ns\":0,\"format\":\"xenpv-xenstore-trace\",\"version\":1}\n";
        assertThatThrownBy(() -> read((open + "{\"seq\":2,\"kind\":\"io\",\"dir\":\"in\",\"conn\":\"0x1\"}\n")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(TraceSyntaxException.class)
                .hasMessageStartingWith("serve.jsonl:2: missing \"type_code\"");
        assertThatThrownBy(() -> read((open + "{\"seq\":2,\"kind\":\"msg\"}\n").getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("serve.jsonl:2: unknown record kind 'msg'");
    }
}
