package org.xenpv.cli.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.xenpv.cli.support.UserError;
import org.xenpv.xenstore.trace.TraceReader;
import org.xenpv.xenstore.trace.TraceStats;
import org.xenpv.xenstore.trace.TraceSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code xenpv trace stats TRACE}: operations by type and connection, errors by errno, transaction
 * outcomes, watch fan-out, ambiguities. Exit 0, or 2 for malformed input (one line {@code file:line: ...}).
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Summarise a xenstore trace: ops by type and connection, errors by errno, transactions "
                + "and their outcome, watch fan-out, ambiguities of the reconstruction.")
public final class TraceStatsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TRACE", description = "Trace file.")
    Path trace;

    @Mixin
    TraceInputMixin input;

    @Option(names = "--timing", description = "Print parse speed (lines/s, MB/s) and peak heap.")
    boolean timing;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        long t0 = System.nanoTime();
        TraceStats stats = new TraceStats();
        ProgressBar[] bar = new ProgressBar[1];
        TraceReader r = input.options.open(trace, err, bar);
        try (r) {
            while (r.hasNext()) {
                stats.accept(r.next());
            }
        } catch (TraceSyntaxException e) {
            throw new UserError(e.getMessage());
        } catch (UncheckedIOException | IOException e) {
            throw new UserError(trace + ": " + e.getMessage());
        } finally {
            if (bar[0] != null) {
                bar[0].finish();
            }
        }
        double secs = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        TraceInput.reportSkipped(r, err);
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("file", trace.toString());
        head.put("format", r.format().cliName());
        head.put("variant", r.variant());
        head.put("lines", r.linesRead());
        head.put("bytes", r.bytesRead());
        head.put("skipped", r.skipped());
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("seconds", secs);
        tm.put("lines_per_second", (long) (r.linesRead() / secs));
        tm.put("mb_per_second", r.bytesRead() / 1e6 / secs);
        tm.put("peak_heap_bytes", peak);
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>(head);
            all.putAll(stats.toMap());
            if (timing) {
                all.put("timing", tm);
            }
            try {
                out.println(new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                        .writeValueAsString(all));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            out.printf("%s: %s (%s), %d lines, %d bytes%s%n", trace, r.format().cliName(), r.variant(),
                    r.linesRead(), r.bytesRead(), r.skipped() > 0 ? ", " + r.skipped() + " malformed skipped" : "");
            out.print(stats.toText());
            if (timing) {
                out.printf("timing: %.3f s, %,d lines/s, %.1f MB/s, peak heap %.1f MB%n", secs,
                        (long) (r.linesRead() / secs), r.bytesRead() / 1e6 / secs, peak / 1e6);
            }
        }
        out.flush();
        return 0;
    }
}
