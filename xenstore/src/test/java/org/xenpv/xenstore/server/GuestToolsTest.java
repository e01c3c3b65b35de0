package org.xenpv.xenstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.interop.XenstoreUtils;

/**
 * Xen's tools run as unprivileged guest 5 through a {@code --domain 5=PATH} socket (as {@code xenpv serve}
 * sets it up: domain introduced, {@code /local/domain/5} owned by 5): relative paths land under
 * {@code /local/domain/5}, everything outside the guest's tree is EACCES, and test-xenstore's 12 tests
 * pass inside the guest's tree.
 */
class GuestToolsTest {

    private Path dir;
    private XsServer server;
    private XenstoreUtils dom0;
    private XenstoreUtils guest;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "xsrv");
        server = XsServer.builder().listen(dir.resolve("socket")).listenAsDomain(5, dir.resolve("dom5"), true).start();
        dom0 = new XenstoreUtils(dir.resolve("socket"));
        guest = new XenstoreUtils(dir.resolve("dom5"));
    }

    @AfterEach
    void stop() {
        server.close();
        dir.toFile().delete();
    }

    private static void ok(XenstoreUtils.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    @Test
    void relativePathsResolveUnderTheGuestsHome() {
        ok(guest.write("data/x", "hello", "name", "guest5"));
        XenstoreUtils.Result r = dom0.read("/local/domain/5/data/x", "/local/domain/5/name");
        ok(r);
        assertThat(r.lines()).containsExactly("hello", "guest5");
        r = guest.read("data/x");
        ok(r);
        assertThat(r.lines()).containsExactly("hello");
        r = guest.list("/local/domain/5");
        ok(r);
        assertThat(r.lines()).containsExactly("data", "name");
        r = dom0.ls("-p", "/local/domain/5");
        ok(r);
        assertThat(r.lines()).allSatisfy(l -> assertThat(l).endsWith("(n5)"));
        ok(guest.exists("data/x"));
        ok(guest.rm("data/x"));
        assertThat(guest.exists("data/x").exitCode()).isEqualTo(1);
    }

    @Test
    void outsideItsTreeTheGuestGetsEacces() {
        ok(dom0.write("/secret", "s"));
        XenstoreUtils.Result r = guest.read("/secret");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("couldn't read path /secret");
        assertThat(guest.write("/secret", "x").exitCode()).isEqualTo(1);
        assertThat(guest.write("/newtop", "x").exitCode()).isEqualTo(1);
        assertThat(guest.rm("/secret").exitCode()).isEqualTo(1);
        assertThat(guest.ls("/").exitCode()).isNotZero();
        assertThat(guest.chmod("/secret", "b5").exitCode()).isEqualTo(1);
        assertThat(dom0.read("/secret").lines()).containsExactly("s");
        assertThat(dom0.exists("/newtop").exitCode()).isEqualTo(1);
        // dom0 grants read access: the guest can read but still not write.
        ok(dom0.chmod("/secret", "n0", "r5"));
        assertThat(guest.read("/secret").lines()).containsExactly("s");
        assertThat(guest.write("/secret", "x").exitCode()).isEqualTo(1);
    }

    @Test
    void guestMayChmodItsOwnNodesButNotGiveThemAway() {
        ok(guest.write("shared", "v"));
        ok(guest.chmod("shared", "n5", "r0"));
        XenstoreUtils.Result r = dom0.ls("-p", "/local/domain/5");
        assertThat(r.lines()).anySatisfy(l -> assertThat(l).startsWith("shared").endsWith("(n5,r0)"));
        assertThat(guest.chmod("shared", "n6").exitCode()).as("EPERM: a guest may not change the owner").isEqualTo(1);
    }

    @Test
    void afterAReleaseTheNextClientReintroducesTheGuestWithAFreshHome() throws Exception {
        ok(guest.write("data/x", "1"));
        try (org.xenpv.xenstore.client.XsSocketClient d = org.xenpv.xenstore.client.XsSocketClient.connect(
                dir.resolve("socket"), "dom0", java.time.Duration.ofSeconds(5))) {
            d.release(5);
            assertThat(d.isDomainIntroduced(5)).isFalse();
            assertThat(d.directory("/local/domain")).doesNotContain("5");
        }
        ok(guest.write("data/y", "2"));
        assertThat(dom0.read("/local/domain/5/data/y").lines()).containsExactly("2");
        assertThat(dom0.exists("/local/domain/5/data/x").exitCode()).isEqualTo(1);
    }

    @Test
    void testXenstorePassesAsAGuest() {
        XenstoreUtils.Result r = guest.testXenstore();
        ok(r);
        assertThat(r.lines()).hasSize(12).allSatisfy(l -> assertThat(l).matches(".*: \\d+ ns"));
        // test-xenstore worked under the guest's home and cleaned up after itself
        XenstoreUtils.Result ls = dom0.list("/local/domain/5/xenstore-test");
        assertThat(ls.lines()).isEmpty();
    }
}
