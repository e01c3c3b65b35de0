package org.xenpv.harness.launcher;

import java.util.List;

/**
 * The outcome of a conformance run.
 *
 * @param request  what was asked
 * @param selected the test methods that were selected (and in the shard), before seed expansion
 * @param outcomes every finished invocation, plus failed or skipped containers, in finishing order
 */
public record ConformanceResult(ConformanceRequest request, List<SelectedTest> selected, List<TestOutcome> outcomes) {

    public ConformanceResult {
        selected = List.copyOf(selected);
        outcomes = List.copyOf(outcomes);
    }

    public long passed() {
        return count(TestOutcome.Status.PASSED);
    }

    /** Failed invocations, plus failed containers (whose tests therefore did not run). */
    public long failed() {
        return count(TestOutcome.Status.FAILED);
    }

    public long skipped() {
        return count(TestOutcome.Status.SKIPPED);
    }

    private long count(TestOutcome.Status s) {
        return outcomes.stream().filter(o -> o.status() == s).count();
    }

    public List<TestOutcome> failures() {
        return outcomes.stream().filter(o -> o.status() == TestOutcome.Status.FAILED).toList();
    }

    public boolean successful() {
        return failed() == 0;
    }

    /** {@code 12 passed, 1 failed, 0 skipped}: the run's closing line. */
    public String summaryLine() {
        return passed() + " passed, " + failed() + " failed, " + skipped() + " skipped";
    }
}
