package org.xenpv.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One in-process run of the {@code xenpv} command line ({@link Xenpv#commandLine()}): its exit code and what it
 * printed to standard output and standard error, for the command tests.
 *
 * @param exit the exit code
 * @param out  standard output
 * @param err  standard error
 */
public record CliRun(int exit, String out, String err) {

    /** Runs {@code xenpv args...} and captures both streams. */
    public static CliRun xenpv(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Xenpv.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
