package org.xenpv.xenstore.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code xenstore-watch} (Debian xenstore-utils) against a daemon: the
 * watch prints the initial event and then one line per change under the watched path (token = path;
 * reference §4.3). Subclasses supply the daemon; the same expectations hold for cxenstored 4.17 and ours.
 */
public abstract class WatchToolContract {

    /** A running daemon reachable on a Unix socket. */
    protected interface Daemon extends AutoCloseable {
        Path socket();

        @Override
        void close();
    }

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

    /** A running {@code xenstore-watch} whose output lines are collected. */
    private final class Watcher implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Watcher(String... args) throws IOException {
            XenstoreUtils.assumeInstalled("xenstore-watch");
            String[] cmd = new String[args.length + 1];
            cmd[0] = XenstoreUtils.BIN.resolve("xenstore-watch").toString();
            System.arraycopy(args, 0, cmd, 1, args.length);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("XENSTORED_PATH", daemon.socket().toString());
            pb.environment().remove("XENSTORED_RUNDIR");
            process = pb.start();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.ISO_8859_1))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    lines.add("<read error " + e + ">");
                }
            }, "xenstore-watch-reader");
            t.setDaemon(true);
            t.start();
        }

        String next() throws InterruptedException {
            String l = lines.poll(10, TimeUnit.SECONDS);
            assertNotNull(l, "xenstore-watch printed nothing within 10 s");
            return l;
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void watchPrintsInitialEventThenChanges() throws Exception {
        assertThat(xs.write("/w/a", "1").exitCode()).isZero();
        try (Watcher w = new Watcher("-n", "4", "/w")) {
            assertThat(w.next()).isEqualTo("/w");
            assertThat(xs.write("/w/a", "2").exitCode()).isZero();
            assertThat(w.next()).isEqualTo("/w/a");
            assertThat(xs.write("/other", "x").exitCode()).isZero();
            assertThat(xs.write("/w/b/c", "3").exitCode()).isZero();
            assertThat(w.next()).isEqualTo("/w/b/c");
            assertThat(xs.rm("/w").exitCode()).isZero();
            assertThat(w.next()).isEqualTo("/w");
            assertThat(w.process.waitFor(10, TimeUnit.SECONDS)).as("xenstore-watch -n 4 ends after 4 events").isTrue();
            assertThat(w.process.exitValue()).isZero();
        }
    }

    @Test
    void watchOfARelativePathUnderDom0() throws Exception {
        try (Watcher w = new Watcher("-n", "2", "rel")) {
            assertThat(w.next()).isEqualTo("rel");
            assertThat(xs.write("/local/domain/0/rel/k", "v").exitCode()).isZero();
            assertThat(w.next()).isEqualTo("rel/k");
        }
    }
}
