package org.xenpv.cli.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xenpv.cli.Xenpv;
import org.xenpv.harness.samples.DocSample;
import org.xenpv.harness.samples.Sample;
import org.xenpv.harness.samples.Samples;
import picocli.CommandLine;

/** {@code xenpv conformance} end to end, through the root command as the shaded jar runs it. */
class ConformanceCommandTest {

    private static final String KERNEL = "org.xenpv.conformance.kernel.KernelConformanceTest";

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    /**
     * Runs the root command with its output captured. The command line is built inside the stderr
     * capture: picocli's default handlers remember System.err when built and reinstate it on
     * execute if it has changed since.
     */
    private static Run xenpv(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Samples.captureStderr(() -> {
            CommandLine cl = Xenpv.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            return cl.execute(args);
        }).value();
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @DisplayName("A passing run exits 0 and ends with 'N passed, 0 failed, 0 skipped' on its own line")
    void passingRun() {
        Run r = xenpv("conformance", "--select", "class:KernelConformanceTest", "--seeds", "1,2", "--reports-dir",
                tmp.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines()).last().isEqualTo("12 passed, 0 failed, 0 skipped");
    }

    @Test
    @DisplayName("A failing run exits 1, lists the failures with replay lines, and writes JUnit XML and OTR XML")
    void failingRunAndReports() throws Exception {
        Path reports = tmp.resolve("reports");
        Path failures = tmp.resolve("failures");
        Run r = xenpv("conformance", "--select", "class:" + DocSample.class.getName(), "--reports-dir",
                reports.toString(), "--failures-dir", failures.toString(), "--config", Sample.ENABLE + "=true",
                "--progress");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.outLines()).last().isEqualTo("6 passed, 1 failed, 1 skipped");
        assertThat(r.err()).contains("] PASS DocSample > The consumer index never passes the producer index > [seed=1]")
                .contains("] FAIL DocSample > A watch fires once when it is registered > [seed=2] -- ")
                .contains("] SKIP DocSample > A transaction is retried on EAGAIN (needs a real daemon)")
                .contains("Failed:\n  " + DocSample.class.getName() + "#watchFiresOnce [seed=2]: ")
                .contains("replay: mvn -pl harness -am verify -Dtest='DocSample#watchFiresOnce'");
        assertThat(r.err().lines().filter(l -> l.matches("\\[ *\\d+] (PASS|FAIL|SKIP) .*"))).hasSize(8);
        assertThat(failures.resolve(DocSample.class.getName()).resolve("watchFiresOnce-seed2.log")).isRegularFile();

        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(reports.resolve("TEST-junit-jupiter.xml").toFile());
        Element suite = xml.getDocumentElement();
        assertThat(suite.getTagName()).isEqualTo("testsuite");
        assertThat(suite.getAttribute("tests")).isEqualTo("8");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        assertThat(suite.getAttribute("skipped")).isEqualTo("1");
        assertThat(xml.getElementsByTagName("testcase").getLength()).isEqualTo(8);

        try (Stream<Path> files = Files.list(reports)) {
            Path otr = files.filter(p -> p.getFileName().toString().equals("open-test-report.xml")).findFirst()
                    .orElseThrow();
            DocumentBuilderFactory nsAware = DocumentBuilderFactory.newInstance();
            nsAware.setNamespaceAware(true);
            Document events = nsAware.newDocumentBuilder().parse(otr.toFile());
            assertThat(events.getDocumentElement().getLocalName()).isEqualTo("events");
            assertThat(events.getDocumentElement().getNamespaceURI())
                    .isEqualTo("https://schemas.opentest4j.org/reporting/events/0.2.0");
            assertThat(Files.readString(otr)).contains("watchFiresOnce").contains("status=\"FAILED\"");
        }
    }

    @Test
    @DisplayName("Without --progress and without a terminal, only the failure list and the summary are printed")
    void quietWithoutTerminal() {
        Run r = xenpv("conformance", "--select", "method:KernelConformanceTest#virtualTimeout", "--seeds", "3",
                "--reports-dir", tmp.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.err()).doesNotContain("PASS");
        assertThat(r.out()).isEqualTo("1 passed, 0 failed, 0 skipped" + System.lineSeparator());
    }

    @Test
    @DisplayName("--list prints one --select per test method with its rules, tags and display name")
    void list() {
        Run r = xenpv("conformance", "--list", "--select", "tag:virtual-time");
        assertThat(r.exit()).isZero();
        assertThat(r.outLines()).containsExactly("method:" + KERNEL + "#virtualTimeout\tKERNEL-3\tkernel,virtual-time\t"
                + "A 120 s timeout passes in one jump of the virtual clock, to exactly t=120s (architecture.md §The simulation kernel)");
        assertThat(r.err()).contains("1 test methods selected");
    }

    @Test
    @DisplayName("--shard i/n splits the list; the shards together list each method once")
    void listShards() {
        List<String> all = xenpv("conformance", "--list").outLines();
        List<String> union = new java.util.ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            union.addAll(xenpv("conformance", "--list", "--shard", i + "/3").outLines());
        }
        assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    @DisplayName("--doc writes the checklist after the run")
    void doc() throws Exception {
        Path doc = tmp.resolve("conformance.md");
        Run r = xenpv("conformance", "--select", "class:KernelConformanceTest", "--seeds", "1", "--reports-dir",
                tmp.toString(), "--doc", doc.toString());
        assertThat(r.exit()).isZero();
        assertThat(Files.readString(doc)).contains("| [KERNEL-1](#kernel-1) | simulation-kernel.md §Actors and the"
                + " baton | 1 | passed |").contains("--doc " + doc);
    }

    @Test
    @DisplayName("Bad usage exits 2 with a one-line reason: bad --select, --seeds, --shard, no match, --list with --doc")
    void usageErrors() {
        record Case(String expected, String... args) { }
        for (Case c : List.of(
                new Case("expected tag:EXPR, class:C", "--select", "bogus"),
                new Case("'x' is not a seed", "--seeds", "1,x"),
                new Case("need 1 <= i <= n", "--shard", "3/2"),
                new Case("matched no test", "--select", "tag:nope"),
                new Case("no class org.example.Nope", "--select", "class:org.example.Nope"),
                new Case("cannot be combined with --list", "--list", "--doc", "x.md"),
                new Case("Unknown option", "--frobnicate"))) {
            String[] args = Stream.concat(Stream.of("conformance", "--reports-dir", tmp.toString()),
                    Stream.of(c.args())).toArray(String[]::new);
            Run r = xenpv(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).contains(c.expected());
            if (!c.expected().equals("Unknown option")) {
                assertThat(r.err().lines().toList()).as("one line").hasSize(1).first().asString()
                        .startsWith("xenpv conformance: ");
            }
        }
    }
}
