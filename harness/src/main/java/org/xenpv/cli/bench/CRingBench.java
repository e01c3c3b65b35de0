package org.xenpv.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The C reference of {@code xenpv bench ring}: {@code ringbench.c} (a resource next to this class), the same
 * workload and notification model written with Xen's own {@code io/ring.h} and {@code io/blkif.h} macros,
 * compiled with {@code gcc -O2 -pthread} into a temporary directory and run as {@code ringbench MODE COUNT YIELDS}
 * (YIELDS: the same yield-before-block policy as the Java side's {@link BenchPort}). It inherits this JVM's CPU
 * affinity, so {@code taskset} on {@code xenpv} confines both implementations to the same CPUs.
 *
 * <p>{@link #prepare} reports why the reference cannot be built (no gcc, no Xen headers) instead of throwing,
 * so the command can still print the Java figure. A program is built once per compiler per JVM (tests run the
 * command many times) and its directory is deleted when the JVM exits.
 */
public final class CRingBench {

    /** Where the Xen public headers the program includes are expected. */
    public static final Path XEN_RING_H = Path.of("/usr/include/xen/io/ring.h");
    static final String SOURCE = "ringbench.c";
    private static final Pattern LINE = Pattern.compile(
            "mode=(\\S+) count=(\\d+) yields=(\\d+) seconds=([0-9.]+) rtps=(\\d+) notifies=(\\d+) waits=(\\d+)");
    private static final long COMPILE_TIMEOUT_SECONDS = 120;

    /** Programs built in this JVM, by compiler command. */
    private static final Map<String, Path> BUILT = new HashMap<>();

    private final Path exe;
    private final long runTimeoutSeconds;

    private CRingBench(Path exe, long runTimeoutSeconds) {
        this.exe = exe;
        this.runTimeoutSeconds = runTimeoutSeconds;
    }

    /** What {@link #prepare} gives: the built program, or why there is none. */
    public sealed interface Prepared permits Ready, Unavailable {
    }

    public record Ready(CRingBench bench) implements Prepared {
    }

    /** @param reason one line naming what is missing or what failed */
    public record Unavailable(String reason) implements Prepared {
    }

    /**
     * Extracts {@code ringbench.c} and compiles it with {@code gcc}.
     *
     * @param gcc               the compiler command
     * @param runTimeoutSeconds how long one run may take
     */
    public static Prepared prepare(String gcc, long runTimeoutSeconds) {
        synchronized (BUILT) {
            Path exe = BUILT.get(gcc);
            if (exe != null && Files.isExecutable(exe)) {
                return new Ready(new CRingBench(exe, runTimeoutSeconds));
            }
            Prepared p = build(gcc, runTimeoutSeconds);
            if (p instanceof Ready r) {
                BUILT.put(gcc, r.bench().exe);
            }
            return p;
        }
    }

    private static Prepared build(String gcc, long runTimeoutSeconds) {
        if (!Files.isRegularFile(XEN_RING_H)) {
            return new Unavailable(XEN_RING_H + " not found (install the Debian package libxen-dev)");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("xenpv-ringbench");
        } catch (IOException e) {
            return new Unavailable("cannot create a temporary directory for the C reference: " + e.getMessage());
        }
        Path src = dir.resolve(SOURCE);
        Path exe = dir.resolve("ringbench");
        try (InputStream in = CRingBench.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                deleteTree(dir);
                return new Unavailable(SOURCE + " is missing from the xenpv jar (org/xenpv/cli/bench/" + SOURCE + ")");
            }
            Files.copy(in, src);
        } catch (IOException e) {
            deleteTree(dir);
            return new Unavailable("cannot extract " + SOURCE + " to " + dir + ": " + e.getMessage());
        }
        List<String> cmd = List.of(gcc, "-O2", "-pthread", "-o", exe.toString(), src.toString());
        Exec r;
        try {
            r = exec(cmd, COMPILE_TIMEOUT_SECONDS);
        } catch (IOException e) {
            deleteTree(dir);
            return new Unavailable(gcc + " not runnable (" + e.getMessage() + "); install the Debian package gcc");
        }
        if (r.exit != 0) {
            deleteTree(dir);
            return new Unavailable(String.join(" ", cmd) + " failed (exit " + r.exit + "): "
                    + firstLines(r.stderr, 5));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "xenpv-ringbench-cleanup"));
        return new Ready(new CRingBench(exe, runTimeoutSeconds));
    }

    /**
     * Runs the reference once.
     *
     * @throws IllegalStateException if it fails, hangs or prints something unexpected
     */
    public RunResult run(NotifyMode mode, long count, int yields) {
        List<String> cmd = List.of(exe.toString(), mode.cliName(), Long.toString(count), Integer.toString(yields));
        Exec r;
        try {
            r = exec(cmd, runTimeoutSeconds);
        } catch (IOException e) {
            throw new UncheckedIOException("running " + exe, e);
        }
        if (r.exit != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.exit + ": " + firstLines(r.stderr, 5));
        }
        return parse(r.stdout, mode, count, yields);
    }

    /** Parses the program's one output line. */
    static RunResult parse(String stdout, NotifyMode mode, long count, int yields) {
        Matcher m = LINE.matcher(stdout.strip());
        if (!m.matches()) {
            throw new IllegalStateException("unexpected output of " + SOURCE + ": '" + stdout.strip() + "'");
        }
        if (!m.group(1).equals(mode.cliName()) || Long.parseLong(m.group(2)) != count
                || Long.parseLong(m.group(3)) != yields) {
            throw new IllegalStateException(SOURCE + " ran mode " + m.group(1) + " count " + m.group(2) + " yields "
                    + m.group(3) + ", asked for " + mode.cliName() + " " + count + " yields " + yields);
        }
        long nanos = Math.max(1, Math.round(Double.parseDouble(m.group(4)) * 1e9));
        return new RunResult(mode, count, nanos, Long.parseLong(m.group(6)), Long.parseLong(m.group(7)));
    }

    private record Exec(int exit, String stdout, String stderr) {
    }

    private static Exec exec(List<String> cmd, long timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Exec(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
        }
    }

    private static String slurp(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<unreadable: " + e.getMessage() + ">";
        }
    }

    private static String firstLines(String text, int n) {
        List<String> lines = new ArrayList<>(text.strip().lines().limit(n).toList());
        return lines.isEmpty() ? "(no output)" : String.join(" | ", lines);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
