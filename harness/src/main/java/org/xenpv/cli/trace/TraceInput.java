package org.xenpv.cli.trace;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.xenpv.cli.support.UserError;
import org.xenpv.xenstore.trace.ProgressListener;
import org.xenpv.xenstore.trace.TraceFormat;
import org.xenpv.xenstore.trace.TraceOptions;
import org.xenpv.xenstore.trace.TraceReader;
import org.xenpv.xenstore.trace.TraceSyntaxException;
import picocli.CommandLine.Option;

/** Options shared by the trace subcommands (and {@code xenpv replay}) for reading the input trace. */
public final class TraceInput {

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Input format: cxenstored, oxenstored or jsonl (default: detected from the first lines).")
    String format;

    @Option(names = "--lenient", description = "Skip malformed lines (counted and reported) instead of failing.")
    boolean lenient;

    @Option(names = "--progress", description = "Show a progress bar on stderr even when it is not a terminal.")
    boolean progress;

    public static TraceFormat parseFormat(String s, String option) {
        if (s == null) {
            return null;
        }
        TraceFormat f = TraceFormat.parse(s);
        if (f == null) {
            throw new UserError(option + ": unknown format '" + s + "' (expected cxenstored, oxenstored or jsonl)");
        }
        return f;
    }

    /** Opens the trace, mapping problems to one-line {@link UserError}s. */
    public TraceReader open(Path file, PrintWriter err, ProgressBar[] bar) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        ProgressListener p = ProgressListener.NONE;
        if (progress || System.console() != null) {
            bar[0] = new ProgressBar(err, file.getFileName().toString());
            p = bar[0];
        }
        TraceOptions opts = new TraceOptions(parseFormat(format, "--format"), lenient, true, p);
        try {
            return TraceReader.open(file, opts);
        } catch (TraceSyntaxException e) {
            throw new UserError(e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UserError(file + ": permission denied");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Tells about lines skipped in lenient mode. */
    public static void reportSkipped(TraceReader r, PrintWriter err) {
        if (r.skipped() == 0) {
            return;
        }
        err.println("warning: skipped " + r.skipped() + " malformed record(s) (--lenient); first ones:");
        for (String m : r.skipMessages()) {
            err.println("  " + m);
        }
    }
}
