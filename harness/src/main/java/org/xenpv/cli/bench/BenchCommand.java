package org.xenpv.cli.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code xenpv bench}: throughput measurements of the simulated platform against C references. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of the platform's hot paths, compared with C references built at run time.",
        subcommands = {RingBenchCommand.class, StoreBenchCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
