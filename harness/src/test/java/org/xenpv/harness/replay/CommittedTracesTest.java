package org.xenpv.harness.replay;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * "Our traces replay cleanly" as a CI check: every committed trace replays against a fresh xenpv daemon
 * with zero divergences beyond those its expectations file explains. The recorded real-cxenstored traces
 * (RealTraceReplayTest) must match exactly; the shared samples list their expected deviations
 * ({@code *.replay} next to them).
 */
class CommittedTracesTest {

    /** Traces recorded from the real cxenstored 4.17 by {@link RealTraceReplayTest}'s workloads. */
    static final Path RECORDED = Path.of("src/test/resources/traces/replay");
    /** The shared samples of cxenstored and oxenstored 4.17 (traces/README.md). */
    static final Path SAMPLES = Path.of("../xenstore/src/test/resources/traces");

    @TestFactory
    Stream<DynamicTest> recordedTraces() {
        return TraceReplayTests.forDirectory(RECORDED);
    }

    @TestFactory
    Stream<DynamicTest> sharedSamples() {
        return TraceReplayTests.forDirectory(SAMPLES);
    }
}
