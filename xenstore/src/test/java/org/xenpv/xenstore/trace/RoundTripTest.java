package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.xenstore.trace.Traces.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Writers: cxenstored -> JSON lines -> cxenstored is byte-identical; JSON lines keep every recorded fact. */
class RoundTripTest {

    private static byte[] write(List<TraceRecord> rs, TraceFormat to, TraceFormat source) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TraceWriter w = TraceWriter.of(to, b, source, "test")) {
            for (TraceRecord r : rs) {
                w.write(r);
            }
        }
        return b.toByteArray();
    }

    @Test
    void cxenstoredSampleThroughJsonlIsByteIdentical() throws IOException {
        byte[] original = Files.readAllBytes(CX_SAMPLE);
        List<TraceRecord> rs = readFile(CX_SAMPLE, TraceOptions.DEFAULT);
        byte[] jsonl = write(rs, TraceFormat.JSONL, TraceFormat.CXENSTORED);
        List<TraceRecord> back = read(jsonl, TraceOptions.DEFAULT);
        byte[] cx = write(back, TraceFormat.CXENSTORED, TraceFormat.JSONL);
        assertThat(new String(cx, StandardCharsets.ISO_8859_1)).isEqualTo(new String(original, StandardCharsets.ISO_8859_1));
        assertThat(cx).isEqualTo(original);
        // the reconstruction from JSON lines is the same as from the original
        assertThat(stats(back).toMap()).isEqualTo(stats(rs).toMap());
    }

    @Test
    void cxenstoredWriterReproducesTheSampleDirectly() throws IOException {
        byte[] cx = write(readFile(CX_SAMPLE, TraceOptions.DEFAULT), TraceFormat.CXENSTORED, TraceFormat.CXENSTORED);
        assertThat(cx).isEqualTo(Files.readAllBytes(CX_SAMPLE));
    }

    @Test
    void oxenstoredThroughJsonlKeepsEverything() throws IOException {
        List<TraceRecord> rs = readFile(OX_SAMPLE, TraceOptions.DEFAULT);
        byte[] jsonl = write(rs, TraceFormat.JSONL, TraceFormat.OXENSTORED);
        List<TraceRecord> back = read(jsonl, TraceOptions.DEFAULT);
        assertThat(stats(back).toMap()).isEqualTo(stats(rs).toMap());
        assertThat(write(back, TraceFormat.JSONL, TraceFormat.OXENSTORED)).isEqualTo(jsonl);
        String first = new String(jsonl, StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertThat(first).isEqualTo("{\"kind\":\"header\",\"format\":\"xenpv-trace\",\"version\":1,"
                + "\"source\":\"oxenstored\",\"variant\":\"test\"}");
    }

    @Test
    void oxenstoredToCxenstoredDropsWhatFourSeventeenCannotSay() throws IOException {
        List<TraceRecord> rs = readFile(OX_SAMPLE, TraceOptions.DEFAULT);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Map<String, Long> dropped;
        try (TraceWriter w = new CxenstoredTraceWriter(b)) {
            for (TraceRecord r : rs) {
                w.write(r);
            }
            dropped = w.dropped();
        }
        assertThat(dropped).isEqualTo(Map.of("TransactionOutcome", 3L, "ReplayedOp", 1L, "Noise", 1L));
        List<TraceRecord> again = read(b.toByteArray(), TraceOptions.DEFAULT);
        assertThat(stats(again).requests()).isEqualTo(stats(rs).requests());
        assertThat(stats(again).events()).isEqualTo(stats(rs).events());
    }

    @Test
    void laterVariantsAreWrittenInFourSeventeenForm() throws IOException {
        String t = "io: IN 0x1 (d0) 20261124 13:57:43 READ (/t )\nio: OUT(START) 0x1 (d0) 20261124 13:57:43 READ (v)\n"
                + "io: OUT(END) 0x1 (d0) 20261124 13:57:43 READ (v)\nobj: DESTROY connection 0x1\n";
        byte[] cx = write(cx(t), TraceFormat.CXENSTORED, TraceFormat.CXENSTORED);
        assertThat(new String(cx, StandardCharsets.UTF_8)).isEqualTo("IN 0x1 20261124 13:57:43 READ (/t )\n"
                + "OUT 0x1 20261124 13:57:43 READ (v)\nDESTROY connection 0x1\n");
    }

    @Test
    void jsonlOfNativeCaptureWithVirtualTimeAndBinaryPayload() throws IOException {
        Request q = new Request(0, "dom1", java.util.OptionalInt.of(1), 11, java.util.OptionalLong.of(7),
                TxContext.recorded(3), Payload.of(new byte[] {'/', 'a', 0, (byte) 0xff, 0, 1}),
                new TraceTime(null, false, java.util.OptionalLong.of(1_500_000_000L)));
        byte[] jsonl = write(List.of(q, new Marker(0, true)), TraceFormat.JSONL, TraceFormat.JSONL);
        List<TraceRecord> back = read(jsonl, TraceOptions.DEFAULT);
        Request r = (Request) back.get(0);
        assertThat(r.payload()).isEqualTo(q.payload());
        assertThat(r.reqId()).hasValue(7);
        assertThat(r.tx()).isEqualTo(TxContext.recorded(3));
        assertThat(r.domid()).hasValue(1);
        assertThat(r.time().virtualNanos()).hasValue(1_500_000_000L);
        assertThat(r.line()).isEqualTo(2);
        assertThat(new String(write(back, TraceFormat.CXENSTORED, TraceFormat.JSONL), StandardCharsets.ISO_8859_1))
                .startsWith("IN dom1 19700101 00:00:01 WRITE (/a \u00ff \u0001)\n");
    }

    @Test
    void convertedFilesAreDetected(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path j = dir.resolve("x.jsonl");
        Files.write(j, write(readFile(CX_SAMPLE, TraceOptions.DEFAULT), TraceFormat.JSONL, TraceFormat.CXENSTORED));
        try (TraceReader r = TraceReader.open(j, TraceOptions.DEFAULT)) {
            assertThat(r.format()).isEqualTo(TraceFormat.JSONL);
            assertThat(r.variant()).isEqualTo("xenpv jsonl from test");
        }
        try (TraceReader r = TraceReader.open(new ByteArrayInputStream(Files.readAllBytes(OX_SAMPLE)), "o", -1,
                TraceOptions.DEFAULT)) {
            assertThat(r.format()).isEqualTo(TraceFormat.OXENSTORED);
        }
    }
}
