package org.xenpv.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xenpv.cli.Xenpv;
import org.xenpv.xenstore.client.XsErrorException;
import org.xenpv.xenstore.client.XsSocketClient;
import org.xenpv.xenstore.trace.Reply;
import org.xenpv.xenstore.trace.Request;
import org.xenpv.xenstore.trace.TraceFormat;
import org.xenpv.xenstore.trace.TraceOptions;
import org.xenpv.xenstore.trace.TraceReader;
import org.xenpv.xenstore.trace.TraceRecord;
import org.xenpv.xenstore.wire.XsType;
import picocli.CommandLine;

/**
 * {@code xenpv serve} as a real process: it listens where told (creating the directory), serves dom0 and a
 * {@code --domain} guest, applies quota options, writes the JSON-lines trace, and on SIGTERM closes and
 * removes its sockets. Bad options fail fast with exit code 2.
 */
class ServeCommandTest {

    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private static int execute(StringWriter err, String... args) {
        CommandLine cl = Xenpv.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    @Test
    void badOptionsExitWithUsageErrors() {
        StringWriter err = new StringWriter();
        assertThat(execute(err, "serve", "--domain", "0=/tmp/x")).isEqualTo(2);
        assertThat(err.toString()).contains("--domain 0=/tmp/x").contains("guest domain");
        err = new StringWriter();
        assertThat(execute(err, "serve", "-Q", "bogus=1")).isEqualTo(2);
        assertThat(err.toString()).contains("-Q bogus");
        err = new StringWriter();
        assertThat(execute(err, "serve", "--entry-nb", "-5")).isEqualTo(2);
        assertThat(err.toString()).contains("entry-nb");
        err = new StringWriter();
        assertThat(execute(err, "serve", "--trace-format", "xml")).isEqualTo(2);
    }

    @Test
    void servesUntilSigtermThenRemovesItsSockets() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xserve");
        Path socket = dir.resolve("run/xenstored/socket");
        Path guest = dir.resolve("dom7");
        Path trace = dir.resolve("trace.jsonl");
        // The CLI's own logging configuration (INFO to stderr), not the tests'.
        String logConfig = Path.of(ServeCommandTest.class.getResource("/logback.xml").toURI()).toString();
        ProcessBuilder pb = new ProcessBuilder(JAVA.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=" + logConfig, Xenpv.class.getName(), "serve", "--socket", socket.toString(), "--domain", "7=" + guest,
                "--trace", trace.toString(), "--trace-format", "jsonl", "--entry-nb", "3")
                .redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile());
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(Files.exists(socket) && Files.exists(guest)) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(p.isAlive()).as("xenpv serve is running: %s", log(dir)).isTrue();
            assertThat(Files.exists(socket)).as("socket created: %s", log(dir)).isTrue();
            try (XsSocketClient dom0 = XsSocketClient.connect(socket, "dom0", Duration.ofSeconds(5));
                    XsSocketClient g = XsSocketClient.connect(guest, "guest7", Duration.ofSeconds(5))) {
                dom0.write("/hello", "world");
                assertThat(dom0.readString("/hello")).isEqualTo("world");
                assertThat(g.getDomainPath(7)).isEqualTo("/local/domain/7");
                g.write("a", "1");
                g.write("b", "2");
                assertThat(dom0.readString("/local/domain/7/a")).isEqualTo("1");
                // --entry-nb 3: /local/domain/7 itself counts, so the third own node is refused
                org.junit.jupiter.api.Assertions.assertThrows(XsErrorException.class, () -> g.write("c", "3"));
                org.junit.jupiter.api.Assertions.assertThrows(XsErrorException.class, () -> g.write("/x", "3"));
            }
            xenstoreRead(socket);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits after SIGTERM: %s", log(dir)).isTrue();
            assertThat(Files.exists(socket)).as("dom0 socket removed").isFalse();
            assertThat(Files.exists(guest)).as("guest socket removed").isFalse();
            List<TraceRecord> records = new ArrayList<>();
            try (TraceReader r = TraceReader.open(trace, TraceOptions.DEFAULT)) {
                assertThat(r.format()).isEqualTo(TraceFormat.JSONL);
                while (r.hasNext()) {
                    records.add(r.next());
                }
            }
            assertThat(records).anySatisfy(r -> assertThat(r).isInstanceOfSatisfying(Request.class, q -> {
                assertThat(q.type()).isEqualTo(XsType.WRITE.code());
                assertThat(q.payload().bytes()).isEqualTo("/hello\0world".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(q.time().wall()).isNotNull();
            }));
            assertThat(records).anySatisfy(r -> assertThat(r).isInstanceOfSatisfying(Reply.class, reply -> {
                assertThat(reply.domid()).hasValue(7);
                assertThat(reply.payload().bytes()).isEqualTo("ENOSPC\0".getBytes(StandardCharsets.ISO_8859_1));
            }));
            assertThat(log(dir)).contains("xenstored ready").contains("shutting down");
        } finally {
            p.destroyForcibly();
        }
    }

    /** xenstore-read through XENSTORED_PATH, when xenstore-utils is installed. */
    private static void xenstoreRead(Path socket) throws IOException, InterruptedException {
        Path tool = Path.of("/usr/bin/xenstore-read");
        if (!Files.isExecutable(tool)) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(tool.toString(), "/hello").redirectErrorStream(true);
        pb.environment().put("XENSTORED_PATH", socket.toString());
        Process r = pb.start();
        assertThat(r.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(r.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("world\n");
        assertThat(r.exitValue()).isZero();
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("serve.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
