package org.xenpv.xenstore.script;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The committed op scripts ({@code *.xss}) and their golden transcripts, kept as test resources
 * under {@code org/xenpv/xenstore/script/}: goldens in a sub-directory per daemon flavour
 * ({@code cxenstored-4.17/<name>.transcript}, recorded from the real daemon). With
 * {@code -Dxenpv.record=true} a run writes the transcript into {@code src/test/resources} instead of
 * comparing; otherwise a mismatch fails and leaves the actual transcript in
 * {@code target/xsscripts/<flavour>/}.
 */
public final class XsScriptGoldens {

    /** Resource directory of scripts and goldens. */
    public static final String DIR = "org/xenpv/xenstore/script";
    /** The flavour recorded from the Debian Xen 4.17 C xenstored. */
    public static final String CXENSTORED = "cxenstored-4.17";

    private XsScriptGoldens() {
    }

    /** Names (without {@code .xss}) of every committed script, sorted. */
    public static List<String> names() {
        URL url = XsScriptGoldens.class.getClassLoader().getResource(DIR);
        if (url == null || !url.getProtocol().equals("file")) {
            throw new IllegalStateException("script directory " + DIR + " not found as a directory on the classpath ("
                    + url + ")");
        }
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xss"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The parsed script {@code name}. */
    public static XsScript load(String name) {
        return XsScriptParser.parse(name, resource(DIR + "/" + name + ".xss"));
    }

    private static String resource(String path) {
        try (InputStream in = XsScriptGoldens.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                return null;
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean recording() {
        return Boolean.getBoolean("xenpv.record");
    }

    /** Compares {@code actual} with the golden transcript of {@code name} (or records it). */
    public static void check(String flavour, String name, String actual) throws IOException {
        String rel = DIR + "/" + flavour + "/" + name + ".transcript";
        if (recording()) {
            Path dst = moduleDir().resolve("src/test/resources").resolve(rel);
            Files.createDirectories(dst.getParent());
            Files.writeString(dst, actual);
            return;
        }
        String golden = resource(rel);
        if (actual.equals(golden)) {
            return;
        }
        Path dump = moduleDir().resolve("target/xsscripts").resolve(flavour).resolve(name + ".transcript");
        Files.createDirectories(dump.getParent());
        Files.writeString(dump, actual);
        if (golden == null) {
            fail("no golden transcript " + rel + " (record with -Dxenpv.record=true); actual in " + dump);
        }
        fail("transcript of " + name + ".xss differs from " + rel + " at " + firstDifference(golden, actual)
                + "\nactual transcript: " + dump);
    }

    static String firstDifference(String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        int n = Math.min(e.length, a.length);
        for (int i = 0; i < n; i++) {
            if (!e[i].equals(a[i])) {
                return "line " + (i + 1) + ":\n  expected: " + e[i] + "\n  actual:   " + a[i];
            }
        }
        return "line " + (n + 1) + ": expected " + e.length + " lines, got " + a.length;
    }

    /** The module directory: two levels above {@code target/test-classes}. */
    static Path moduleDir() {
        try {
            Path loc = Path.of(XsScriptGoldens.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return loc.getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
