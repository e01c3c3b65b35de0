package org.xenpv.xenstore.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Xen's own clients (xenstore-utils, test-xenstore) see from a daemon, pinned from the real
 * cxenstored 4.17. A subclass supplies a fresh daemon per test; the same expectations then hold for
 * our daemon.
 */
public abstract class XenstoreToolsContract {

    /** A running daemon reachable on a Unix socket. */
    protected interface Daemon extends AutoCloseable {
        Path socket();

        @Override
        void close();
    }

    /** Starts a fresh daemon with an empty store (skipping the test if it cannot run here). */
    protected abstract Daemon startDaemon() throws Exception;

    private Daemon daemon;
    protected XenstoreUtils xs;

    @BeforeEach
    void start() throws Exception {
        daemon = startDaemon();
        xs = new XenstoreUtils(daemon.socket());
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static void ok(XenstoreUtils.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.timedOut()).isFalse();
    }

    @Test
    void writeReadSeveralPaths() {
        ok(xs.write("/a/b", "1", "/a/c", "two words"));
        XenstoreUtils.Result r = xs.read("/a/b", "/a/c");
        ok(r);
        assertThat(r.lines()).containsExactly("1", "two words");
        r = xs.read("-p", "/a/c");
        ok(r);
        assertThat(r.lines()).containsExactly("/a/c: two words");
        r = xs.read("-R", "/a/b");
        ok(r);
        assertThat(r.stdout()).isEqualTo("1");
    }

    @Test
    void readOfAMissingNodeFails() {
        XenstoreUtils.Result r = xs.read("/nope");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("xenstore-read: couldn't read path /nope\n");
        assertThat(r.stdout()).isEmpty();
    }

    /** xenstore-write decodes C escapes in values; xenstore-read escapes non-printable bytes back. */
    @Test
    void valuesAreUnescapedOnInputAndEscapedOnOutput() {
        ok(xs.write("/e", "a\\x41\\\\b\\tc\\001"));
        XenstoreUtils.Result r = xs.read("/e");
        ok(r);
        assertThat(r.stdout()).isEqualTo("aA\\\\b\\tc\\001\n");
        ok(xs.write("/raw", "x\u0001y"));
        assertThat(xs.read("/raw").stdout()).isEqualTo("x\\001y\n");
    }

    @Test
    void lsShowsTheTreeWithImplicitNodes() {
        ok(xs.write("/a/b/c", "1", "/a/d", "2"));
        XenstoreUtils.Result r = xs.ls("/a");
        ok(r);
        assertThat(r.lines()).containsExactly("b = \"\"", " c = \"1\"", "d = \"2\"");
        r = xs.ls("-f", "/a");
        ok(r);
        assertThat(r.lines()).containsExactly("/a/b = \"\"", "/a/b/c = \"1\"", "/a/d = \"2\"");
        r = xs.ls("/");
        ok(r);
        assertThat(r.lines()).containsExactly("tool = \"\"", " xenstored = \"\"", "a = \"\"", " b = \"\"",
                "  c = \"1\"", " d = \"2\"");
    }

    @Test
    void listAndExists() {
        ok(xs.write("/l/x", "1", "/l/y", "2"));
        XenstoreUtils.Result r = xs.list("/l");
        ok(r);
        assertThat(r.lines()).containsExactly("x", "y");
        ok(xs.exists("/l/x"));
        r = xs.exists("/l/z");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void rmRemovesSubtrees() {
        ok(xs.write("/r/a/b", "1", "/r/c", "2"));
        ok(xs.rm("/r/a"));
        XenstoreUtils.Result r = xs.list("/r");
        ok(r);
        assertThat(r.lines()).containsExactly("c");
        assertThat(xs.exists("/r/a/b").exitCode()).isEqualTo(1);
    }

    @Test
    void chmodSetsPermissionsRecursively() {
        ok(xs.write("/p/a", "1", "/p/b/c", "2"));
        ok(xs.chmod("-r", "/p", "n0", "r1"));
        XenstoreUtils.Result r = xs.ls("-p", "/p");
        ok(r);
        assertThat(r.lines()).hasSize(3).allSatisfy(l -> assertThat(l).endsWith("(n0,r1)"));
        ok(xs.chmod("/p/a", "b0"));
        r = xs.ls("-p", "/p");
        assertThat(r.lines().get(0)).startsWith("a = \"1\"").endsWith("(b0)");
    }

    @Test
    void testXenstorePassesAllTwelveTests() {
        XenstoreUtils.Result r = xs.testXenstore();
        ok(r);
        assertThat(r.lines()).hasSize(12);
        assertThat(r.lines()).extracting(l -> l.substring(0, l.indexOf(':')).strip()).containsExactly("read 1",
                "read 2000", "write 1", "write 2000", "dir", "rm node", "rm dir", "ta empty", "ta empty x", "ta rmw",
                "ta rmw x", "ta err");
        assertThat(r.lines()).allSatisfy(l -> assertThat(l).matches(".*: \\d+ ns"));
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void testXenstoreSingleTestAndIterations() {
        XenstoreUtils.Result r = xs.testXenstore("-t", "ta err", "-i", "20");
        ok(r);
        assertThat(r.lines()).singleElement()
                .satisfies(l -> assertThat(l).matches("ta err\\s*: avg: \\d+ ns \\(\\d+ ns \\.\\. \\d+ ns\\)"));
    }
}
