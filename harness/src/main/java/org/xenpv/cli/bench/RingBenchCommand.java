package org.xenpv.cli.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.xenpv.cli.Xenpv;
import org.xenpv.cli.support.UserError;
import org.xenpv.core.sim.KernelConfig.ActorThreads;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xenpv bench ring}: round trips per second on a one-page x86_64 blkif ring between a blkfront actor
 * in a guest and a blkback actor in dom0 ({@link JavaRingBench}), and the same workload in C built from Xen's
 * headers ({@link CRingBench}), run alternately in one invocation; prints each run, the medians and the ratio
 * of medians Java/C.
 *
 * <p>Exit codes: 0; 1 when {@code --require-ratio X} is given and Java/C is below X in some mode (or cannot be
 * computed because the C reference is unavailable), or a run failed (a wrong response, a hang, a leak); 2 bad
 * usage.
 */
@Command(name = "ring", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Blkif ring round trips per second: Java blkfront/blkback actors on the simulated platform "
                + "(grant-mapped ring page, interdomain event channel) against ringbench.c, the same workload "
                + "built from Xen's io/ring.h and io/blkif.h with gcc -O2.",
                "Runs alternate Java and C after an uncounted warm-up of each; the figures are medians and the ratio "
                        + "is Java/C of the medians (above 1: Java is faster).",
                "Notify mode: a side with no work takes its port's pending event, else yields its CPU and looks "
                        + "again up to --yields times, else blocks until the port is pending; both implementations "
                        + "get the same --yields. The C program inherits this process's CPU affinity (taskset).",
                "The Java actors run on platform threads in spin mode and on virtual threads in notify mode, where a "
                        + "blocked actor is unmounted from its carrier and a send queues it again, instead of an OS "
                        + "thread sleeping on a futex as in C (--java-threads)."})
public final class RingBenchCommand implements Callable<Integer> {

    @Option(names = "--mode", paramLabel = "MODE", split = ",", defaultValue = "spin,notify",
            description = "spin (busy-poll the indices, no events), notify (event channel sends and SCHEDOP_poll), "
                    + "or both, comma-separated (default: ${DEFAULT-VALUE})")
    String[] modes;

    @Option(names = "--count", paramLabel = "N",
            description = "round trips per run (default: 20000000 spin, 2000000 notify)")
    Long count;

    @Option(names = "--yields", paramLabel = "Y", defaultValue = "" + BenchPort.DEFAULT_YIELDS,
            description = "notify mode: times a side with no work yields its CPU (SCHEDOP_yield / sched_yield) and "
                    + "looks at its port again before it blocks in SCHEDOP_poll; the same number for Java and C; "
                    + "0 blocks at once (default: ${DEFAULT-VALUE})")
    int yields;

    @Option(names = "--java-threads", paramLabel = "KIND", defaultValue = "auto",
            converter = ThreadsConverter.class,
            description = "what the Java actors run on: platform, virtual, or auto (platform threads in spin mode, "
                    + "where each spinning side needs a CPU of its own as each C thread has; virtual threads in "
                    + "notify mode, where a blocked vCPU is unmounted from its carrier as Xen deschedules it; "
                    + "default: ${DEFAULT-VALUE}). The C reference always runs two pthreads that block on a futex.")
    BenchThreads javaThreads;

    static final class ThreadsConverter implements picocli.CommandLine.ITypeConverter<BenchThreads> {
        @Override
        public BenchThreads convert(String value) {
            for (BenchThreads t : BenchThreads.values()) {
                if (t.cliName().equals(value.strip())) {
                    return t;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "': not auto, platform or virtual");
        }
    }

    @Option(names = "--jit-directive", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "before the Java warm-up, add a HotSpot compiler directive that always inlines the JDK's "
                    + "Unsafe.convEndian, the byte-order step of every ByteBuffer access: C2 otherwise leaves it out "
                    + "of line in about one JVM in ten, which then runs the ring at about 60%% speed throughout "
                    + "(default: on; --no-jit-directive measures without it)")
    boolean jitDirective;

    @Option(names = "--runs", paramLabel = "R", defaultValue = "5",
            description = "timed runs of each implementation per mode (default: ${DEFAULT-VALUE})")
    int runs;

    @ArgGroup(exclusive = true)
    Only only;

    static final class Only {
        @Option(names = "--c-only", required = true, description = "run only the C reference")
        boolean cOnly;

        @Option(names = "--java-only", required = true, description = "run only the Java implementation")
        boolean javaOnly;
    }

    @Option(names = "--require-ratio", paramLabel = "X",
            description = "exit 1 unless Java/C >= X in every mode")
    Double requireRatio;

    @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "1500",
            description = "uncounted Java warm-up per mode, in milliseconds, followed by one uncounted C run; 0: "
                    + "neither (default: ${DEFAULT-VALUE})")
    long warmupMillis;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "a run that takes longer is declared hung (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--gcc", paramLabel = "CC", description = "C compiler (default: -Dxenpv.gcc or gcc)")
    String gcc = System.getProperty("xenpv.gcc", "gcc");

    @Spec
    CommandSpec spec;

    /** Round trips of one warm-up run: short enough to repeat, long enough to reach the compiled loops. */
    private static final long WARMUP_CHUNK = 200_000;

    @Override
    public Integer call() {
        List<NotifyMode> selected = parseModes();
        if (count != null && count < 1) {
            throw new UserError("--count " + count + ": must be at least 1");
        }
        if (yields < 0) {
            throw new UserError("--yields " + yields + ": must be at least 0");
        }
        if (runs < 1) {
            throw new UserError("--runs " + runs + ": must be at least 1");
        }
        if (timeoutSeconds < 1 || warmupMillis < 0) {
            throw new UserError("--timeout must be positive and --warmup-ms not negative");
        }
        boolean runJava = only == null || !only.cOnly;
        boolean runC = only == null || !only.javaOnly;
        if (requireRatio != null && !(runJava && runC)) {
            throw new UserError("--require-ratio needs both implementations; drop --c-only/--java-only");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        CRingBench c = null;
        String cMissing = null;
        if (runC) {
            switch (CRingBench.prepare(gcc, timeoutSeconds)) {
                case CRingBench.Ready r -> c = r.bench();
                case CRingBench.Unavailable u -> cMissing = u.reason();
            }
            if (cMissing != null) {
                err.println("xenpv bench ring: C reference unavailable: " + cMissing
                        + (runJava ? "; reporting the Java figure alone" : ""));
                err.flush();
                if (!runJava) {
                    return Xenpv.EXIT_FAILED;
                }
            }
        }
        JavaRingBench java = runJava ? new JavaRingBench(Duration.ofSeconds(timeoutSeconds)) : null;
        if (runJava && jitDirective) {
            out.println("java jit: " + JitDirective.add().describe());
        }
        boolean ratioFailed = false;
        for (NotifyMode mode : selected) {
            long n = count != null ? count : mode.defaultCount();
            Comparison cmp;
            try {
                cmp = measure(out, mode, n, java, c);
            } catch (RuntimeException e) {
                err.println("xenpv bench ring: mode " + mode.cliName() + ": " + describe(e));
                return Xenpv.EXIT_FAILED;
            }
            if (requireRatio != null) {
                if (cmp.ratio() < 0) {
                    out.println("ratio java/c " + mode.cliName() + ": not measured (C reference unavailable); "
                            + "--require-ratio " + requireRatio + " cannot be met");
                    ratioFailed = true;
                } else if (cmp.ratio() < requireRatio) {
                    out.printf(Locale.ROOT, "FAILED %s: java/c %.3f < required %.3f%n", mode.cliName(), cmp.ratio(),
                            requireRatio);
                    ratioFailed = true;
                }
            }
            out.flush();
        }
        return ratioFailed ? Xenpv.EXIT_FAILED : Xenpv.EXIT_OK;
    }

    /** Medians (round trips per second; -1 when not run) and Java/C (-1 when not computable). */
    record Comparison(double java, double c, double ratio) {
    }

    private Comparison measure(PrintWriter out, NotifyMode mode, long n, JavaRingBench java, CRingBench c) {
        ActorThreads threads = javaThreads.resolve(mode);
        out.printf(Locale.ROOT, "mode %s: blkif %s one-page ring (RING_SIZE %d), READ 1 segment -> BLKIF_RSP_OKAY, "
                        + "%d round trips per run, %d run%s of %s%s%n", mode.cliName(), JavaRingBench.ABI.protocol(),
                JavaRingBench.ringSize(), n, runs, runs == 1 ? "" : "s",
                java != null && c != null ? "java and c alternately" : java != null ? "java" : "c",
                mode.notifies() ? ", " + yields + " yield" + (yields == 1 ? "" : "s") + " before blocking" : "");
        if (java != null) {
            out.printf(Locale.ROOT, "  java actors on %s%n", BenchThreads.describe(threads));
        }
        if (c != null) {
            out.printf(Locale.ROOT, "  c on two pthreads%s%n", mode.notifies() ? ", blocking on a futex" : "");
        }
        out.flush();
        if (java != null && warmupMillis > 0) {
            long t0 = System.nanoTime();
            long total = 0;
            int k = 0;
            do {
                total += java.run(mode, Math.min(n, WARMUP_CHUNK), yields, threads).count();
                k++;
            } while (System.nanoTime() - t0 < warmupMillis * 1_000_000);
            out.printf(Locale.ROOT, "  warm-up  java  %d runs, %d round trips, %.2f s (not counted)%n", k, total,
                    (System.nanoTime() - t0) / 1e9);
        }
        if (c != null && warmupMillis > 0) {
            // One uncounted C run: the program's pages and the ring's page faults, as the Java warm-up has them.
            RunResult w = c.run(mode, Math.min(n, WARMUP_CHUNK), yields);
            out.printf(Locale.ROOT, "  warm-up  c     1 run, %d round trips, %.2f s (not counted)%n", w.count(),
                    w.nanos() / 1e9);
        }
        List<RunResult> js = new ArrayList<>();
        List<RunResult> cs = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            // Alternate which goes first, so drift in machine load does not favour one side.
            boolean javaFirst = i % 2 == 1;
            for (int side = 0; side < 2; side++) {
                boolean isJava = (side == 0) == javaFirst;
                if (isJava && java != null) {
                    RunResult r = java.run(mode, n, yields, threads);
                    js.add(r);
                    printRun(out, i, "java", r, true);
                } else if (!isJava && c != null) {
                    RunResult r = c.run(mode, n, yields);
                    cs.add(r);
                    printRun(out, i, "c", r, false);
                }
            }
        }
        double jm = median(js);
        double cm = median(cs);
        if (java != null) {
            out.printf(Locale.ROOT, "java %s: %.0f round trips/s (median of %d)%n", mode.cliName(), jm, js.size());
        }
        if (c != null) {
            out.printf(Locale.ROOT, "c %s: %.0f round trips/s (median of %d)%n", mode.cliName(), cm, cs.size());
        }
        double ratio = jm > 0 && cm > 0 ? jm / cm : -1;
        if (ratio > 0) {
            out.printf(Locale.ROOT, "ratio java/c %s: %.3f%n", mode.cliName(), ratio);
        }
        return new Comparison(jm, cm, ratio);
    }

    private static void printRun(PrintWriter out, int i, String who, RunResult r, boolean verified) {
        out.printf(Locale.ROOT, "  run %d  %-4s  %12.0f round trips/s  (%.3f s, %d notifies%s%s)%n", i, who,
                r.roundTripsPerSecond(), r.nanos() / 1e9, r.notifies(),
                r.polls() >= 0 ? ", " + r.polls() + " waits" : "",
                verified ? ", " + r.count() + " responses verified" : "");
        out.flush();
    }

    /** Median round trips per second, or -1 for no runs. */
    static double median(List<RunResult> results) {
        if (results.isEmpty()) {
            return -1;
        }
        double[] v = results.stream().mapToDouble(RunResult::roundTripsPerSecond).sorted().toArray();
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private List<NotifyMode> parseModes() {
        List<NotifyMode> out = new ArrayList<>();
        for (String m : modes) {
            NotifyMode mode = Arrays.stream(NotifyMode.values()).filter(x -> x.cliName().equals(m.strip()))
                    .findFirst().orElseThrow(() -> new UserError("--mode " + m + ": not spin or notify"));
            if (!out.contains(mode)) {
                out.add(mode);
            }
        }
        return out;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            sb.append(": ").append(t.getMessage());
        }
        return sb.toString();
    }
}
