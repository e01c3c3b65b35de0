package org.xenpv.core.platform;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Compiles a small C program against the real Xen headers ({@code gcc -I/usr/include}) into
 * {@code target/platform-cgolden/}, runs it and parses its {@code name value} lines. Skips the calling
 * test (a JUnit assumption naming what is missing) when gcc or the headers are absent.
 */
public final class PlatformCGolden {

    private static final Path HEADERS = Path.of("/usr/include/xen");

    private PlatformCGolden() {
    }

    /** Skips the test unless gcc and {@code /usr/include/xen/<header>} are present. */
    public static void assumeToolchain(String... headers) {
        assumeTrue(gccAvailable(), "gcc not found on PATH: install gcc to run the Xen header golden tests");
        for (String h : headers) {
            assumeTrue(Files.isRegularFile(HEADERS.resolve(h)),
                    "Xen header /usr/include/xen/" + h + " missing: install libxen-dev to run the golden tests");
        }
    }

    private static boolean gccAvailable() {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path workDir() throws IOException {
        String base = System.getProperty("basedir", ".");
        Path dir = Path.of(base, "target", "platform-cgolden");
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * Compiles and runs {@code source} (a complete C program printing {@code name value} lines with
     * decimal or negative values) and returns the values by name, in output order.
     */
    public static Map<String, Long> run(String name, String source) throws IOException, InterruptedException {
        Path dir = workDir();
        Path c = dir.resolve(name + ".c");
        Path exe = dir.resolve(name);
        Files.writeString(c, source, StandardCharsets.UTF_8);
        Process cc = new ProcessBuilder("gcc", "-std=gnu11", "-Wall", "-I/usr/include", "-o", exe.toString(), c.toString())
                .redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cc.waitFor(120, TimeUnit.SECONDS) || cc.exitValue() != 0) {
            throw new AssertionError("gcc failed on " + c + ":\n" + ccOut);
        }
        Process run = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
            throw new AssertionError(exe + " failed:\n" + out);
        }
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] kv = line.trim().split("\\s+");
            if (kv.length != 2) {
                throw new AssertionError(exe + ": unexpected output line '" + line + "'");
            }
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        return values;
    }

    /** C statements printing {@code sizeof}/{@code offsetof} of {@code struct s} and its {@code fields}. */
    public static String layout(String struct, List<String> fields) {
        StringBuilder sb = new StringBuilder();
        sb.append("  printf(\"sizeof.").append(struct).append(" %zu\\n\", sizeof(struct ").append(struct).append("));\n");
        for (String f : fields) {
            sb.append("  printf(\"offsetof.").append(struct).append('.').append(f.replace('[', '_').replace(']', '_'))
                    .append(" %zu\\n\", offsetof(struct ").append(struct).append(", ").append(f).append("));\n");
        }
        return sb.toString();
    }
}
