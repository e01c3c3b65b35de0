package org.xenpv.cli.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.xenpv.cli.Xenpv;
import org.xenpv.cli.support.UserError;
import org.xenpv.cli.trace.ProgressBar;
import org.xenpv.cli.trace.TraceInput;
import org.xenpv.cli.trace.TraceInputMixin;
import org.xenpv.harness.replay.DumpEntry;
import org.xenpv.harness.replay.ReplayExpectations;
import org.xenpv.harness.replay.ReplayInputException;
import org.xenpv.harness.replay.ReplayOptions;
import org.xenpv.harness.replay.ReplayPlatform;
import org.xenpv.harness.replay.ReplayReport;
import org.xenpv.harness.replay.ReplayTarget;
import org.xenpv.harness.replay.ReportFormat;
import org.xenpv.harness.replay.SimTarget;
import org.xenpv.harness.replay.SocketTarget;
import org.xenpv.harness.replay.TraceReplayer;
import org.xenpv.harness.replay.XenstoreDump;
import org.xenpv.xenstore.trace.TraceReader;
import org.xenpv.xenstore.trace.TraceSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code xenpv replay TRACE}: re-issue a xenstore trace's requests against a daemon and report every
 * reply and watch event that differs from the recorded one ({@code docs/traces.md}, "Replay").
 * Exit 0 when nothing diverged, 1 on divergences, 2 for bad input or usage.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replay a xenstore trace (cxenstored -T, oxenstored access log, xenpv JSON lines) against "
                + "a daemon and compare every reply and watch event with the recorded one.",
                "Exit status: 0 no divergence, 1 divergences, 2 bad input or usage."})
public final class ReplayCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TRACE", description = "Trace file.")
    Path trace;

    @Option(names = "--against", paramLabel = "TARGET", defaultValue = "sim",
            description = "sim (xenpv's in-process daemon, fresh; default) or socket:PATH (a running daemon's "
                    + "Unix socket).")
    String against;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Write the full report to FILE (format from --report-format, else by extension: "
                    + ".json JSON, .xml JUnit XML, other text); stdout then gets a summary.")
    Path reportFile;

    @Option(names = "--report-format", paramLabel = "FORMAT", description = "text, json or junit.")
    String reportFormat;

    @Option(names = "--initial", paramLabel = "DUMP",
            description = "Start from this state: a 'xenstore-ls -f -p' dump (default: the trace's expectations "
                    + "file, else a fresh daemon: /, /tool, /tool/xenstored).")
    Path initial;

    @Option(names = "--domains", paramLabel = "DOMIDS", split = ",",
            description = "Domains the hypervisor has, for sim (default: the expectations file's, else every "
                    + "domain exists).")
    List<Integer> domains;

    @Option(names = "--expectations", paramLabel = "FILE",
            description = "Expectations file (domains, initial state, expected deviations; default TRACE.replay "
                    + "when it exists).")
    Path expectations;

    @Option(names = "--no-expectations", description = "Ignore TRACE.replay.")
    boolean noExpectations;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "5000",
            description = "socket: how long to wait for a reply or watch event (default ${DEFAULT-VALUE} ms).")
    long timeoutMs;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + ReplayOptions.DEFAULT_LIMIT,
            description = "List at most N entries per report section (counts stay exact; default ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    TraceInputMixin input;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReportFormat format = reportFormat();
        if (limit < 1) {
            throw new UserError("--limit: must be at least 1, got " + limit);
        }
        if (timeoutMs < 1) {
            throw new UserError("--timeout: must be at least 1 ms, got " + timeoutMs);
        }
        ReplayExpectations exp = expectations();
        ReplayOptions opts = ReplayOptions.DEFAULT.withExpectations(exp).withLimit(limit);
        Path dump = initial != null ? initial : exp.initial();
        if (dump != null) {
            opts = opts.withInitial(readDump(dump));
        }
        Set<Integer> doms = domains != null ? new TreeSet<>(domains) : exp.domains();
        ProgressBar[] bar = new ProgressBar[1];
        ReplayReport report;
        try (ReplayTarget target = target(doms); TraceReader r = input.options.open(trace, err, bar)) {
            report = new TraceReplayer(target, opts).replay(r, trace.getFileName().toString());
            TraceInput.reportSkipped(r, err);
        } catch (TraceSyntaxException e) {
            throw new UserError(e.getMessage());
        } catch (ReplayInputException e) {
            throw new UserError(e.getMessage());
        } catch (UncheckedIOException e) {
            throw new UserError(trace + ": " + e.getCause().getMessage());
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        } finally {
            if (bar[0] != null) {
                bar[0].finish();
            }
        }
        if (!exp.isEmpty() && expectations == null && !noExpectations) {
            err.println("using expectations file " + trace.resolveSibling(trace.getFileName()
                    + ReplayExpectations.SUFFIX));
        }
        write(report, format, out);
        err.flush();
        return report.clean() ? Xenpv.EXIT_OK : Xenpv.EXIT_FAILED;
    }

    private ReportFormat reportFormat() {
        if (reportFormat == null) {
            return reportFile != null ? ReportFormat.forFile(reportFile.getFileName().toString()) : ReportFormat.TEXT;
        }
        ReportFormat f = ReportFormat.parse(reportFormat);
        if (f == null) {
            throw new UserError("--report-format: unknown format '" + reportFormat + "' (expected text, json or junit)");
        }
        return f;
    }

    private ReplayExpectations expectations() {
        try {
            if (expectations != null) {
                if (!Files.isRegularFile(expectations)) {
                    throw new UserError(expectations + ": no such file");
                }
                return ReplayExpectations.parse(expectations);
            }
            return noExpectations ? ReplayExpectations.NONE : ReplayExpectations.forTrace(trace);
        } catch (ReplayInputException e) {
            throw new UserError(e.getMessage());
        }
    }

    private static List<DumpEntry> readDump(Path dump) {
        if (!Files.isRegularFile(dump)) {
            throw new UserError(dump + ": " + (Files.exists(dump) ? "not a regular file" : "no such file"));
        }
        try {
            return XenstoreDump.parse(dump);
        } catch (ReplayInputException e) {
            throw new UserError(e.getMessage());
        }
    }

    private ReplayTarget target(Set<Integer> doms) {
        if (against.equals("sim")) {
            return new SimTarget(doms == null ? ReplayPlatform.allDomains() : ReplayPlatform.only(doms));
        }
        if (against.startsWith("socket:") && against.length() > "socket:".length()) {
            Path socket = Path.of(against.substring("socket:".length()));
            if (!Files.exists(socket)) {
                throw new UserError("--against " + against + ": no such socket");
            }
            if (Files.isRegularFile(socket) || Files.isDirectory(socket)) {
                throw new UserError("--against " + against + ": not a socket");
            }
            if (doms != null && domains != null) {
                throw new UserError("--domains applies to sim only: the daemon on " + socket
                        + " asks its own hypervisor");
            }
            return new SocketTarget(socket, Duration.ofMillis(timeoutMs));
        }
        throw new UserError("--against: expected sim or socket:PATH, got '" + against + "'");
    }

    private void write(ReplayReport report, ReportFormat format, PrintWriter out) {
        try {
            if (reportFile == null) {
                format.write(report, out);
                return;
            }
            StringWriter sw = new StringWriter();
            format.write(report, sw);
            Path tmp = Files.createTempFile(reportFile.toAbsolutePath().getParent(), "." + reportFile.getFileName(),
                    ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(sw.toString());
            }
            Files.move(tmp, reportFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            out.println("replay of " + report.file() + " against " + report.target() + ": " + ReportFormat.counts(report));
            for (var d : report.divergences()) {
                out.println("  " + d.message());
            }
            out.println("result: " + ReportFormat.verdict(report) + "; " + format.cliName() + " report in " + reportFile);
            out.flush();
        } catch (IOException e) {
            throw new UserError(reportFile + ": cannot write the report: " + e.getMessage());
        }
    }
}
