package org.xenpv.cli.trace;

import picocli.CommandLine.ArgGroup;

/** Picocli mixin wrapper so both subcommands share {@link TraceInput}'s options. */
final class TraceInputMixin {
    @ArgGroup(exclusive = false, heading = "Input:%n")
    TraceInput options = new TraceInput();
}
