package org.xenpv.harness.junit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.xenpv.core.log.EventLog;
import org.xenpv.core.sim.Kernel;

/**
 * What a failing invocation leaves behind, in {@code <dir>/<class>/<method>-seed<N>.*}:
 * {@code .log} the event log as protocol-trace text, {@code .jsonl} the same as JSON lines, and
 * {@code .txt} the seed, kernel options, replay commands, leaks and the failure's stack trace.
 */
public final class FailureReport {

    private FailureReport() {
    }

    /** {@code <dir>/<class>/<method>-seed<N>} without extension. */
    public static Path basePath(Path dir, String className, String methodName, long seed) {
        return dir.resolve(className).resolve(methodName + "-seed" + seed);
    }

    static Path write(Path dir, String className, String methodName, String displayName, Kernel kernel,
                      ReplayCommand replay, List<String> checks, InvocationRun.LeakScan leaks, Throwable failure) {
        Path base = basePath(dir, className, methodName, kernel.seed());
        Path log = sibling(base, ".log");
        Path jsonl = sibling(base, ".jsonl");
        Path txt = sibling(base, ".txt");
        EventLog events = kernel.log();
        StringBuilder sb = new StringBuilder();
        sb.append("test: ").append(className).append('#').append(methodName).append('\n');
        sb.append("display-name: ").append(displayName).append('\n');
        sb.append("seed: ").append(kernel.seed()).append('\n');
        sb.append("kernel: ").append(kernel.config()).append('\n');
        for (String c : checks) {
            sb.append("checks: ").append(c).append('\n');
        }
        sb.append("replay-mvn: ").append(replay.mavenCommand()).append('\n');
        sb.append("replay-xenpv: ").append(replay.xenpvCommand()).append('\n');
        sb.append("events: ").append(events.count()).append(" recorded, ").append(events.entries().size())
                .append(" kept in ").append(log.getFileName()).append(" and ").append(jsonl.getFileName()).append('\n');
        sb.append("virtual-time: ").append(EventLog.seconds(kernel.nanoTime())).append('\n');
        for (Leak l : leaks.leaks()) {
            sb.append("leak: ").append(l).append('\n');
        }
        for (String e : leaks.errors()) {
            sb.append("leak-check-error: ").append(e).append('\n');
        }
        if (failure != null) {
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            sb.append("failure:\n").append(trace);
        }
        try {
            Files.createDirectories(base.getParent());
            Files.writeString(log, events.toText(), StandardCharsets.UTF_8);
            Files.writeString(jsonl, events.toJsonLines(), StandardCharsets.UTF_8);
            Files.writeString(txt, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write failure report " + txt + ": " + e.getMessage(), e);
        }
        return log;
    }

    private static Path sibling(Path base, String ext) {
        return base.resolveSibling(base.getFileName() + ext);
    }
}
