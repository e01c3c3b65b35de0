package org.xenpv.xenstore.cxenstored;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xenpv.xenstore.client.XsBytes;

/**
 * Builds {@code xsstub.c} (the LD_PRELOAD library that lets the Debian 4.17 xenstored run without a
 * hypervisor; see the comment at the top of that file) with gcc, once per source version, into the
 * build directory. The source is a classpath resource so that other modules can use the rig from
 * this module's test jar.
 */
public final class XsStub {

    /** The classpath resource holding the stub's C source. */
    public static final String SOURCE = "/org/xenpv/xenstore/cxenstored/xsstub.c";
    /** The C compiler (override with {@code -Dxenpv.gcc=<path>}). */
    private static final Path GCC = Path.of(System.getProperty("xenpv.gcc", "/usr/bin/gcc"));
    private static final List<Path> HEADERS = List.of(Path.of("/usr/include/xenctrl.h"),
            Path.of("/usr/include/xenevtchn.h"), Path.of("/usr/include/xengnttab.h"));

    private static Path built;

    private XsStub() {
    }

    /**
     * The compiled library, building it if needed. Skips the calling test (JUnit assumption) if gcc
     * or the libxen-dev headers are missing; a compile error is a test failure.
     */
    public static synchronized Path library() {
        if (built != null && Files.isRegularFile(built)) {
            return built;
        }
        assumeTrue(Files.isExecutable(GCC), "gcc not installed (" + GCC + "): cannot build the xenstored stub");
        for (Path h : HEADERS) {
            assumeTrue(Files.isRegularFile(h), "libxen-dev not installed (" + h + " missing): cannot build the "
                    + "xenstored stub");
        }
        try {
            byte[] src;
            try (InputStream in = XsStub.class.getResourceAsStream(SOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("stub source " + SOURCE + " not on the classpath");
                }
                src = in.readAllBytes();
            }
            String hash = XsBytes.hex(MessageDigest.getInstance("SHA-256").digest(src)).substring(0, 12);
            Path dir = buildDir().resolve("xsstub");
            Files.createDirectories(dir);
            Path lib = dir.resolve("libxsstub-" + hash + ".so");
            if (!Files.isRegularFile(lib)) {
                Path c = dir.resolve("xsstub-" + hash + ".c");
                Files.write(c, src);
                Path tmp = Files.createTempFile(dir, "libxsstub", ".so.tmp");
                Path log = dir.resolve("gcc-" + hash + ".log");
                Process p = new ProcessBuilder(GCC.toString(), "-shared", "-fPIC", "-O2", "-Wall", "-Wextra",
                        "-Werror", "-o", tmp.toString(), c.toString(), "-ldl")
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("gcc did not finish building " + c + " within 120 s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("gcc failed (exit " + p.exitValue() + ") building " + c + ":\n"
                            + Files.readString(log));
                }
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            built = lib;
            return lib;
        } catch (IOException e) {
            throw new UncheckedIOException("building the xenstored stub: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the xenstored stub", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code target/} of the module whose test classes are running (the parent of
     * {@code target/test-classes}); a per-user temporary directory when running from a jar.
     */
    static Path buildDir() {
        try {
            Path loc = Path.of(XsStub.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(loc) && loc.getParent() != null) {
                return loc.getParent();
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the temporary directory
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "xenpv-" + System.getProperty("user.name"));
    }
}
