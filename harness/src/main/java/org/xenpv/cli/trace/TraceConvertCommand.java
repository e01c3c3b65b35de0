package org.xenpv.cli.trace;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import org.xenpv.cli.support.UserError;
import org.xenpv.xenstore.trace.TraceFormat;
import org.xenpv.xenstore.trace.TraceReader;
import org.xenpv.xenstore.trace.TraceSyntaxException;
import org.xenpv.xenstore.trace.TraceWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code xenpv trace convert IN OUT --to jsonl|cxenstored}. The output is written to a temporary file
 * next to OUT and moved into place only when the whole input converted, so malformed input leaves
 * no partial file.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a xenstore trace to xenpv JSON lines or to the cxenstored 4.17 trace format.")
public final class TraceConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "Input trace.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output file.")
    Path out;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "Output format: jsonl or cxenstored.")
    String to;

    @Mixin
    TraceInputMixin input;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        TraceFormat target = TraceInput.parseFormat(to, "--to");
        if (target == TraceFormat.OXENSTORED) {
            throw new UserError("--to: no writer for the oxenstored access log (use jsonl or cxenstored)");
        }
        ProgressBar[] bar = new ProgressBar[1];
        final TraceReader r = input.options.open(in, err, bar);
        Path tmp;
        try {
            tmp = Files.createTempFile(out.toAbsolutePath().getParent(), "." + out.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            closeQuietly(r);
            throw new UserError(out + ": cannot write: " + e.getMessage());
        }
        long n = 0;
        Map<String, Long> dropped;
        try {
            try (r; OutputStream os = Files.newOutputStream(tmp);
                 TraceWriter w = TraceWriter.of(target, os, r.format(), r.variant())) {
                while (r.hasNext()) {
                    w.write(r.next());
                    n++;
                }
                dropped = w.dropped();
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        } catch (TraceSyntaxException e) {
            throw new UserError(e.getMessage());
        } catch (UncheckedIOException | IOException e) {
            throw new UserError(in + " -> " + out + ": " + e.getMessage());
        } finally {
            if (bar[0] != null) {
                bar[0].finish();
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                err.println("warning: cannot remove " + tmp + ": " + e.getMessage());
            }
        }
        TraceInput.reportSkipped(r, err);
        err.printf("%s (%s) -> %s (%s): %d records%n", in, r.variant(), out, target.cliName(), n);
        if (!dropped.isEmpty()) {
            err.println("not representable in " + target.cliName() + ", dropped: " + dropped);
        }
        err.flush();
        return 0;
    }

    private static void closeQuietly(TraceReader r) {
        try {
            r.close();
        } catch (IOException e) {
            // nothing was written yet; the UserError that follows says what failed
        }
    }
}
