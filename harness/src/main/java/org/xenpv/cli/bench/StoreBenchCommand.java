package org.xenpv.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.xenpv.xenstore.server.XsServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xenpv bench store}: throughput of libxenstore clients ({@code storebench.c}: xs_open, then a
 * write/read/read/directory mix) with 1 and N concurrent client processes, against our daemon served by
 * {@link XsServer} and — with {@code --against-real} — against the real cxenstored 4.17 started under the
 * LD_PRELOAD stub in the same run; plus the same mix fed to the engine in-process. Prints the median ops/s
 * over the rounds with their range and the ratio of the medians ours / cxenstored (target: at least 1.5).
 */
@Command(name = "store", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"XenStore throughput: libxenstore clients (C, xs_write/xs_read/xs_directory) against "
            + "xenpv's daemon and, with --against-real, the real cxenstored 4.17 in the same run."})
public final class StoreBenchCommand implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final double TARGET_RATIO = 1.5;

    @Spec
    CommandSpec spec;

    @Option(names = "--clients", split = ",", paramLabel = "N[,N...]", description = "concurrent client processes "
            + "per run (default: 1,8)")
    List<Integer> clients = new ArrayList<>(List.of(1, 8));

    @Option(names = "--ops", paramLabel = "N", description = "requests per client (default: ${DEFAULT-VALUE})")
    long ops = 20000;

    @Option(names = "--against-real", description = "also measure the real cxenstored 4.17 (needs xen-utils-4.17, "
            + "gcc, libxen-dev)")
    boolean againstReal;

    @Option(names = "--rounds", paramLabel = "N", description = "measured rounds per daemon and client count; "
            + "medians and min-max are reported (default: ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = "--engine-ops", paramLabel = "N", description = "requests for the in-process engine figure "
            + "(default: ${DEFAULT-VALUE}; 0 skips it)")
    long engineOps = 2_000_000;

    @Option(names = "--spin-us", paramLabel = "MICROS", description = "our server's busy-poll time after activity "
            + "(default: ${DEFAULT-VALUE}; 0 = always sleep in epoll_wait)")
    int spinMicros = XsServer.DEFAULT_SPIN_MICROS;

    @Option(names = "--require-target", description = "exit 1 unless ours >= 1.5x cxenstored for every client count")
    boolean requireTarget;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1 || c > 256) || ops < 1 || rounds < 1) {
            err.println("xenpv bench store: --clients must be 1..256, --ops and --rounds positive");
            return EXIT_USAGE;
        }
        try {
            CBuild.require(List.of(Path.of("/usr/include/xenstore.h")));
            if (againstReal) {
                CxenstoredProcess.require();
            }
        } catch (CBuild.MissingTool e) {
            err.println("xenpv bench store: " + e.getMessage());
            return EXIT_USAGE;
        }
        Path client = CBuild.build("/org/xenpv/cli/bench/storebench.c", "storebench", List.of("-O2"),
                List.of("-lxenstore"));
        int max = clients.stream().mapToInt(Integer::intValue).max().orElse(1);
        out.printf(Locale.ROOT, "xenpv bench store: libxenstore clients, %d requests each (write/read/read/directory), "
                + "%d interleaved rounds%n", ops, rounds);
        double[][] ours = new double[clients.size()][rounds];
        double[][] real = new double[clients.size()][rounds];
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xsbench");
        try (XsServer server = XsServer.builder().listen(dir.resolve("socket")).spinMicros(spinMicros).start();
                CxenstoredProcess cx = againstReal ? CxenstoredProcess.start() : null) {
            // Warm up both daemons (the JIT in ours) on the measured path; not measured.
            StoreClients.run(client, server.dom0Socket(), max, Math.max(1000, ops / 2), "w");
            if (cx != null) {
                StoreClients.run(client, cx.socket(), max, Math.max(1000, ops / 2), "w");
            }
            // Rounds alternate between the daemons so that load from other processes on the machine hits
            // both alike; each round pairs one run of ours with one of cxenstored's.
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < clients.size(); i++) {
                    int n = clients.get(i);
                    String tag = "r" + round + "n" + n + "c";
                    ours[i][round] = StoreClients.run(client, server.dom0Socket(), n, ops, tag).opsPerSecond();
                    if (cx != null) {
                        real[i][round] = StoreClients.run(client, cx.socket(), n, ops, tag).opsPerSecond();
                    }
                }
            }
        } finally {
            dir.toFile().delete();
        }
        out.printf(Locale.ROOT, "medians over %d rounds, (min-max) in brackets; ratio = median ours / median "
                + "cxenstored; per-round: median (min-max) of the ratios of the runs paired in each round%n", rounds);
        out.printf(Locale.ROOT, "%-8s %24s %26s %8s %24s%n", "clients", "xenpv ops/s", "cxenstored ops/s", "ratio",
                "per-round ratio");
        boolean met = true;
        for (int i = 0; i < clients.size(); i++) {
            Spread o = Spread.of(ours[i]);
            if (againstReal) {
                Spread r = Spread.of(real[i]);
                double[] perRound = new double[rounds];
                for (int k = 0; k < rounds; k++) {
                    perRound[k] = ours[i][k] / real[i][k];
                }
                Spread pr = Spread.of(perRound);
                double ratio = o.median() / r.median();
                met &= ratio >= TARGET_RATIO;
                out.printf(Locale.ROOT, "%-8d %24s %26s %7.2fx %24s%n", clients.get(i), o.ops(), r.ops(), ratio,
                        String.format(Locale.ROOT, "%.2fx (%.2f-%.2f)", pr.median(), pr.min(), pr.max()));
            } else {
                out.printf(Locale.ROOT, "%-8d %24s %26s %8s %24s%n", clients.get(i), o.ops(), "-", "-", "-");
            }
        }
        if (engineOps > 0) {
            out.printf(Locale.ROOT, "in-process engine (same mix, no socket): %.0f ops/s%n",
                    EngineStoreBench.opsPerSecond(engineOps));
        }
        if (againstReal) {
            out.printf(Locale.ROOT, "target ours >= %.1fx cxenstored: %s%n", TARGET_RATIO, met ? "met" : "NOT met");
        }
        out.flush();
        return requireTarget && againstReal && !met ? EXIT_FAILED : EXIT_OK;
    }

    /** Median and range of one series of rounds. */
    record Spread(double median, double min, double max) {
        static Spread of(double[] v) {
            double[] s = v.clone();
            Arrays.sort(s);
            int n = s.length;
            double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
            return new Spread(median, s[0], s[n - 1]);
        }

        String ops() {
            return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", median, min, max);
        }
    }

    /** For tests: the client program, built. */
    static Path buildClient() throws IOException {
        return CBuild.build("/org/xenpv/cli/bench/storebench.c", "storebench", List.of("-O2"), List.of("-lxenstore"));
    }
}
