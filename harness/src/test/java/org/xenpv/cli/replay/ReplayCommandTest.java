package org.xenpv.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.cli.CliRun.xenpv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xenpv.cli.CliRun;
import org.xenpv.xenstore.cxenstored.RealCxenstored;

/** {@code xenpv replay} through the real command line: reports, exit codes, input errors. */
class ReplayCommandTest {

    static final Path SAMPLES = Path.of("../xenstore/src/test/resources/traces");
    static final Path CX = SAMPLES.resolve("cxenstored-4.17-trace.sample.log");
    static final Path OX = SAMPLES.resolve("oxenstored-4.17-access.sample.log");
    static final Path TOOLSTACK = Path.of("src/test/resources/traces/replay/cxenstored-4.17-toolstack.log");

    @TempDir
    Path dir;

    private Path write(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.ISO_8859_1);
        return p;
    }

    @Test
    void cleanReplayExitsZeroWithATextReport() {
        CliRun r = xenpv("replay", TOOLSTACK.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("replay of cxenstored-4.17-toolstack.log (cxenstored 4.17) against sim (")
                .contains("domains [0, 5]").contains("ambiguous steps (not failures)").contains("TX_CONTEXT")
                .endsWith("result: no divergence\n");
        assertThat(r.err()).contains("using expectations file");
    }

    @Test
    void divergencesExitOneAndNameTheTraceLine() {
        CliRun r = xenpv("replay", CX.toString(), "--no-expectations");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("divergences (1):\n  cxenstored-4.17-trace.sample.log:72: READ /t on "
                        + "0x5650885cbb70 (request at line 71): expected ERROR ENOENT, got READ \"\"\n")
                .endsWith("result: 1 divergence(s)\n");
        CliRun expected = xenpv("replay", CX.toString());
        assertThat(expected.exit()).isZero();
        assertThat(expected.out()).contains("expected deviations (1):").contains("expected because: the 4.17 trace "
                + "records no tx_id");
    }

    @Test
    void jsonReport() throws Exception {
        Path report = dir.resolve("r.json");
        CliRun r = xenpv("replay", OX.toString(), "--report", report.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("result: no divergence (12 expected deviation(s)); json report in " + report);
        JsonNode j = new ObjectMapper().readTree(report.toFile());
        assertThat(j.get("result").asText()).isEqualTo("clean");
        assertThat(j.get("format").asText()).isEqualTo("oxenstored");
        assertThat(j.get("counts").get("expected_deviations").asLong()).isEqualTo(12);
        assertThat(j.get("expected_deviations").get(0).get("line").asLong()).isEqualTo(17);
        assertThat(j.get("expected_deviations").get(0).get("kind").asText()).isEqualTo("MISSING_EVENT");
        assertThat(j.get("ambiguous").size()).isPositive();
        assertThat(j.get("notes").get(0).asText()).startsWith("oxenstored access log: successful replies are not logged");

        CliRun s = xenpv("replay", CX.toString(), "--no-expectations", "--report-format", "json");
        assertThat(s.exit()).isEqualTo(1);
        JsonNode d = new ObjectMapper().readTree(s.out()).get("divergences").get(0);
        assertThat(d.get("line").asLong()).isEqualTo(72);
        assertThat(d.get("request_line").asLong()).isEqualTo(71);
        assertThat(d.get("conn").asText()).isEqualTo("0x5650885cbb70");
        assertThat(d.get("expected").asText()).isEqualTo("ERROR ENOENT");
        assertThat(d.get("actual").asText()).isEqualTo("READ \"\"");
        assertThat(d.get("possibly_due_to_ambiguity_at").size()).isZero();
    }

    @Test
    void junitReport() throws Exception {
        Path report = dir.resolve("TEST-replay.xml");
        CliRun r = xenpv("replay", CX.toString(), "--no-expectations", "--report", report.toString());
        assertThat(r.exit()).isEqualTo(1);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile());
        Element suite = doc.getDocumentElement();
        assertThat(suite.getTagName()).isEqualTo("testsuite");
        assertThat(suite.getAttribute("tests")).isEqualTo("2");
        assertThat(suite.getAttribute("failures")).isEqualTo("2");
        Element failure = (Element) doc.getElementsByTagName("failure").item(1);
        assertThat(failure.getAttribute("message")).startsWith("cxenstored-4.17-trace.sample.log:72: READ /t on ")
                .contains("expected ERROR ENOENT, got READ \"\"");
        Path clean = dir.resolve("clean.xml");
        assertThat(xenpv("replay", CX.toString(), "--report", clean.toString(), "--report-format", "junit").exit())
                .isZero();
        Document c = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(clean.toFile());
        assertThat(c.getDocumentElement().getAttribute("failures")).isEqualTo("0");
        assertThat(c.getDocumentElement().getAttribute("skipped")).isEqualTo("1");
    }

    @Test
    void malformedTracesAreOneLineExitTwo() throws Exception {
        Path garbage = write("garbage.log", "IN 0x1 20261124 13:57:43 READ (/t )\nnonsense here\n");
        CliRun g = xenpv("replay", garbage.toString());
        assertThat(g.exit()).isEqualTo(2);
        assertThat(g.err()).isEqualTo("xenpv replay: " + garbage + ":2: unrecognized cxenstored trace line: "
                + "\"nonsense here\"" + System.lineSeparator());
        assertThat(g.out()).isEmpty();

        Path truncated = write("truncated.log", "CREATE connection 0x1\nIN 0x1 20261124 13:57:43 WRITE (/t/x "
                + "first line of a value\nwith a second line but no end");
        CliRun t = xenpv("replay", truncated.toString());
        assertThat(t.exit()).isEqualTo(2);
        assertThat(t.err()).startsWith("xenpv replay: " + truncated + ":");

        Path mixed = write("mixed.log", "CREATE connection 0x1\n"
                + "[20261124T13:51:00.705Z]  A6           watch     /t tokA \n");
        CliRun m = xenpv("replay", mixed.toString());
        assertThat(m.exit()).isEqualTo(2);
        assertThat(m.err()).startsWith("xenpv replay: " + mixed + ":2: ").doesNotContain("Exception");

        Path binary = dir.resolve("bin.log");
        Files.write(binary, new byte[] {0x7f, 'E', 'L', 'F', 0, 1, 2});
        CliRun b = xenpv("replay", binary.toString());
        assertThat(b.exit()).isEqualTo(2);
        assertThat(b.err()).contains(binary + ":1: NUL byte: binary data");

        assertThat(xenpv("replay", dir.resolve("missing.log").toString()).err()).contains("no such file");
        CliRun lenient = xenpv("replay", garbage.toString(), "--lenient");
        assertThat(lenient.exit()).isZero();
        assertThat(lenient.err()).contains("warning: skipped 1 malformed record(s)");
    }

    @Test
    void usageErrorsAreExitTwo() throws Exception {
        assertThat(xenpv("replay", CX.toString(), "--against", "tcp:1234").err())
                .contains("--against: expected sim or socket:PATH, got 'tcp:1234'");
        CliRun s = xenpv("replay", CX.toString(), "--against", "socket:" + dir.resolve("nope"));
        assertThat(s.exit()).isEqualTo(2);
        assertThat(s.err()).contains("no such socket");
        assertThat(xenpv("replay", CX.toString(), "--report-format", "html").exit()).isEqualTo(2);
        Path dead = dir.resolve("dead.sock");
        try (java.nio.channels.ServerSocketChannel ch = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(dead));
        }
        CliRun refused = xenpv("replay", CX.toString(), "--against", "socket:" + dead);
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).startsWith("xenpv replay: socket:" + dead + " is unreachable: cannot connect to "
                + "xenstored socket " + dead + ": ");
        Path badDump = write("bad.dump", "/a = \"x\"   (n0)\n/b = \"unterminated\n");
        CliRun d = xenpv("replay", CX.toString(), "--initial", badDump.toString());
        assertThat(d.exit()).isEqualTo(2);
        assertThat(d.err()).contains(badDump + ":2: value has no closing quote");
        Path badExp = write("x.replay", "expect nine lives\n");
        CliRun e = xenpv("replay", CX.toString(), "--expectations", badExp.toString());
        assertThat(e.exit()).isEqualTo(2);
        assertThat(e.err()).contains(badExp + ":1: expect: 'nine' is no line number");
    }

    @Test
    void initialStateFromADump() throws Exception {
        Path trace = write("reads.log", """
                CREATE connection 0x1
                IN 0x1 20261124 13:57:43 READ (/local/domain/5/name )
                OUT 0x1 20261124 13:57:43 READ (guest)
                IN 0x1 20261124 13:57:43 GET_PERMS (/local/domain/5 )
                OUT 0x1 20261124 13:57:43 GET_PERMS (n5 r0 )
                DESTROY connection 0x1
                """);
        Path dump = write("state.dump", """
                /local = ""   (n0)
                /local/domain = ""   (n0)
                /local/domain/5 = ""   (n5,r0)
                /local/domain/5/name = "guest"   (n5,r0)
                """);
        assertThat(xenpv("replay", trace.toString()).exit()).isEqualTo(1);
        CliRun r = xenpv("replay", trace.toString(), "--initial", dump.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("started from an initial state of 4 nodes");
        CliRun only0 = xenpv("replay", trace.toString(), "--initial", dump.toString(), "--domains", "0");
        assertThat(only0.exit()).isEqualTo(2);
        assertThat(only0.err()).contains(dump + ":3: creating the initial state: SET_PERMS /local/domain/5 [n5, r0] "
                + "failed")
                .contains("ENOENT");
    }

    /** Against a real cxenstored's socket: the sample reproduces except where its trace lacks the tx_id. */
    @Test
    void againstARealDaemonSocket() throws Exception {
        try (RealCxenstored d = RealCxenstored.start()) {
            CliRun r = xenpv("replay", CX.toString(), "--against", "socket:" + d.socketPath(), "--report-format", "json");
            assertThat(r.exit()).isZero();
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertThat(j.get("target").asText()).isEqualTo("socket:" + d.socketPath());
            assertThat(j.get("counts").get("replies_compared").asLong()).isEqualTo(62);
            assertThat(j.get("counts").get("events_compared").asLong()).isEqualTo(10);
            assertThat(j.get("expected_deviations").get(0).get("line").asLong()).isEqualTo(72);

            CliRun ring = xenpv("replay", TOOLSTACK.toString(), "--against", "socket:" + d.socketPath(), "--timeout", "300");
            assertThat(ring.exit()).isEqualTo(1);
            assertThat(ring.out()).contains("skipped steps (").contains("is domain 5's ring: its steps are skipped "
                    + "against socket:" + d.socketPath() + ", where every client is a privileged dom0 socket client");
        }
    }
}
