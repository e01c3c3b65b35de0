package org.xenpv.xenstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.cxenstored.RealCxenstored;
import org.xenpv.xenstore.interop.PyxsSuite;

/**
 * Issue #3's acceptance check: pyxs's own upstream test suite passes the same set of tests against our
 * daemon (the {@link XsServer} that {@code xenpv serve} runs) as against the real cxenstored 4.17 on
 * the same machine. Skips with a message when the suite was not fetched ({@code .ci/fetch-pyxs-suite.sh})
 * or python3-pyxs, python3-pytest or xen-utils-4.17 is missing.
 */
class PyxsUpstreamSuiteTest {

    /** The suite has 72 test ids; about 47 of them can pass outside dom0 (the rest need /dev/xen/xenbus). */
    private static final int MIN_PASSING = 40;

    @Test
    void pyxsUpstreamSuitePassesTheSameTestsAsOnCxenstored() throws IOException {
        Path suite = PyxsSuite.assumeAvailable();
        RealCxenstored.assumeRunnable();

        PyxsSuite.Outcome real;
        try (RealCxenstored cxenstored = RealCxenstored.builder().guestRings(false).start()) {
            real = PyxsSuite.run(suite, cxenstored.socketPath());
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xsrv");
        PyxsSuite.Outcome ours;
        try (XsServer server = XsServer.builder().listen(dir.resolve("socket")).start()) {
            ours = PyxsSuite.run(suite, server.dom0Socket());
        } finally {
            dir.toFile().delete();
        }

        TreeSet<String> realPassed = real.passed();
        assertThat(realPassed).as("tests passing against cxenstored 4.17 (is the suite running at all?)\n%s",
                real.output()).hasSizeGreaterThanOrEqualTo(MIN_PASSING);
        TreeSet<String> onlyReal = new TreeSet<>(realPassed);
        onlyReal.removeAll(ours.passed());
        TreeSet<String> onlyOurs = new TreeSet<>(ours.passed());
        onlyOurs.removeAll(realPassed);
        assertThat(ours.passed()).as("pyxs suite: passing only on cxenstored %s, only on ours %s\nours:\n%s", onlyReal,
                onlyOurs, ours.output()).isEqualTo(realPassed);
        assertThat(ours.results().keySet()).as("test ids collected").isEqualTo(real.results().keySet());
    }
}
