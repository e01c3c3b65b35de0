package org.xenpv.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.xenpv.cli.CliRun.xenpv;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xenpv.cli.CliRun;
import org.xenpv.cli.Xenpv;

/**
 * {@code xenpv bench ring} through the CLI entry point with tiny counts: output format, every request answered
 * and verified, both implementations and the ratio printed, exit codes. No timing assertions.
 */
class RingBenchCommandTest {

    private static final Pattern JAVA_RUN = Pattern.compile(
            "(?m)^  run (\\d+)  java +(\\d+) round trips/s  \\(([0-9.]+) s, (\\d+) notifies, (\\d+) waits, (\\d+) responses verified\\)$");
    private static final Pattern C_RUN = Pattern.compile(
            "(?m)^  run (\\d+)  c +(\\d+) round trips/s  \\(([0-9.]+) s, (\\d+) notifies, (\\d+) waits\\)$");

    private static String cMissing;

    @BeforeAll
    static void probeC() {
        switch (CRingBench.prepare(System.getProperty("xenpv.gcc", "gcc"), 60)) {
            case CRingBench.Ready r -> { }
            case CRingBench.Unavailable u -> cMissing = u.reason();
        }
    }

    private static void assumeC() {
        assumeTrue(cMissing == null, () -> "C reference of xenpv bench ring unavailable: " + cMissing);
    }

    private static List<MatchResult> matches(Pattern p, String text) {
        return p.matcher(text).results().map(m -> new MatchResult(m.group(0), m)).toList();
    }

    private record MatchResult(String line, java.util.regex.MatchResult m) {
        long group(int i) {
            return Long.parseLong(m.group(i));
        }
    }

    @Test
    void bothModesRunJavaAndCAndPrintTheRatio() {
        assumeC();
        CliRun r = xenpv("bench", "ring", "--mode", "spin,notify", "--count", "4000", "--runs", "2", "--warmup-ms", "0");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).isEmpty();
        String[] sections = r.out().split("(?m)^(?=mode )");
        assertThat(sections).hasSize(3);
        // Before any Java run, the JIT directive that keeps one JVM in ten from compiling the ring loops badly.
        assertThat(sections[0]).isEqualTo("java jit: compiler directive: always inline "
                + "jdk.internal.misc.Unsafe.convEndian" + System.lineSeparator());
        for (String mode : List.of("spin", "notify")) {
            String s = sections[mode.equals("spin") ? 1 : 2];
            assertThat(s).startsWith("mode " + mode + ": blkif x86_64-abi one-page ring (RING_SIZE 32)")
                    .contains("4000 round trips per run, 2 runs of java and c alternately");
            // By default spinning actors get platform threads and blocking ones virtual threads; C is pthreads.
            assertThat(s).containsPattern(mode.equals("spin") ? "(?m)^  java actors on platform threads$"
                            : "(?m)^  java actors on virtual threads \\(\\d+ carriers?\\)$")
                    .containsPattern(mode.equals("spin") ? "(?m)^  c on two pthreads$"
                            : "(?m)^  c on two pthreads, blocking on a futex$");
            List<MatchResult> java = matches(JAVA_RUN, s);
            List<MatchResult> c = matches(C_RUN, s);
            assertThat(java).as(s).hasSize(2);
            assertThat(c).as(s).hasSize(2);
            for (MatchResult m : java) {
                // Every request was answered BLKIF_RSP_OKAY with its id, in order: the frontend checks each one.
                assertThat(m.group(6)).as(m.line()).isEqualTo(4000);
                if (mode.equals("spin")) {
                    assertThat(m.group(4)).as("spin mode sends no events: " + m.line()).isZero();
                    assertThat(m.group(5)).as(m.line()).isZero();
                } else {
                    assertThat(m.group(4)).as("notify mode sends events: " + m.line()).isPositive();
                }
            }
            for (MatchResult m : c) {
                if (mode.equals("spin")) {
                    assertThat(m.group(4)).as(m.line()).isZero();
                } else {
                    assertThat(m.group(4)).as(m.line()).isPositive();
                }
            }
            assertThat(s).containsPattern("(?m)^java " + mode + ": \\d+ round trips/s \\(median of 2\\)$")
                    .containsPattern("(?m)^c " + mode + ": \\d+ round trips/s \\(median of 2\\)$")
                    .containsPattern("(?m)^ratio java/c " + mode + ": \\d+\\.\\d{3}$");
        }
    }

    @Test
    void runsAlternateJavaAndC() {
        assumeC();
        CliRun r = xenpv("bench", "ring", "--mode", "notify", "--count", "500", "--runs", "3", "--warmup-ms", "0");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        List<String> order = r.out().lines().filter(l -> l.startsWith("  run ")).map(l -> l.substring(2, 13).strip())
                .toList();
        assertThat(order).containsExactly("run 1  java", "run 1  c", "run 2  c", "run 2  java", "run 3  java",
                "run 3  c");
    }

    @Test
    void noJitDirectiveLeavesTheJitAlone() {
        CliRun r = xenpv("bench", "ring", "--mode", "notify", "--count", "500", "--runs", "1", "--warmup-ms", "0",
                "--java-only", "--no-jit-directive");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).startsWith("mode notify: ").doesNotContain("jit");
    }

    @Test
    void javaOnlyPrintsNoCFigureNorRatio() {
        CliRun r = xenpv("bench", "ring", "--mode", "notify", "--count", "1000", "--runs", "1", "--warmup-ms", "0",
                "--java-only");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(matches(JAVA_RUN, r.out())).hasSize(1);
        assertThat(r.out()).containsPattern("(?m)^java notify: \\d+ round trips/s \\(median of 1\\)$")
                .doesNotContain("c notify:").doesNotContain("ratio");
    }

    @Test
    void javaThreadsChoosesWhatTheActorsRunOn() {
        for (String kind : List.of("platform", "virtual")) {
            CliRun r = xenpv("bench", "ring", "--mode", "notify", "--count", "1000", "--runs", "1", "--warmup-ms", "0",
                    "--java-only", "--java-threads", kind);
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).containsPattern("(?m)^  java actors on " + kind + " threads")
                    .doesNotContain("c on two pthreads");
            assertThat(matches(JAVA_RUN, r.out())).hasSize(1);
        }
        CliRun bad = xenpv("bench", "ring", "--java-threads", "green");
        assertThat(bad.exit()).isEqualTo(Xenpv.EXIT_USAGE);
        assertThat(bad.err()).contains("'green': not auto, platform or virtual");
    }

    @Test
    void cOnlyRunsNoJava() {
        assumeC();
        CliRun r = xenpv("bench", "ring", "--mode", "spin", "--count", "1000", "--runs", "1", "--c-only");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(matches(C_RUN, r.out())).hasSize(1);
        assertThat(r.out()).doesNotContain("java spin:").doesNotContain("warm-up  java").doesNotContain("java jit")
                .contains("warm-up  c     1 run, 1000 round trips");
    }

    @Test
    void bothImplementationsGetTheSameYieldCount() {
        assumeC();
        // CRingBench.parse rejects a C run whose echoed yields differ from what the Java side used.
        CliRun r = xenpv("bench", "ring", "--mode", "notify", "--count", "3000", "--runs", "1", "--warmup-ms", "0",
                "--yields", "3");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("1 run of java and c alternately, 3 yields before blocking");
        assertThat(matches(JAVA_RUN, r.out())).hasSize(1);
        assertThat(matches(C_RUN, r.out())).hasSize(1);

        CliRun byDefault = xenpv("bench", "ring", "--mode", "notify,spin", "--count", "1000", "--runs", "1",
                "--warmup-ms", "0");
        assertThat(byDefault.exit()).as(byDefault.out() + byDefault.err()).isZero();
        assertThat(byDefault.out()).contains("of java and c alternately, " + BenchPort.DEFAULT_YIELDS + " yield")
                .doesNotContainPattern("(?m)^mode spin: .*yield");
    }

    @Test
    void theCReferenceEchoesItsPolicyAndRejectsBadArguments() throws Exception {
        assumeC();
        CRingBench c = ((CRingBench.Ready) CRingBench.prepare(System.getProperty("xenpv.gcc", "gcc"), 60)).bench();
        RunResult r = c.run(NotifyMode.NOTIFY, 2000, 0);
        assertThat(r.count()).isEqualTo(2000);
        assertThat(r.notifies()).isPositive();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.run(NotifyMode.NOTIFY, 10, -1))
                .hasMessageContaining("exited 2").hasMessageContaining("YIELDS -1: not a number >= 0");
    }

    @Test
    void missingCompilerReportsTheJavaFigureAlone() {
        CliRun r = xenpv("bench", "ring", "--mode", "spin", "--count", "1000", "--runs", "1", "--warmup-ms", "0",
                "--gcc", "/nonexistent/xenpv-no-gcc");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).contains("C reference unavailable").contains("reporting the Java figure alone");
        if (java.nio.file.Files.isRegularFile(CRingBench.XEN_RING_H)) {
            assertThat(r.err()).contains("/nonexistent/xenpv-no-gcc not runnable");
        }
        assertThat(r.out()).containsPattern("(?m)^java spin: \\d+ round trips/s").doesNotContain("ratio");
    }

    @Test
    void missingCompilerFailsARequiredRatio() {
        CliRun r = xenpv("bench", "ring", "--mode", "spin", "--count", "1000", "--runs", "1", "--warmup-ms", "0",
                "--gcc", "/nonexistent/xenpv-no-gcc", "--require-ratio", "0.5");
        assertThat(r.exit()).isEqualTo(Xenpv.EXIT_FAILED);
        assertThat(r.out()).contains("--require-ratio 0.5 cannot be met");
    }

    @Test
    void requireRatioDecidesTheExitCode() {
        assumeC();
        CliRun ok = xenpv("bench", "ring", "--mode", "spin", "--count", "1000", "--runs", "1", "--warmup-ms", "0",
                "--require-ratio", "0");
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        CliRun failed = xenpv("bench", "ring", "--mode", "spin", "--count", "1000", "--runs", "1", "--warmup-ms", "0",
                "--require-ratio", "1e9");
        assertThat(failed.exit()).as(failed.out() + failed.err()).isEqualTo(Xenpv.EXIT_FAILED);
        assertThat(failed.out()).containsPattern("(?m)^FAILED spin: java/c \\d+\\.\\d{3} < required 1000000000\\.000$");
    }

    @Test
    void usageErrorsExitTwo() {
        for (String[] args : List.of(
                new String[] {"bench", "ring", "--runs", "0"},
                new String[] {"bench", "ring", "--count", "0"},
                new String[] {"bench", "ring", "--yields", "-1"},
                new String[] {"bench", "ring", "--mode", "poll"},
                new String[] {"bench", "ring", "--c-only", "--java-only"},
                new String[] {"bench", "ring", "--java-only", "--require-ratio", "1"},
                new String[] {"bench", "ring", "--count", "many"})) {
            CliRun r = xenpv(args);
            assertThat(r.exit()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(Xenpv.EXIT_USAGE);
            assertThat(r.out()).as(String.join(" ", args)).doesNotContain("round trips/s");
        }
        assertThat(xenpv("bench", "ring", "--mode", "poll").err()).contains("--mode poll: not spin or notify");
    }

    @Test
    void parsesTheReferenceLine() {
        RunResult r = CRingBench.parse(
                "mode=notify count=2000 yields=1 seconds=0.001000 rtps=2000000 notifies=120 waits=80\n",
                NotifyMode.NOTIFY, 2000, 1);
        assertThat(r.nanos()).isEqualTo(1_000_000);
        assertThat(r.notifies()).isEqualTo(120);
        assertThat(r.polls()).isEqualTo(80);
        assertThat(r.roundTripsPerSecond()).isEqualTo(2_000_000.0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CRingBench.parse(
                        "mode=spin count=6 yields=0 seconds=0.5 rtps=12 notifies=0 waits=0", NotifyMode.SPIN, 5, 0))
                .hasMessageContaining("asked for spin 5 yields 0");
        // The C program must have run the yield policy the Java side runs.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CRingBench.parse(
                        "mode=notify count=5 yields=0 seconds=0.5 rtps=10 notifies=3 waits=2", NotifyMode.NOTIFY, 5, 1))
                .hasMessageContaining("ringbench.c ran mode notify count 5 yields 0, asked for notify 5 yields 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CRingBench.parse("garbage", NotifyMode.SPIN, 5, 0))
                .hasMessageContaining("unexpected output of ringbench.c: 'garbage'");
    }

    @Test
    void medianOfRuns() {
        RunResult a = new RunResult(NotifyMode.SPIN, 100, 1_000_000_000L, 0, 0);
        RunResult b = new RunResult(NotifyMode.SPIN, 300, 1_000_000_000L, 0, 0);
        RunResult c = new RunResult(NotifyMode.SPIN, 200, 1_000_000_000L, 0, 0);
        assertThat(RingBenchCommand.median(List.of(a, b, c))).isEqualTo(200.0);
        assertThat(RingBenchCommand.median(List.of(a, b))).isEqualTo(200.0);
        assertThat(RingBenchCommand.median(List.of())).isEqualTo(-1.0);
    }

}
