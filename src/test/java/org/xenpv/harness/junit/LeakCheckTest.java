package org.xenpv.harness.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.harness.launcher.ConformanceResult;
import org.xenpv.harness.launcher.TestOutcome;
import org.xenpv.harness.samples.Observations;
import org.xenpv.harness.samples.Samples;
import org.xenpv.harness.samples.WorldSample;

/** World objects from factories, their leak checks, and their teardown, through the real launcher. */
class LeakCheckTest {

    @TempDir
    Path tmp;

    private ConformanceResult result;

    @BeforeEach
    void run() {
        result = Samples.run(Samples.request(tmp, WorldSample.class));
    }

    private TestOutcome outcome(String method) {
        return result.outcomes().stream().filter(o -> o.methodName().equals(method)).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("A test that leaves a port bound and a grant mapped fails, listing both leaks")
    void leakFailsTest() {
        TestOutcome leaky = outcome("leaky");
        assertThat(leaky.status()).isEqualTo(TestOutcome.Status.FAILED);
        assertThat(leaky.throwable()).get().isInstanceOf(LeakFailure.class);
        assertThat(((LeakFailure) leaky.throwable().orElseThrow()).leaks()).extracting(Leak::kind)
                .containsExactly(Leak.Kind.EVTCHN_BOUND, Leak.Kind.GRANT_MAPPED);
        assertThat(leaky.message())
                .contains("2 leaks at the end of WorldSample#leaky [seed=1]")
                .contains("evtchn-bound d1: port 5 interdomain -> d0 port 7")
                .contains("grant-mapped d0: d1 ref 33 handle 1")
                .contains("replay: mvn -pl harness -am verify -Dtest='WorldSample#leaky'");
    }

    @Test
    @DisplayName("A test that released everything passes")
    void cleanPasses() {
        assertThat(outcome("clean").status()).isEqualTo(TestOutcome.Status.PASSED);
    }

    @Test
    @DisplayName("A test that failed keeps its own failure; its leaks go to the failure report")
    void failureWinsOverLeaks() throws Exception {
        TestOutcome o = outcome("leakyAndFailing");
        assertThat(o.status()).isEqualTo(TestOutcome.Status.FAILED);
        assertThat(o.message()).contains("deliberate failure with a port still bound");
        Path txt = FailureReport.basePath(tmp, WorldSample.class.getName(), "leakyAndFailing", 1)
                .resolveSibling("leakyAndFailing-seed1.txt");
        assertThat(Files.readString(txt)).contains("leak: evtchn-bound d1: port 7 interdomain -> d0 port 9");
    }

    @Test
    @DisplayName("@AllowLeaks lets leaks of the named kinds pass and publishes them as a report entry")
    void allowedLeaks() {
        TestOutcome o = outcome("allowed");
        assertThat(o.status()).isEqualTo(TestOutcome.Status.PASSED);
        assertThat(o.reportEntries().get(XenpvExtension.ALLOWED_LEAKS_ENTRY)).contains("port 9");
    }

    @Test
    @DisplayName("A test skipped by an assumption is neither leak-checked nor reported as a failure")
    void abortedIsSkipped() {
        TestOutcome o = outcome("aborted");
        assertThat(o.status()).isEqualTo(TestOutcome.Status.SKIPPED);
        assertThat(o.reportEntries()).isEmpty();
        assertThat(FailureReport.basePath(tmp, WorldSample.class.getName(), "aborted", 1).getParent()
                .resolve("aborted-seed1.log")).doesNotExist();
    }

    @Test
    @DisplayName("Leak checks added with XenpvRun.addLeakCheck run too; a check that throws fails the test naming it")
    void sideAndBrokenChecks() {
        assertThat(outcome("sideCheck").message()).contains("store-watch store conn d1: watch 'device/vif' token 'tok1'");
        assertThat(outcome("brokenCheck").message()).contains("leak check 'broken' threw")
                .contains("grant table unreadable");
    }

    @Test
    @DisplayName("World objects are built on demand, shared within an invocation, and closed newest first")
    void worldLifecycle() {
        assertThat(outcome("dependent").status()).as(outcome("dependent").message())
                .isEqualTo(TestOutcome.Status.PASSED);
        // Every test builds the world except sideCheck and brokenCheck, which never ask for it.
        assertThat(Observations.events().stream().filter(e -> e.startsWith("world built")).count()).isEqualTo(6);
        int toolstackClosed = Observations.events().indexOf("toolstack closed");
        assertThat(toolstackClosed).isPositive();
        assertThat(Observations.events().get(toolstackClosed + 1)).isEqualTo("world closed");
        assertThat(Observations.events().stream().filter(e -> e.equals("world closed")).count()).isEqualTo(6);
    }
}
