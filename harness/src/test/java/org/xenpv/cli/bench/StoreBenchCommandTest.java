package org.xenpv.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.xenpv.cli.CliRun.xenpv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.cli.CliRun;

/**
 * {@code xenpv bench store} end to end with tiny numbers (no timing assertions): the C client builds
 * against libxenstore, runs against our server and the real cxenstored, and a figure is printed for each.
 */
class StoreBenchCommandTest {

    @Test
    void measuresOursAndCxenstored() {
        assumeTrue(Files.isExecutable(CBuild.GCC), "gcc not installed: cannot build the benchmark client");
        assumeTrue(Files.isRegularFile(Path.of("/usr/include/xenstore.h")), "libxen-dev not installed");
        assumeTrue(Files.isExecutable(CxenstoredProcess.XENSTORED), "xen-utils-4.17 not installed");
        CliRun r = xenpv("bench", "store", "--clients", "1,2", "--ops", "400", "--rounds", "2", "--engine-ops",
                "2000", "--against-real");
        assertThat(r.exit()).as("stdout:\n%s\nstderr:\n%s", r.out(), r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(row(1)));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(row(2)));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("in-process engine .*: \\d+ ops/s"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("target ours >= 1.5x cxenstored: "));
    }

    /** A result row: clients, median (min-max) for each daemon, ratio, per-round ratio median (min-max). */
    private static String row(int clients) {
        String ops = "\\d+ \\(\\d+-\\d+\\)";
        return clients + "\\s+" + ops + "\\s+" + ops + "\\s+\\d+\\.\\d\\dx\\s+\\d+\\.\\d\\dx \\(\\d+\\.\\d\\d-\\d+\\.\\d\\d\\)";
    }

    @Test
    void spreadIsMedianAndRange() {
        assertThat(StoreBenchCommand.Spread.of(new double[] {5, 1, 3})).isEqualTo(new StoreBenchCommand.Spread(3, 1, 5));
        assertThat(StoreBenchCommand.Spread.of(new double[] {4, 1, 2, 10}))
                .isEqualTo(new StoreBenchCommand.Spread(3, 1, 10));
    }

    @Test
    void rejectsBadArguments() {
        CliRun r = xenpv("bench", "store", "--clients", "0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--clients");
    }
}
