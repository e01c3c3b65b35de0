package org.xenpv.core.golden;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Compiles and runs the C golden-test programs against the real Xen public headers, at test time.
 *
 * <p>The programs live in {@code core/src/test/c} and travel in core's test-jar under {@code xenpv-c/}, so
 * any module's tests can use them: {@code CGolden.compile("ring_scenario.c")}. Binaries go to
 * {@code target/c-golden/} of the module running the tests and are compiled once per JVM.
 *
 * <p>Two targets: hosted x86_64 ({@link #compile}) and freestanding i386 ({@link #compile32}:
 * {@code gcc -m32 -nostdlib -static} with the syscall shim of {@code golden.h}, because Debian's gcc can
 * compile {@code -m32} without an i386 libc). Tests call {@link #assumeAvailable()} /
 * {@link #assumeM32()} so that a machine without gcc or {@code /usr/include/xen} skips them with a message
 * naming what is missing, instead of passing.
 */
public final class CGolden {

    /** Where the Xen public headers are expected. */
    public static final Path XEN_HEADERS = Path.of("/usr/include/xen/io/ring.h");
    private static final String RESOURCE_DIR = "xenpv-c";
    /** The compiler: {@code -Dxenpv.gcc=...} overrides (a missing one makes the golden tests skip). */
    private static final String GCC = System.getProperty("xenpv.gcc", "gcc");
    private static final long TIMEOUT_SECONDS = 120;

    private static final Map<String, Path> COMPILED = new HashMap<>();
    private static Path sourceDir;
    private static String availability;
    private static String m32Availability;

    private CGolden() {
    }

    /** The result of running a program. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** The command, exit status and output, for assertion messages. */
        public String describe() {
            return String.join(" ", command) + " -> exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n"
                    + stderr;
        }
    }

    /** {@code target/c-golden} under the working directory (the module's base directory under Surefire). */
    public static Path workDir() {
        return Path.of("target", "c-golden").toAbsolutePath();
    }

    /** Why golden tests cannot run here, or {@code null} when gcc and the Xen headers are present. */
    public static synchronized String unavailableReason() {
        if (availability == null) {
            if (!Files.isRegularFile(XEN_HEADERS)) {
                availability = XEN_HEADERS + " not found: install the Debian package libxen-dev to run the golden tests";
            } else {
                try {
                    Result r = exec(List.of(GCC, "--version"));
                    availability = r.exitCode() == 0 ? "" : GCC + " --version failed: " + r.stderr().strip();
                } catch (RuntimeException e) {
                    availability = GCC + " not runnable (" + e.getMessage()
                            + "): install the Debian package gcc to run the golden tests";
                }
            }
        }
        return availability.isEmpty() ? null : availability;
    }

    /** Skips the calling test (JUnit assumption) unless gcc and {@code /usr/include/xen} are present. */
    public static void assumeAvailable() {
        String why = unavailableReason();
        assumeTrue(why == null, () -> "golden test skipped: " + why);
    }

    /**
     * Why freestanding i386 programs cannot be built and run here, or {@code null} when they can (probed once
     * by compiling and running {@code m32_probe.c}).
     */
    public static synchronized String m32UnavailableReason() {
        if (m32Availability == null) {
            String base = unavailableReason();
            if (base != null) {
                m32Availability = base;
            } else {
                try {
                    Path exe = compile32("m32_probe.c");
                    Result r = run(exe);
                    m32Availability = r.exitCode() == 0 && r.stdout().contains("sizeof_blkif_request 108") ? ""
                            : "the i386 probe did not run as expected: " + r.describe();
                } catch (AssertionError | RuntimeException e) {
                    m32Availability = "gcc -m32 cannot build or run a freestanding i386 program here: " + e.getMessage();
                }
            }
        }
        return m32Availability.isEmpty() ? null : m32Availability;
    }

    public static boolean m32Available() {
        return m32UnavailableReason() == null;
    }

    /** Skips the calling test unless native i386 programs can be built and run. */
    public static void assumeM32() {
        String why = m32UnavailableReason();
        assumeTrue(why == null, () -> "x86_32 native golden test skipped (the pack(4) emulation still runs): " + why);
    }

    /** Compiles a program of {@code core/src/test/c} for x86_64 (hosted) and returns the executable. */
    public static Path compile(String source) {
        return compileCached(source, "x86_64", List.of());
    }

    /** Compiles a program of {@code core/src/test/c} as a freestanding i386 executable. */
    public static Path compile32(String source) {
        return compileCached(source, "i386", List.of("-m32", "-DGOLDEN_FREESTANDING", "-ffreestanding", "-fno-pic",
                "-no-pie", "-static", "-nostdlib", "-fno-stack-protector"));
    }

    /** Compiles any C file with extra flags (its directory and core's C sources are on the include path). */
    public static synchronized Path compile(Path sourceFile, String name, List<String> flags) {
        assumeAvailable();
        Path out = workDir().resolve("bin").resolve(name);
        List<String> cmd = new ArrayList<>(List.of(GCC, "-std=gnu11", "-O1", "-Wall", "-Wextra", "-I/usr/include",
                "-I" + sourceDir(), "-I" + sourceFile.toAbsolutePath().getParent()));
        cmd.addAll(flags);
        cmd.addAll(List.of(sourceFile.toString(), "-o", out.toString()));
        try {
            Files.createDirectories(out.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Result r = exec(cmd);
        if (r.exitCode() != 0) {
            fail("compiling " + sourceFile + " failed:\n" + r.describe());
        }
        return out;
    }

    private static synchronized Path compileCached(String source, String target, List<String> flags) {
        String key = source + "@" + target;
        Path exe = COMPILED.get(key);
        if (exe == null) {
            exe = compile(sourceDir().resolve(source), source.replaceAll("\\.c$", "") + "-" + target, flags);
            COMPILED.put(key, exe);
        }
        return exe;
    }

    /** Runs {@code exe} with {@code args}. */
    public static Result run(Path exe, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(Arrays.asList(args));
        return exec(cmd);
    }

    /** Runs {@code exe} and fails the test unless it exits 0; returns its stdout. */
    public static String runOk(Path exe, String... args) {
        Result r = run(exe, args);
        if (r.exitCode() != 0) {
            fail("C golden program failed: " + r.describe());
        }
        return r.stdout();
    }

    /** The directory holding core's C sources (extracted from the test-jar when needed). */
    public static synchronized Path sourceDir() {
        if (sourceDir == null) {
            URL url = CGolden.class.getClassLoader().getResource(RESOURCE_DIR + "/golden.h");
            if (url == null) {
                throw new IllegalStateException(RESOURCE_DIR + "/golden.h is not on the test classpath (core test-jar)");
            }
            try {
                if ("file".equals(url.getProtocol())) {
                    sourceDir = Path.of(url.toURI()).getParent();
                } else {
                    sourceDir = extract(url);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return sourceDir;
    }

    private static Path extract(URL url) throws IOException {
        Path dir = workDir().resolve("src");
        Files.createDirectories(dir);
        JarURLConnection conn = (JarURLConnection) url.openConnection();
        try (JarFile jar = conn.getJarFile()) {
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                String n = e.getName();
                if (n.startsWith(RESOURCE_DIR + "/") && !e.isDirectory()) {
                    try (InputStream in = jar.getInputStream(e)) {
                        Files.copy(in, dir.resolve(n.substring(RESOURCE_DIR.length() + 1)),
                                StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        return dir;
    }

    private static Result exec(List<String> cmd) {
        try {
            Path dir = workDir();
            Files.createDirectories(dir);
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail(String.join(" ", cmd) + " did not finish within " + TIMEOUT_SECONDS + " s");
                }
                return new Result(List.copyOf(cmd), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + cmd.get(0), e);
        }
    }
}
