package org.xenpv.harness.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.cli.Xenpv;
import org.xenpv.harness.launcher.ConformanceResult;
import org.xenpv.harness.launcher.TestOutcome;
import org.xenpv.harness.samples.FailingSample;
import org.xenpv.harness.samples.Sample;
import org.xenpv.harness.samples.Samples;
import picocli.CommandLine;

/** What a failing invocation leaves behind, and that its replay line reproduces exactly that run. */
class FailureReportTest {

    private static final Pattern XENPV_REPLAY = Pattern.compile("# or: \\./xenpv (.+)$");

    @TempDir
    Path tmp;

    private static Path file(Path dir, long seed, String ext) {
        return dir.resolve(FailingSample.class.getName()).resolve("racy-seed" + seed + ext);
    }

    @Test
    @DisplayName("A failing invocation writes its log as text and JSON lines and a .txt with seed and replay commands")
    void writesArtifacts() throws IOException {
        Path dir = tmp.resolve("failures");
        ConformanceResult r = Samples.run(Samples.request(dir, FailingSample.class));
        List<Long> seeds = SeedSpec.derive(3, 0);
        assertThat(r.failed()).isEqualTo(3);
        for (long seed : seeds) {
            String log = Files.readString(file(dir, seed, ".log"));
            assertThat(log).startsWith("[t=0.000000s kernel] spawn d0/worker").contains("d1/worker: counter=");
            assertThat(Files.readAllLines(file(dir, seed, ".jsonl"))).hasSameSizeAs(log.lines().toList())
                    .allMatch(l -> l.startsWith("{\"seq\":"));
            String txt = Files.readString(file(dir, seed, ".txt"));
            assertThat(txt).contains("seed: " + seed + "\n")
                    .contains("test: " + FailingSample.class.getName() + "#racy")
                    .contains("checks: SAMPLE-9 (nowhere §0)")
                    .contains("display-name: racy(Kernel) [seed=" + seed + "]\n")
                    .contains("preemptionProbability=0.5")
                    .contains("replay-xenpv: ./xenpv conformance --select method:" + FailingSample.class.getName()
                            + "#racy --seeds " + seed)
                    .contains("failure:\njava.lang.AssertionError: deliberate failure");
        }
        assertThat(Files.readString(file(dir, seeds.get(0), ".log")))
                .as("the seeds explore different interleavings, so comparing logs below means something")
                .isNotEqualTo(Files.readString(file(dir, seeds.get(1), ".log")));
    }

    @Test
    @DisplayName("A failing invocation prints one replay line on stderr, publishes it, and attaches it to the failure")
    void printsReplayLine() {
        Path dir = tmp.resolve("failures");
        Samples.Captured<ConformanceResult> c = Samples.runCapturing(Samples.request(dir, FailingSample.class));
        List<String> lines = c.stderr().lines().filter(l -> l.startsWith("[xenpv] FAILED")).toList();
        assertThat(lines).hasSize(3);
        long seed = SeedSpec.derive(3, 0).get(1);
        String expected = "[xenpv] FAILED FailingSample#racy [seed=" + seed + "] (event log: "
                + file(dir, seed, ".log") + "); replay: mvn -pl harness -am verify -Dtest='FailingSample#racy'"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dxenpv.seeds=" + seed
                + "   # or: ./xenpv conformance --select method:" + FailingSample.class.getName() + "#racy --seeds "
                + seed;
        assertThat(lines.get(1)).isEqualTo(expected);
        TestOutcome second = c.value().failures().get(1);
        assertThat(second.replayLine()).contains(expected.substring(expected.indexOf("replay: ") + 8));
        assertThat(second.reportEntries().get(XenpvExtension.LOG_ENTRY)).isEqualTo(file(dir, seed, ".log").toString());
        StringWriter trace = new StringWriter();
        second.throwable().orElseThrow().printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).contains("Suppressed: org.xenpv.harness.junit.ReplayHint: " + expected);
    }

    @Test
    @DisplayName("Re-running with the printed replay command reproduces the identical event log, and only that run")
    void replayReproducesLog() throws IOException {
        Path first = tmp.resolve("first");
        Samples.Captured<ConformanceResult> c = Samples.runCapturing(Samples.request(first, FailingSample.class));
        long seed = SeedSpec.derive(3, 0).get(2);
        String line = c.stderr().lines().filter(l -> l.contains("[seed=" + seed + "]")).findFirst().orElseThrow();
        Matcher m = XENPV_REPLAY.matcher(line);
        assertThat(m.find()).as(line).isTrue();

        // The printed xenpv command, through the real CLI, with the samples switched on.
        Path second = tmp.resolve("second");
        List<String> args = new ArrayList<>(List.of(m.group(1).split(" ")));
        args.addAll(List.of("--reports-dir", tmp.resolve("reports").toString(), "--failures-dir", second.toString(),
                "--config", Sample.ENABLE + "=true"));
        StringWriter out = new StringWriter();
        int exit = Samples.captureStderr(() -> {
            CommandLine cli = Xenpv.commandLine(); // built inside the capture: picocli remembers System.err
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(new StringWriter()));
            return cli.execute(args.toArray(String[]::new));
        }).value();
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString().strip().lines().toList()).last().isEqualTo("0 passed, 1 failed, 0 skipped");

        // And once more through the launcher API with the same seed.
        Path third = tmp.resolve("third");
        Samples.run(Samples.request(third, FailingSample.class).withConfig(XenpvConfig.SEEDS, Long.toString(seed)));

        for (Path replay : List.of(second, third)) {
            try (Stream<Path> files = Files.list(replay.resolve(FailingSample.class.getName()))) {
                assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                        .containsExactly("racy-seed" + seed + ".jsonl", "racy-seed" + seed + ".log",
                                "racy-seed" + seed + ".txt");
            }
            assertThat(Files.readString(file(replay, seed, ".log"))).isEqualTo(Files.readString(file(first, seed,
                    ".log")));
            assertThat(Files.readString(file(replay, seed, ".jsonl"))).isEqualTo(Files.readString(file(first, seed,
                    ".jsonl")));
        }
    }

    @Test
    @DisplayName("When the failure report cannot be written, the replay line still says so and the test still fails")
    void unwritableDir() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Samples.Captured<ConformanceResult> c = Samples.runCapturing(Samples.request(file, FailingSample.class));
        assertThat(c.value().failed()).isEqualTo(3);
        assertThat(c.stderr().lines().filter(l -> l.startsWith("[xenpv] FAILED")).toList()).hasSize(3)
                .allMatch(l -> l.contains("(event log not written: cannot write failure report "))
                .allMatch(l -> l.contains("replay: mvn -pl harness"));
        assertThat(c.value().failures()).allSatisfy(f -> assertThat(f.message()).contains("deliberate failure"));
    }

    @Test
    @DisplayName("The Maven replay command names the module the class was built in")
    void mavenCommandModule() {
        assertThat(ReplayCommand.of(FailingSample.class, "racy", 5).mavenCommand())
                .isEqualTo("mvn -pl harness -am verify -Dtest='FailingSample#racy'"
                        + " -Dsurefire.failIfNoSpecifiedTests=false -Dxenpv.seeds=5");
    }
}
