package org.xenpv.cli;

import org.xenpv.cli.conformance.ConformanceCommand;
import org.xenpv.cli.support.UserError;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code xenpv} command. Each subcommand lives in its own class and is listed here.
 *
 * <p>Exit codes: 0 success; 1 the checked thing failed (a divergence, a failed test, a failed
 * benchmark comparison); 2 bad usage or bad input (picocli's usage errors, unreadable or malformed
 * files); 3 an internal error.
 */
@Command(name = "xenpv",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Xen PV frontend emulator and conformance harness.",
        subcommands = {
                CommandLine.HelpCommand.class,
                AutoComplete.GenerateCompletion.class,
                org.xenpv.cli.trace.TraceCommand.class,
                ConformanceCommand.class,
                org.xenpv.cli.ring.RingCommand.class,
                org.xenpv.cli.serve.ServeCommand.class,
                org.xenpv.cli.bench.BenchCommand.class,
                org.xenpv.cli.replay.ReplayCommand.class,
                org.xenpv.cli.boot.BootCommand.class,
        })
public final class Xenpv implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INTERNAL = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Xenpv());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof UserError ue) {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + ue.getMessage());
                return EXIT_USAGE;
            }
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": internal error: " + ex);
            org.slf4j.LoggerFactory.getLogger(Xenpv.class).debug("internal error", ex);
            return EXIT_INTERNAL;
        });
        cl.setExitCodeExceptionMapper(ex -> EXIT_USAGE);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
