package org.xenpv.xenbus.log;

/**
 * Where a log disposition sends a formatted message: the driver's {@code Function(Argument, Buffer,
 * Length)} of {@code LogAddDisposition} ({@code [bus xen/log.c]}). The text is passed as formatted,
 * trailing newline included; converting it for a device (the console's {@code \r\n}) is the output's job.
 */
@FunctionalInterface
public interface LogOutput {

    void output(LogLevel level, String text);
}
