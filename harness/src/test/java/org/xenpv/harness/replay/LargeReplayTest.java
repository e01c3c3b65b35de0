package org.xenpv.harness.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.trace.TraceOptions;
import org.xenpv.xenstore.trace.TraceRecordSink;

/**
 * A long generated trace streams through replay: {@link SyntheticWorkload} runs on xenpv's daemon with
 * the cxenstored trace writer until the trace has {@code -Dxenpv.replay.lines} lines (200,000 by
 * default; the 1,000,000-line figures come from {@code -Dxenpv.replay.lines=1000000}, and
 * {@code -Dxenpv.replay.keep=FILE} keeps the trace for {@code xenpv replay}), then replays against a
 * fresh daemon with zero divergences and a progress callback. Speed and heap are printed, not asserted.
 */
class LargeReplayTest {

    @TempDir
    Path dir;

    @Test
    void longGeneratedTraceReplaysWithoutDivergence() throws Exception {
        long lines = Long.getLong("xenpv.replay.lines", 200_000);
        String keep = System.getProperty("xenpv.replay.keep", "");
        Path trace = keep.isEmpty() ? dir.resolve("synthetic.log") : Path.of(keep);
        long ops = generate(trace, lines, 42);

        AtomicLong lastRead = new AtomicLong();
        AtomicInteger calls = new AtomicInteger();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
        ReplayReport r;
        try (SimTarget sim = new SimTarget(ReplayPlatform.only(Set.of(0, 5)))) {
            r = TraceReplay.replay(trace, sim, ReplayOptions.DEFAULT, TraceOptions.DEFAULT.withProgress((read, total) -> {
                lastRead.set(read);
                calls.incrementAndGet();
            }));
        }
        if (!r.clean()) {
            throw TraceReplayTests.failure(r);
        }
        assertThat(r.lines()).isGreaterThanOrEqualTo(lines);
        assertThat(r.requestsSent()).isGreaterThan(ops);
        assertThat(r.repliesCompared()).isEqualTo(r.requestsSent());
        assertThat(r.eventsCompared()).isPositive();
        assertThat(r.ambiguous()).extracting(AmbiguousStep::kind).containsOnly("TX_CONTEXT");
        assertThat(lastRead.get()).isEqualTo(Files.size(trace));
        assertThat(calls.get()).isGreaterThan(5);
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        System.out.printf("replay of %,d lines (%.1f MB, %,d requests, %,d events): %.2f s, %,d lines/s, peak heap %.0f MB%n",
                r.lines(), r.bytes() / 1e6, r.requestsSent(), r.eventsCompared(), r.seconds(),
                (long) (r.lines() / r.seconds()), peak / 1e6);
    }

    /** Writes the cxenstored trace of a synthetic run of at least {@code lines} lines; returns its operation count. */
    static long generate(Path trace, long lines, long seed) throws Exception {
        try (LineCounter out = new LineCounter(Files.newOutputStream(trace))) {
            TraceRecordSink w = TraceRecordSink.cxenstored(out,
                    Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));
            try (SimTarget sim = new SimTarget(ReplayPlatform.only(Set.of(0, 5)), XenStore.builder().trace(w))) {
                // Flushed as it goes so that the line count the workload stops on is current.
                return new SyntheticWorkload(sim, seed).run(() -> {
                    flush(w);
                    return out.lines();
                }, lines);
            } finally {
                w.flush();
            }
        }
    }

    private static void flush(TraceRecordSink w) {
        try {
            w.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Buffers and counts newlines. */
    static final class LineCounter extends FilterOutputStream {
        private long lines;

        LineCounter(OutputStream out) {
            super(new BufferedOutputStream(out, 1 << 16));
        }

        long lines() {
            return lines;
        }

        @Override
        public void write(int b) throws IOException {
            if (b == '\n') {
                lines++;
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    lines++;
                }
            }
            out.write(b, off, len);
        }

        @Override
        public void flush() {
            // batched: the underlying stream is flushed on close
        }
    }
}
