package org.xenpv.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles a C source shipped as a classpath resource with gcc, once per source and flag set, into a
 * per-user cache directory ({@code $TMPDIR/xenpv-<user>/cbuild}). Used for the libxenstore benchmark
 * client and the LD_PRELOAD stub that runs the real cxenstored 4.17 without a hypervisor.
 */
final class CBuild {

    /** gcc (override with {@code -Dxenpv.gcc=<path>}). */
    static final Path GCC = Path.of(System.getProperty("xenpv.gcc", "/usr/bin/gcc"));

    private CBuild() {
    }

    /** A missing build prerequisite, named. */
    static final class MissingTool extends Exception {
        MissingTool(String message) {
            super(message);
        }
    }

    /** Checks that gcc and the given headers are installed. */
    static void require(List<Path> headers) throws MissingTool {
        if (!Files.isExecutable(GCC)) {
            throw new MissingTool("gcc not installed (" + GCC + ")");
        }
        for (Path h : headers) {
            if (!Files.isRegularFile(h)) {
                throw new MissingTool("libxen-dev not installed (" + h + " missing)");
            }
        }
    }

    /**
     * The built file for {@code resource} (a classpath path), building it if needed.
     *
     * @param outputName file name prefix of the result ({@code storebench}, {@code libxsstub.so})
     * @param flags      gcc arguments before {@code -o}; {@code libs} after the source
     */
    static Path build(String resource, String outputName, List<String> flags, List<String> libs) throws IOException {
        byte[] src;
        try (InputStream in = CBuild.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("C source " + resource + " not on the classpath");
            }
            src = in.readAllBytes();
        }
        String hash;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(src);
            md.update(String.join(" ", flags).getBytes());
            md.update(String.join(" ", libs).getBytes());
            hash = HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "xenpv-" + System.getProperty("user.name"), "cbuild");
        Files.createDirectories(dir);
        int dot = outputName.lastIndexOf('.');
        String name = dot < 0 ? outputName + "-" + hash : outputName.substring(0, dot) + "-" + hash
                + outputName.substring(dot);
        Path out = dir.resolve(name);
        if (Files.isRegularFile(out)) {
            return out;
        }
        Path c = dir.resolve(name + ".c");
        Files.write(c, src);
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(GCC.toString());
        cmd.addAll(flags);
        cmd.addAll(List.of("-o", tmp.toString(), c.toString()));
        cmd.addAll(libs);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("gcc did not finish building " + c + " within 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("gcc failed (exit " + p.exitValue() + ") building " + c + ":\n" + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building " + c, e);
        }
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        out.toFile().setExecutable(true);
        return out;
    }
}
