package org.xenpv.cli.trace;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code xenpv trace}: read xenstore traces (cxenstored -T, oxenstored access log, xenpv JSON lines). */
@Command(name = "trace",
        mixinStandardHelpOptions = true,
        description = "Read xenstore traces: cxenstored -T (4.17, 4.18+, 4.19+), oxenstored access log, "
                + "xenpv JSON lines. Formats and reconstruction rules: docs/traces.md.",
        subcommands = {TraceStatsCommand.class, TraceConvertCommand.class})
public final class TraceCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
