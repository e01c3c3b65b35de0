package org.xenpv.xenstore.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * pyxs's own upstream test suite ({@code tests/} of Debian's {@code python-pyxs} source package, fetched
 * at CI time by {@code .ci/fetch-pyxs-suite.sh}, never committed) run with Debian's pytest against a
 * daemon socket, with {@code xenpv_pyxs_plugin.py} enabling the tests that need a daemon outside dom0
 * (see its docstring). The outcome is every test id with {@code passed}, {@code failed}, {@code error} or
 * {@code skipped}, from pytest's JUnit XML report.
 */
public final class PyxsSuite {

    /** System property / environment variable naming the fetched suite's directory (holding tests/). */
    public static final String PROPERTY = "xenpv.pyxs.suite";
    public static final String ENV = "XENPV_PYXS_SUITE";
    private static final String PLUGIN = "/org/xenpv/xenstore/interop/xenpv_pyxs_plugin.py";

    /** Test id ({@code tests/test_client.py::test_read[UnixSocketConnection]}) to outcome. */
    public record Outcome(Map<String, String> results, String output) {
        public TreeSet<String> passed() {
            TreeSet<String> s = new TreeSet<>();
            results.forEach((k, v) -> {
                if (v.equals("passed")) {
                    s.add(k);
                }
            });
            return s;
        }
    }

    private PyxsSuite() {
    }

    /**
     * The fetched suite: {@value #PROPERTY}, else {@value #ENV}, else {@code target/pyxs-suite} of the
     * repository. Skips the calling test (with the way to fetch it) when it is absent, and when python3,
     * pyxs or pytest is missing.
     */
    public static Path assumeAvailable() {
        Pyxs.assumeInstalled();
        String configured = System.getProperty(PROPERTY, System.getenv(ENV));
        Path dir = configured != null && !configured.isBlank() ? Path.of(configured)
                : Stream.of(Path.of("target/pyxs-suite"), Path.of("../target/pyxs-suite"))
                        .filter(p -> Files.isDirectory(p.resolve("tests"))).findFirst()
                        .orElse(Path.of("../target/pyxs-suite"));
        assumeTrue(Files.isRegularFile(dir.resolve("tests/test_client.py")), "pyxs upstream test suite not found in "
                + dir.toAbsolutePath().normalize() + ": run .ci/fetch-pyxs-suite.sh (Debian deb-src of python-pyxs) "
                + "or set -D" + PROPERTY + "=DIR");
        assumeTrue(exitsZero(Pyxs.PYTHON.toString(), "-c", "import pytest"), "pytest not installed for " + Pyxs.PYTHON
                + " (Debian python3-pytest): cannot run pyxs's upstream test suite");
        return dir;
    }

    /** Runs the suite in {@code suite} against the daemon at {@code socket} (a fresh daemon each time). */
    public static Outcome run(Path suite, Path socket) {
        Path work = null;
        try {
            work = Files.createTempDirectory("pyxs-suite");
            copyTree(suite.resolve("tests"), work.resolve("tests"));
            try (InputStream in = PyxsSuite.class.getResourceAsStream(PLUGIN)) {
                if (in == null) {
                    throw new IllegalStateException("test resource " + PLUGIN + " missing");
                }
                Files.write(work.resolve("xenpv_pyxs_plugin.py"), in.readAllBytes());
            }
            Path xml = work.resolve("report.xml");
            Path log = work.resolve("pytest.log");
            ProcessBuilder pb = new ProcessBuilder(Pyxs.PYTHON.toString(), "-m", "pytest", "-p", "xenpv_pyxs_plugin",
                    "-p", "no:cacheprovider", "-q", "-rA", "--junitxml=" + xml, "tests").directory(work.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("XENSTORED_PATH", socket.toString());
            pb.environment().remove("XENSTORED_RUNDIR");
            pb.environment().put("PYTHONPATH", work.toString());
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process p = pb.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("pyxs test suite against " + socket + " did not finish within 180 s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (!Files.isRegularFile(xml)) {
                throw new IllegalStateException("pytest wrote no report (exit " + p.exitValue() + "):\n" + output);
            }
            return new Outcome(parse(xml), output);
        } catch (IOException e) {
            throw new UncheckedIOException("running pyxs's test suite against " + socket + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    /** pytest's JUnit XML: {@code classname} {@code tests.test_client} + {@code name} to outcome. */
    static Map<String, String> parse(Path xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document d = f.newDocumentBuilder().parse(xml.toFile());
            NodeList cases = d.getElementsByTagName("testcase");
            Map<String, String> out = new TreeMap<>();
            for (int i = 0; i < cases.getLength(); i++) {
                Element c = (Element) cases.item(i);
                String id = c.getAttribute("classname").replace('.', '/') + ".py::" + c.getAttribute("name");
                String outcome = "passed";
                for (Node n = c.getFirstChild(); n != null; n = n.getNextSibling()) {
                    String tag = n.getNodeName();
                    if (tag.equals("failure")) {
                        outcome = "failed";
                    } else if (tag.equals("error")) {
                        outcome = "error";
                    } else if (tag.equals("skipped") && outcome.equals("passed")) {
                        outcome = "skipped";
                    }
                }
                // A teardown error is reported as a second <testcase> element with the same id.
                out.merge(id, outcome, (a, b) -> a.equals("passed") ? b : a);
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read pytest's report " + xml + ": " + e, e);
        }
    }

    private static boolean exitsZero(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!p.getFileName().toString().endsWith(".pyc")) {
                    Files.copy(p, t);
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A temp directory left behind is harmless.
        }
    }
}
