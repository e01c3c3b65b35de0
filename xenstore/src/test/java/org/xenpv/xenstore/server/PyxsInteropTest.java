package org.xenpv.xenstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.cxenstored.RealCxenstored;
import org.xenpv.xenstore.interop.Pyxs;

/**
 * pyxs (Debian python3-pyxs) against our daemon over its Unix socket, the same checks against the real
 * cxenstored 4.17 with identical observations, and pyxs as unprivileged guest 5 on a
 * {@code --domain}-style socket.
 */
class PyxsInteropTest {

    private static XsServer start(Path dir, boolean guest) throws IOException {
        XsServer.Builder b = XsServer.builder().listen(dir.resolve("socket"));
        if (guest) {
            b.listenAsDomain(5, dir.resolve("dom5"), true);
        }
        return b.start();
    }

    @Test
    void pyxsClientChecksPassAgainstOurDaemonAndMatchCxenstored() throws IOException {
        Pyxs.assumeInstalled();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xsrv");
        Pyxs.Run ours;
        try (XsServer server = start(dir, false)) {
            ours = Pyxs.dom0(server.dom0Socket());
        }
        assertThat(ours.exitCode()).as("%s", ours).isZero();
        assertThat(ours.lines()).as("%s", ours).hasSize(21).allSatisfy(l -> assertThat(l).contains(": PASS"));

        Pyxs.Run real;
        try (RealCxenstored cxenstored = RealCxenstored.builder().guestRings(false).start()) {
            real = Pyxs.dom0(cxenstored.socketPath());
        }
        assertThat(real.exitCode()).as("against cxenstored 4.17: %s", real).isZero();
        assertThat(ours.lines()).as("pyxs observations, ours vs cxenstored 4.17")
                .containsExactlyElementsOf(real.lines());
    }

    @Test
    void pyxsAsUnprivilegedGuest() throws IOException {
        Pyxs.assumeInstalled();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xsrv");
        try (XsServer server = start(dir, true)) {
            Pyxs.Run r = Pyxs.guest(dir.resolve("dom5"), 5, server.dom0Socket());
            assertThat(r.exitCode()).as("%s", r).isZero();
            assertThat(r.lines()).as("%s", r).hasSize(6).allSatisfy(l -> assertThat(l).contains(": PASS"));
            assertThat(r.lines()).contains("guest-relative-write: PASS [b'n5']",
                    "guest-eacces-outside: PASS ['EACCES', 'EACCES', 'EACCES', 'EACCES', 'EACCES', 'EACCES']");
        }
    }
}
