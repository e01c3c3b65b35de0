package org.xenpv.cli.trace;

import picocli.CommandLine.ArgGroup;

/** Picocli mixin wrapper so the trace commands share {@link TraceInput}'s options. */
public final class TraceInputMixin {
    @ArgGroup(exclusive = false, heading = "Input:%n")
    public TraceInput options = new TraceInput();
}
