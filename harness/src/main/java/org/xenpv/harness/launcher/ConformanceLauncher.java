package org.xenpv.harness.launcher;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;
import org.xenpv.harness.junit.XenpvConfig;

/**
 * Runs the conformance suite (the JUnit Jupiter tests under {@value #ROOT_PACKAGE}, or what a
 * {@link ConformanceRequest} selects) through the JUnit Platform Launcher, in this JVM.
 *
 * <p>With a reports directory it writes the legacy JUnit XML report ({@code TEST-junit-jupiter.xml},
 * what CI tools read) and the Open Test Reporting XML events file ({@code open-test-report.xml}).
 */
public final class ConformanceLauncher {

    /** Where conformance suites live, in the main sources of the harness module. */
    public static final String ROOT_PACKAGE = "org.xenpv.conformance";

    private static final String ENGINE = "junit-jupiter";

    private ConformanceLauncher() {
    }

    /** The selected and sharded tests, ready to run once. */
    public static final class Discovery {
        private final Launcher launcher;
        private final TestPlan plan;
        private final List<SelectedTest> tests;

        private Discovery(Launcher launcher, TestPlan plan, List<SelectedTest> tests) {
            this.launcher = launcher;
            this.plan = plan;
            this.tests = List.copyOf(tests);
        }

        public TestPlan plan() {
            return plan;
        }

        /** The selected test methods, in discovery order. */
        public List<SelectedTest> tests() {
            return tests;
        }
    }

    /**
     * Discovers what {@code request} selects.
     *
     * @throws IllegalArgumentException when a selection names a class that does not exist, or
     *                                  matches no test at all (before sharding)
     */
    public static Discovery discover(ConformanceRequest request) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Set<DiscoverySelector> selectors = new LinkedHashSet<>();
        for (Selection s : request.selections()) {
            switch (s) {
                case Selection.ClassName c when c.qualified() -> selectors.add(selectClass(load(c, s, loader)));
                case Selection.MethodName m when m.owner().qualified() -> selectors.add(selectClass(load(m.owner(), s,
                        loader)));
                case Selection.PackageName p -> selectors.add(selectPackage(p.name()));
                default -> selectors.add(selectPackage(ROOT_PACKAGE));
            }
        }
        if (selectors.isEmpty()) {
            selectors.add(selectPackage(ROOT_PACKAGE));
        }
        SelectionFilter filter = new SelectionFilter(request.selections(), request.shard());
        LauncherDiscoveryRequest discoveryRequest = LauncherDiscoveryRequestBuilder.request()
                .selectors(new ArrayList<>(selectors))
                .filters(EngineFilter.includeEngines(ENGINE), filter)
                .configurationParameters(configuration(request))
                .build();
        Launcher launcher = LauncherFactory.create();
        TestPlan plan = launcher.discover(discoveryRequest);
        List<Selection> unmatched = filter.unmatched();
        if (!unmatched.isEmpty()) {
            throw new IllegalArgumentException("--select " + unmatched.stream().map(Selection::text)
                    .collect(Collectors.joining(", ")) + " matched no test"
                    + (selectors.contains(selectPackage(ROOT_PACKAGE)) ? " under " + ROOT_PACKAGE : ""));
        }
        List<SelectedTest> tests = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            collect(plan, root, tests);
        }
        return new Discovery(launcher, plan, tests);
    }

    private static Class<?> load(Selection.ClassName c, Selection s, ClassLoader loader) {
        try {
            return Class.forName(c.name(), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("--select " + s.text() + ": no class " + c.name() + " on the classpath");
        }
    }

    private static void collect(TestPlan plan, TestIdentifier id, List<SelectedTest> out) {
        TestSource source = id.getSource().orElse(null);
        if (source instanceof MethodSource ms) {
            Set<String> tags = new TreeSet<>();
            id.getTags().forEach(t -> tags.add(t.getName()));
            List<Rule> rules;
            try {
                rules = Rule.of(ms.getJavaMethod());
            } catch (RuntimeException e) {
                rules = List.of();
            }
            out.add(new SelectedTest(id.getUniqueId(), ms.getClassName(), ms.getMethodName(), id.getDisplayName(), tags,
                    rules));
            return; // children, if any, are its invocations
        }
        if (source instanceof ClassSource && id.isTest()) {
            return;
        }
        for (TestIdentifier child : plan.getChildren(id)) {
            collect(plan, child, out);
        }
    }

    /** JUnit configuration parameters for {@code request}: seeds, failures dir, Open Test Reporting, extras. */
    static Map<String, String> configuration(ConformanceRequest request) {
        Map<String, String> config = new LinkedHashMap<>();
        if (request.seeds() != null) {
            config.put(XenpvConfig.SEEDS, request.seeds());
        }
        if (request.failuresDir() != null) {
            config.put(XenpvConfig.FAILURES_DIR, request.failuresDir().toString());
        }
        if (request.reportsDir() != null) {
            config.put("junit.platform.reporting.open.xml.enabled", "true");
            config.put("junit.platform.reporting.output.dir", request.reportsDir().toString());
        }
        config.putAll(request.config());
        return config;
    }

    /** Discovers and runs {@code request}, telling {@code listeners} as it goes. */
    public static ConformanceResult run(ConformanceRequest request, TestExecutionListener... listeners) {
        return run(discover(request), request, listeners);
    }

    /** Runs a discovery made by {@link #discover} (once). */
    public static ConformanceResult run(Discovery discovery, ConformanceRequest request,
                                        TestExecutionListener... listeners) {
        ResultCollector collector = new ResultCollector();
        List<TestExecutionListener> all = new ArrayList<>();
        all.add(collector);
        all.addAll(List.of(listeners));
        if (request.reportsDir() != null) {
            all.add(new LegacyXmlReportGeneratingListener(request.reportsDir(),
                    new PrintWriter(System.err, true)));
        }
        discovery.launcher.execute(discovery.plan, all.toArray(TestExecutionListener[]::new));
        return new ConformanceResult(request, discovery.tests(), collector.outcomes());
    }
}
