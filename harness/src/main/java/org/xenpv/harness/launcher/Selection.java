package org.xenpv.harness.launcher;

import java.util.Optional;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TagFilter;

/**
 * One {@code --select} of {@code xenpv conformance}: which tests to run. Several selections are a
 * union: a test runs if any selection matches it.
 *
 * <ul>
 *   <li>{@code tag:EXPR}: a JUnit tag expression ({@code tag:xenbus}, {@code tag:xenbus&!slow});</li>
 *   <li>{@code class:C}: a class, fully qualified or by simple name;</li>
 *   <li>{@code method:C#m}: every test method named {@code m} in class {@code C} (all seeds);</li>
 *   <li>{@code package:P}: package {@code P} and its subpackages.</li>
 * </ul>
 */
public sealed interface Selection {

    /** The text form, as given on the command line. */
    String text();

    /** Whether the test (a method, or a class without methods) is selected. */
    boolean matches(TestDescriptor test);

    record Tag(String expression) implements Selection {
        public Tag {
            TagFilter.includeTags(expression); // validates the expression
        }

        public String text() {
            return "tag:" + expression;
        }

        public boolean matches(TestDescriptor test) {
            return TagFilter.includeTags(expression).apply(test).included();
        }
    }

    record ClassName(String name) implements Selection {
        public String text() {
            return "class:" + name;
        }

        public boolean qualified() {
            return name.contains(".");
        }

        public boolean matches(TestDescriptor test) {
            return className(test).map(this::matchesClass).orElse(false);
        }

        boolean matchesClass(String fqcn) {
            return qualified() ? fqcn.equals(name) : simpleName(fqcn).equals(name);
        }
    }

    record MethodName(ClassName owner, String method) implements Selection {
        public String text() {
            return "method:" + owner.name() + "#" + method;
        }

        public boolean matches(TestDescriptor test) {
            return test.getSource().orElse(null) instanceof MethodSource ms && ms.getMethodName().equals(method)
                    && owner.matchesClass(ms.getClassName());
        }
    }

    record PackageName(String name) implements Selection {
        public String text() {
            return "package:" + name;
        }

        public boolean matches(TestDescriptor test) {
            return className(test).map(c -> c.startsWith(name + ".")).orElse(false);
        }
    }

    /**
     * Parses {@code tag:X}, {@code class:C}, {@code method:C#m} or {@code package:P}.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    static Selection parse(String text) {
        int colon = text.indexOf(':');
        String kind = colon < 0 ? "" : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1).strip();
        if (colon >= 0 && value.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "': nothing after '" + kind + ":'");
        }
        return switch (kind) {
            case "tag" -> {
                try {
                    yield new Tag(value);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("'" + text + "': bad tag expression: " + e.getMessage(), e);
                }
            }
            case "class" -> new ClassName(checkName(text, value));
            case "package" -> new PackageName(checkName(text, value));
            case "method" -> {
                int hash = value.indexOf('#');
                if (hash <= 0 || hash == value.length() - 1) {
                    throw new IllegalArgumentException("'" + text + "': expected method:Class#method");
                }
                yield new MethodName(new ClassName(checkName(text, value.substring(0, hash))),
                        checkName(text, value.substring(hash + 1)));
            }
            default -> throw new IllegalArgumentException("'" + text
                    + "': expected tag:EXPR, class:C, method:C#m or package:P");
        };
    }

    private static String checkName(String text, String name) {
        for (String part : name.split("[.$]", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.codePointAt(0))
                    || !part.codePoints().allMatch(Character::isJavaIdentifierPart)) {
                throw new IllegalArgumentException("'" + text + "': '" + name + "' is not a Java name");
            }
        }
        return name;
    }

    private static Optional<String> className(TestDescriptor test) {
        return switch (test.getSource().orElse(null)) {
            case MethodSource ms -> Optional.of(ms.getClassName());
            case ClassSource cs -> Optional.of(cs.getClassName());
            case null, default -> Optional.empty();
        };
    }

    private static String simpleName(String fqcn) {
        return fqcn.substring(Math.max(fqcn.lastIndexOf('.'), fqcn.lastIndexOf('$')) + 1);
    }
}
