package org.xenpv.harness.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.trace.TraceFormat;
import org.xenpv.xenstore.trace.TraceOptions;
import org.xenpv.xenstore.trace.TraceRecordSink;
import org.xenpv.xenstore.trace.TraceWriter;

/**
 * A capture of xenpv itself replays exactly: each workload runs on the in-process daemon with its trace
 * going through {@link TraceRecordSink} three ways at once: the cxenstored 4.17 format as
 * {@code xenpv serve --trace-format cxenstored} writes it, xenpv JSON lines with virtual time only, and
 * xenpv JSON lines as {@code xenpv serve --trace-format jsonl} writes them (monotonic and wall time); all
 * three captures replay against a fresh daemon with zero divergences. The JSON-lines capture (req_id, tx_id and payload bytes recorded)
 * has no ambiguity at all; the cxenstored one only those its format implies.
 */
class CaptureReplayTest {

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> capturesOfXenpvReplayWithoutDivergence() {
        return Workloads.NAMES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path cx = dir.resolve(name + ".log");
            Path js = dir.resolve(name + ".jsonl");
            Path serve = dir.resolve(name + ".serve.jsonl");
            capture(name, cx, js, serve);

            // the only thing a JSON-lines capture does not tell is why a domain's ring went (its death)
            ReplayReport fromJsonl = replay(js);
            assertThat(fromJsonl.ambiguous()).extracting(AmbiguousStep::kind).isSubsetOf("DOMAIN_DIED");
            ReplayReport fromCx = replay(cx);
            assertThat(fromCx.ambiguous()).extracting(AmbiguousStep::kind)
                    .isSubsetOf("TX_CONTEXT", "PAYLOAD_SPACE_OR_NUL", "DOMAIN_DIED");
            assertThat(fromCx.repliesCompared()).isEqualTo(fromJsonl.repliesCompared()).isPositive();
            assertThat(fromCx.eventsCompared()).isEqualTo(fromJsonl.eventsCompared()).isPositive();
            assertThat(fromJsonl.skippedCount()).isZero();
            // what xenpv serve --trace-format jsonl writes (wall and monotonic time) replays the same way
            ReplayReport fromServe = replay(serve);
            assertThat(fromServe.ambiguous()).extracting(AmbiguousStep::kind).isSubsetOf("DOMAIN_DIED");
            assertThat(fromServe.repliesCompared()).isEqualTo(fromJsonl.repliesCompared());
            assertThat(fromServe.eventsCompared()).isEqualTo(fromJsonl.eventsCompared());
        }));
    }

    /** Runs a workload on xenpv's daemon, tracing it to both files. */
    static void capture(String name, Path cx, Path js, Path serve) throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);
        long[] mono = {0};
        try (OutputStream a = new BufferedOutputStream(Files.newOutputStream(cx));
             OutputStream b = Files.newOutputStream(js);
             OutputStream c = Files.newOutputStream(serve);
             TraceRecordSink cs = TraceRecordSink.cxenstored(a, clock);
             TraceWriter jw = TraceWriter.of(TraceFormat.JSONL, b, TraceFormat.JSONL, "xenpv capture");
             TraceRecordSink ss = TraceRecordSink.jsonl(c, true, () -> mono[0] += 1000, clock, "xenpv serve")) {
            TeeSink tee = new TeeSink(cs, new TraceRecordSink(jw, null), ss);
            try (SimTarget sim = new SimTarget(ReplayPlatform.only(Set.of(0, Workloads.DOMID)),
                    XenStore.builder().trace(tee))) {
                Workloads.byName(name).run(sim);
            }
        }
    }

    static ReplayReport replay(Path trace) throws Exception {
        try (SimTarget sim = new SimTarget(ReplayPlatform.only(Set.of(0, Workloads.DOMID)))) {
            ReplayReport r = TraceReplay.replay(trace, sim, ReplayOptions.DEFAULT, TraceOptions.DEFAULT);
            if (!r.clean()) {
                throw TraceReplayTests.failure(r);
            }
            return r;
        }
    }
}
