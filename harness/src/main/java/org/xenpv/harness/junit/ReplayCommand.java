package org.xenpv.harness.junit;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;

/**
 * The commands that replay exactly one invocation of a {@link XenpvTest}: the same test method
 * with only the seed that failed. Kernel options come from the test's annotations, so the seed is
 * all a replay needs.
 *
 * @param className  the test class, fully qualified
 * @param methodName the test method
 * @param seed       the invocation's seed
 * @param module     the Maven module whose build runs the class ({@code harness})
 */
public record ReplayCommand(String className, String methodName, long seed, String module) {

    /** For a test class, with the module found from where the class was loaded. */
    public static ReplayCommand of(Class<?> testClass, String methodName, long seed) {
        return new ReplayCommand(testClass.getName(), methodName, seed, moduleOf(testClass));
    }

    /**
     * {@code mvn -pl harness -am verify -Dtest='KernelConformanceTest#sameSeed' ... -Dxenpv.seeds=5}.
     * Surefire matches simple class names; {@code -am} builds the modules below, whose tests the
     * filter leaves empty, hence {@code failIfNoSpecifiedTests=false}.
     */
    public String mavenCommand() {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return "mvn -pl " + module + " -am verify -Dtest='" + simple + "#" + methodName + "'"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dxenpv.seeds=" + seed;
    }

    /** {@code ./xenpv conformance --select method:org.x.SomeTest#m --seeds 5}. */
    public String xenpvCommand() {
        return "./xenpv " + String.join(" ", xenpvArguments());
    }

    /** The arguments of {@link #xenpvCommand()} after {@code ./xenpv}. */
    public List<String> xenpvArguments() {
        return List.of("conformance", "--select", "method:" + className + "#" + methodName, "--seeds",
                Long.toString(seed));
    }

    /**
     * The one line printed on failure. It is a valid shell command line: the Maven command,
     * then the equivalent {@code xenpv} command as a shell comment.
     */
    public String line() {
        return mavenCommand() + "   # or: " + xenpvCommand();
    }

    /**
     * The module directory that holds {@code target/classes} or {@code target/test-classes} the
     * class came from; {@code harness} when it came from a jar (the shaded CLI).
     */
    static String moduleOf(Class<?> c) {
        try {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null && "file".equals(cs.getLocation().getProtocol())) {
                Path p = Path.of(cs.getLocation().toURI());
                Path target = p.getParent();
                if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")
                        && target.getParent() != null && target.getParent().getFileName() != null) {
                    return target.getParent().getFileName().toString();
                }
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // fall through: the CLI's jar
        }
        return "harness";
    }
}
