package org.xenpv.harness.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.xenstore.cxenstored.RealCxenstored;
import org.xenpv.xenstore.trace.TraceOptions;

/**
 * Real traces: each {@link Workloads workload} drives the real cxenstored 4.17 (RealCxenstored rig,
 * {@code -T} trace), and the recorded trace must replay with zero divergences both against xenpv's
 * daemon and against a fresh real cxenstored (socket clients and guest rings). Ambiguities are allowed
 * only where the 4.17 format loses information: requests inside transactions (no tx_id recorded) and,
 * in the binary-values workload, values with spaces or NULs.
 *
 * <p>{@code -Dxenpv.replay.record=DIR} also writes the recorded traces to DIR (how the traces under
 * {@code src/test/resources/traces/replay} were made).
 */
class RealTraceReplayTest {

    static final Set<Integer> DOMAINS = Set.of(0, Workloads.DOMID);

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> recordedTracesReplayWithoutDivergence() {
        return Workloads.NAMES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path trace = record(name, dir);
            String keep = System.getProperty("xenpv.replay.record", "");
            if (!keep.isEmpty()) {
                Path out = Path.of(keep).resolve("cxenstored-4.17-" + name + ".log");
                Files.createDirectories(out.getParent());
                Files.copy(trace, out, StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(out.resolveSibling(out.getFileName() + ReplayExpectations.SUFFIX),
                        "# Recorded from the real cxenstored 4.17 (RealTraceReplayTest, workload '" + name + "').\n"
                                + "# The stub's hypervisor had domains 0 and 5.\ndomains 0 5\n");
            }
            ReplayReport sim;
            try (SimTarget target = new SimTarget(ReplayPlatform.only(DOMAINS))) {
                sim = TraceReplay.replay(trace, target, ReplayOptions.DEFAULT, TraceOptions.DEFAULT);
            }
            assertClean(sim);
            ReplayReport real;
            try (RealCxenstored d = RealCxenstored.builder().domains(0, Workloads.DOMID).start()) {
                real = TraceReplay.replay(trace, new RealCxenstoredTarget(d, DOMAINS), ReplayOptions.DEFAULT,
                        TraceOptions.DEFAULT);
            }
            assertClean(real);
            assertThat(real.repliesCompared()).isEqualTo(sim.repliesCompared()).isPositive();
            assertThat(real.eventsCompared()).isEqualTo(sim.eventsCompared()).isPositive();
            assertThat(sim.skippedCount()).isZero();
            // cxenstored logs 'CONN ... ignored' when a client hangs up with output pending: replayed as a close
            if (name.equals("binary-values")) {
                assertThat(sim.ambiguous()).extracting(AmbiguousStep::kind).contains("PAYLOAD_SPACE_OR_NUL")
                        .isSubsetOf("PAYLOAD_SPACE_OR_NUL", "CONNECTION_IGNORED");
            } else if (name.equals("domain-death")) {
                // the trace shows the ring destroyed, not why: the replay makes the target's hypervisor kill it
                assertThat(sim.ambiguous()).extracting(AmbiguousStep::kind).contains("DOMAIN_DIED")
                        .isSubsetOf("DOMAIN_DIED", "CONNECTION_IGNORED");
                assertThat(real.ambiguous()).extracting(AmbiguousStep::kind).contains("DOMAIN_DIED");
            } else {
                assertThat(sim.ambiguous()).extracting(AmbiguousStep::kind).contains("TX_CONTEXT")
                        .isSubsetOf("TX_CONTEXT", "CONNECTION_IGNORED");
            }
        }));
    }

    static void assertClean(ReplayReport r) {
        if (!r.clean()) {
            throw TraceReplayTests.failure(r);
        }
    }

    /** Runs a workload against a fresh real cxenstored and returns its complete trace. */
    static Path record(String name, Path dir) throws Exception {
        try (RealCxenstored d = RealCxenstored.builder().domains(0, Workloads.DOMID).start()) {
            Workloads.byName(name).run(new RealCxenstoredTarget(d, DOMAINS));
            awaitQuiet(d.tracePath());
            Path out = dir.resolve(name + ".log");
            Files.copy(d.tracePath(), out, StandardCopyOption.REPLACE_EXISTING);
            return out;
        }
    }

    /**
     * The daemon writes a connection's DESTROY line after the client hung up: wait until the trace has
     * stopped growing (bounded), so that the copy is complete.
     */
    static void awaitQuiet(Path trace) throws IOException, InterruptedException {
        long size = -1;
        int still = 0;
        for (int i = 0; i < 100 && still < 4; i++) {
            long s = Files.size(trace);
            still = s == size ? still + 1 : 0;
            size = s;
            Thread.sleep(25);
        }
    }
}
