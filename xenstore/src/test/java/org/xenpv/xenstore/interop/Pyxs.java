package org.xenpv.xenstore.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code pyxs_client.py} (a test resource exercising pyxs's {@code Client} API, see its docstring)
 * with Debian's {@code /usr/bin/python3} and {@code python3-pyxs} against a daemon socket. Skips the
 * calling test with a message when python3 or pyxs is missing.
 */
public final class Pyxs {

    public static final Path PYTHON = Path.of(System.getProperty("xenpv.python", "/usr/bin/python3"));
    private static final String SCRIPT = "/org/xenpv/xenstore/interop/pyxs_client.py";

    /** Outcome of one script run: exit code and the check lines ({@code "<name>: PASS ..."}). */
    public record Run(int exitCode, List<String> lines, String stderr, boolean timedOut) {
        @Override
        public String toString() {
            return "pyxs_client.py -> " + (timedOut ? "timed out" : "exit " + exitCode) + "\n" + String.join("\n", lines)
                    + "\nstderr:\n" + stderr;
        }
    }

    private Pyxs() {
    }

    /** Skips unless python3 with pyxs is installed. */
    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(PYTHON), PYTHON + " not installed: cannot run the pyxs interop checks");
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import pyxs").redirectErrorStream(true).start();
            boolean done = p.waitFor(20, TimeUnit.SECONDS);
            assumeTrue(done && p.exitValue() == 0, "python3-pyxs not installed for " + PYTHON
                    + " (import pyxs failed): cannot run the pyxs interop checks");
        } catch (IOException e) {
            assumeTrue(false, "cannot run " + PYTHON + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The dom0 checks against {@code socket}. */
    public static Run dom0(Path socket) {
        return run(socket, "dom0");
    }

    /** The guest checks: {@code guestSocket} is domain {@code domid}'s, {@code dom0Socket} sets things up. */
    public static Run guest(Path guestSocket, int domid, Path dom0Socket) {
        return run(guestSocket, "guest", Integer.toString(domid), dom0Socket.toString());
    }

    private static Run run(Path socket, String... args) {
        assumeInstalled();
        Path script = null;
        Path out = null;
        Path err = null;
        try {
            script = Files.createTempFile("pyxs_client", ".py");
            try (InputStream in = Pyxs.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException("test resource " + SCRIPT + " missing");
                }
                Files.write(script, in.readAllBytes());
            }
            out = Files.createTempFile("pyxs", ".out");
            err = Files.createTempFile("pyxs", ".err");
            List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("XENSTORED_PATH", socket.toString());
            pb.environment().remove("XENSTORED_RUNDIR");
            Process p = pb.start();
            boolean done = p.waitFor(90, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String stdout = Files.readString(out, StandardCharsets.ISO_8859_1);
            return new Run(done ? p.exitValue() : -1, stdout.isEmpty() ? List.of() : List.of(stdout.split("\n")),
                    Files.readString(err, StandardCharsets.ISO_8859_1), !done);
        } catch (IOException e) {
            throw new UncheckedIOException("running pyxs_client.py: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            for (Path p : new Path[] {script, out, err}) {
                if (p != null) {
                    p.toFile().delete();
                }
            }
        }
    }
}
