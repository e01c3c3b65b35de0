package org.xenpv.cli.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.cli.CliRun.xenpv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.cli.CliRun;

/** {@code xenpv trace stats|convert} through the real command line: output, exit codes, errors. */
class TraceCommandTest {

    static final Path CX = Path.of("../xenstore/src/test/resources/traces/cxenstored-4.17-trace.sample.log");
    static final Path OX = Path.of("../xenstore/src/test/resources/traces/oxenstored-4.17-access.sample.log");

    @Test
    void statsText() {
        CliRun r = xenpv("trace", "stats", CX.toString(), "--timing");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("cxenstored (cxenstored 4.17), 171 lines, 16609 bytes")
                .contains("messages: 62 requests, 62 replies (62 paired with their request), 10 watch events")
                .contains("transactions: 2 started, 0 committed (0 after replay), 0 aborted, 2 EAGAIN")
                .containsPattern("timing: [0-9.]+ s, [0-9,]+ lines/s, [0-9.]+ MB/s, peak heap [0-9.]+ MB");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void statsJson() throws Exception {
        CliRun r = xenpv("trace", "stats", OX.toString(), "--json");
        assertThat(r.exit()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("format").asText()).isEqualTo("oxenstored");
        assertThat(j.get("watch_events").asLong()).isEqualTo(14);
        assertThat(j.get("errors").get("ENOSYS").asLong()).isEqualTo(6);
        assertThat(j.get("transactions").get("committed_after_replay").asLong()).isEqualTo(1);
        assertThat(j.get("requests_by_connection").get("A6").get("WATCH").asLong()).isEqualTo(7);
    }

    @Test
    void malformedInputIsOneLineExit2(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.log");
        Files.writeString(bad, "IN 0x1 20261124 13:57:43 READ (/t )\nnonsense here\n");
        CliRun r = xenpv("trace", "stats", bad.toString(), "--format", "cxenstored");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("xenpv trace stats: " + bad + ":2: unrecognized cxenstored trace line: "
                + "\"nonsense here\"" + System.lineSeparator());
        CliRun lenient = xenpv("trace", "stats", bad.toString(), "--lenient");
        assertThat(lenient.exit()).isZero();
        assertThat(lenient.out()).contains("1 malformed skipped");
        assertThat(lenient.err()).contains("warning: skipped 1 malformed record(s)");
        assertThat(xenpv("trace", "stats", dir.resolve("missing.log").toString()).err()).contains("no such file");
        assertThat(xenpv("trace", "stats", bad.toString(), "--format", "xml").exit()).isEqualTo(2);
    }

    @Test
    void undetectableOrBinaryInputIsExit2(@TempDir Path dir) throws Exception {
        Path txt = dir.resolve("notes.txt");
        Files.writeString(txt, "just some text\n");
        CliRun r = xenpv("trace", "stats", txt.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("xenpv trace stats: " + txt + ":1: cannot tell the trace format");
        Path bin = dir.resolve("a.out");
        Files.write(bin, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, '\n'});
        CliRun b = xenpv("trace", "convert", bin.toString(), dir.resolve("x").toString(), "--to", "jsonl");
        assertThat(b.exit()).isEqualTo(2);
        assertThat(b.err()).contains(bin + ":1: NUL byte");
        Path empty = dir.resolve("empty.log");
        Files.write(empty, new byte[0]);
        assertThat(xenpv("trace", "stats", empty.toString()).err()).contains("empty file");
    }

    @Test
    void convertBothWays(@TempDir Path dir) throws Exception {
        Path j = dir.resolve("t.jsonl");
        Path c = dir.resolve("t.log");
        CliRun a = xenpv("trace", "convert", CX.toString(), j.toString(), "--to", "jsonl");
        assertThat(a.exit()).isZero();
        assertThat(a.err()).contains("-> " + j + " (jsonl):");
        CliRun b = xenpv("trace", "convert", j.toString(), c.toString(), "--to", "cxenstored");
        assertThat(b.exit()).isZero();
        assertThat(Files.readAllBytes(c)).isEqualTo(Files.readAllBytes(CX));
        CliRun o = xenpv("trace", "convert", OX.toString(), dir.resolve("o.log").toString(), "--to", "cxenstored");
        assertThat(o.err()).contains("dropped: {Noise=1, ReplayedOp=1, TransactionOutcome=3}");
        assertThat(xenpv("trace", "convert", CX.toString(), c.toString(), "--to", "oxenstored").exit()).isEqualTo(2);
    }

    @Test
    void failedConvertLeavesNoOutput(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.log");
        Files.writeString(bad, "***\ngarbage\n");
        Path out = dir.resolve("out.jsonl");
        CliRun r = xenpv("trace", "convert", bad.toString(), out.toString(), "--to", "jsonl");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(bad + ":2: unrecognized cxenstored trace line");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("bad.log");
        }
    }

    @Test
    void progressBarOnRequest(@TempDir Path dir) {
        CliRun r = xenpv("trace", "stats", CX.toString(), "--progress");
        assertThat(r.err()).contains("cxenstored-4.17-trace.sample.log [").contains("100%");
    }
}
