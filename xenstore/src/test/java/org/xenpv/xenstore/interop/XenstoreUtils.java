package org.xenpv.xenstore.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs Xen's own xenstore clients against a daemon socket: {@code /usr/bin/xenstore-*}
 * (Debian xenstore-utils) and {@code /usr/lib/xen-4.17/bin/test-xenstore} (xen-utils-4.17). They
 * use libxenstore, which honours {@code XENSTORED_PATH} (reference §2, §3.1), so the same calls
 * work against the real cxenstored and against our daemon. Every run is bounded by a timeout and
 * its output captured; a missing tool skips the calling test with a message.
 */
public final class XenstoreUtils {

    /** Directory of the xenstore-utils clients. */
    public static final Path BIN = Path.of("/usr/bin");
    /** Xen's xenstore test program (12 tests, reference §3.1). */
    public static final Path TEST_XENSTORE = Path.of("/usr/lib/xen-4.17/bin/test-xenstore");

    /** The outcome of one tool run. {@code exitCode} is -1 if it was killed on timeout. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

        /** stdout split into lines (no trailing empty line). */
        public List<String> lines() {
            String s = stdout.endsWith("\n") ? stdout.substring(0, stdout.length() - 1) : stdout;
            return s.isEmpty() ? List.of() : List.of(s.split("\n", -1));
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> " + (timedOut ? "timed out" : "exit " + exitCode) + "\nstdout:\n"
                    + stdout + "stderr:\n" + stderr;
        }
    }

    private final Path socket;
    private final Duration timeout;

    public XenstoreUtils(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /** Tools talking to {@code socket}, each run limited to 10 s. */
    public XenstoreUtils(Path socket) {
        this(socket, Duration.ofSeconds(10));
    }

    /** Skips the calling test if {@code tool} (a name in /usr/bin or an absolute path) is not installed. */
    public static void assumeInstalled(String tool) {
        Path p = resolve(tool);
        assumeTrue(Files.isExecutable(p), tool + " not installed (" + p + " missing; Debian package "
                + (p.equals(TEST_XENSTORE) ? "xen-utils-4.17" : "xenstore-utils") + ")");
    }

    private static Path resolve(String tool) {
        Path p = Path.of(tool);
        return p.isAbsolute() ? p : BIN.resolve(tool);
    }

    /**
     * Runs {@code tool} with {@code args} and {@code XENSTORED_PATH} set to the socket.
     *
     * @param tool {@code xenstore-read} etc., or an absolute path such as {@link #TEST_XENSTORE}
     */
    public Result run(String tool, String... args) {
        assumeInstalled(tool);
        List<String> cmd = new ArrayList<>();
        cmd.add(resolve(tool).toString());
        cmd.addAll(List.of(args));
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("xs-tool", ".out");
            err = Files.createTempFile("xs-tool", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Map<String, String> env = pb.environment();
            env.put("XENSTORED_PATH", socket.toString());
            env.remove("XENSTORED_RUNDIR");
            Process p = pb.start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
            return new Result(List.copyOf(cmd), done ? p.exitValue() : -1,
                    Files.readString(out, StandardCharsets.ISO_8859_1), Files.readString(err, StandardCharsets.ISO_8859_1),
                    !done);
        } catch (IOException e) {
            throw new UncheckedIOException("running " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", cmd), e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }

    public Result read(String... args) {
        return run("xenstore-read", args);
    }

    /** {@code xenstore-write path value [path value ...]}. */
    public Result write(String... pathValuePairs) {
        return run("xenstore-write", pathValuePairs);
    }

    public Result ls(String... args) {
        return run("xenstore-ls", args);
    }

    public Result list(String... args) {
        return run("xenstore-list", args);
    }

    public Result rm(String... args) {
        return run("xenstore-rm", args);
    }

    public Result chmod(String... args) {
        return run("xenstore-chmod", args);
    }

    public Result exists(String... args) {
        return run("xenstore-exists", args);
    }

    /** {@code test-xenstore} with {@code args} (none = all 12 tests once). */
    public Result testXenstore(String... args) {
        return run(TEST_XENSTORE.toString(), args);
    }
}
