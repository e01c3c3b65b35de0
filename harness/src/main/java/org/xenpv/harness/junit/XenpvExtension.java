package org.xenpv.harness.junit;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;

/**
 * Runs a {@link XenpvTest} once per seed, each invocation on a fresh deterministic {@link Kernel}
 * with its own world objects ({@link WorldFactory}).
 *
 * <p>Per invocation: before the test (and its {@code @BeforeEach} methods) a kernel is created from
 * the seed and {@link KernelOptions}; parameters of type {@link Kernel}, {@link XenpvRun} or a
 * world type are resolved. After the test and its {@code @AfterEach} methods, the leak checks run;
 * a test that passed but leaked fails with every leak listed ({@link LeakFailure}). A failed
 * invocation writes its event log, seed and replay commands under {@code xenpv.failures.dir}
 * ({@link FailureReport}), prints one replay line to stderr, publishes it as the report entry
 * {@value #REPLAY_ENTRY} and attaches it to the failure as a suppressed exception. Then world
 * objects are closed, newest first, and the kernel is closed.
 *
 * <p>Invocations are named {@code [seed=N]} ({@link #displayName(long)}).
 */
public final class XenpvExtension implements TestTemplateInvocationContextProvider {

    /** Report entry key of the replay line of a failed invocation. */
    public static final String REPLAY_ENTRY = "xenpv.replay";

    /** Report entry key of the failure artifacts (the {@code .log} path) of a failed invocation. */
    public static final String LOG_ENTRY = "xenpv.log";

    /** Report entry key of leaks that {@link AllowLeaks} let pass. */
    public static final String ALLOWED_LEAKS_ENTRY = "xenpv.allowed-leaks";

    private static final Pattern SEED_NAME = Pattern.compile("\\[seed=(-?\\d+)]");

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(XenpvExtension.class);

    /** Display name of the invocation for {@code seed}. */
    public static String displayName(long seed) {
        return "[seed=" + seed + "]";
    }

    /** The seed in an invocation's display name, if it is one of ours. */
    public static Optional<Long> seedOf(String displayName) {
        Matcher m = SEED_NAME.matcher(displayName);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, XenpvTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        Class<?> testClass = context.getRequiredTestClass();
        SeedSpec seeds = seedsFor(context, method, testClass);
        KernelOptions options = find(method, testClass, KernelOptions.class).orElse(null);
        List<WorldFactory<?>> factories = worldFactories(method, testClass);
        Set<Leak.Kind> allowed = allowedLeaks(method, testClass);
        return seeds.seeds().stream().map(seed -> new SeedInvocation(seed, kernelConfig(seed, options, method),
                factories, allowed));
    }

    static SeedSpec seedsFor(ExtensionContext context, Method method, Class<?> testClass) {
        Optional<String> global = XenpvConfig.get(context, XenpvConfig.SEEDS);
        if (global.isPresent()) {
            return SeedSpec.parse(global.get());
        }
        Optional<Seeds> onMethod = AnnotationSupport.findAnnotation(method, Seeds.class);
        if (onMethod.isPresent()) {
            return SeedSpec.of(onMethod.get(), testClass.getName() + "#" + method.getName());
        }
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<Seeds> onClass = AnnotationSupport.findAnnotation(c, Seeds.class);
            if (onClass.isPresent()) {
                return SeedSpec.of(onClass.get(), c.getName());
            }
        }
        return SeedSpec.defaults();
    }

    /** The method's annotation, else the class's (or an enclosing class's). */
    private static <A extends java.lang.annotation.Annotation> Optional<A> find(Method method, Class<?> testClass,
                                                                                 Class<A> type) {
        Optional<A> a = AnnotationSupport.findAnnotation(method, type);
        for (Class<?> c = testClass; a.isEmpty() && c != null; c = c.getEnclosingClass()) {
            a = AnnotationSupport.findAnnotation(c, type);
        }
        return a;
    }

    static KernelConfig kernelConfig(long seed, KernelOptions options, Method method) {
        KernelConfig config = KernelConfig.deterministic(seed);
        if (options == null) {
            return config;
        }
        if (options.runLimitSeconds() <= 0) {
            throw new IllegalArgumentException("@KernelOptions on " + method + ": runLimitSeconds must be positive, got "
                    + options.runLimitSeconds());
        }
        try {
            return config.withPreemption(options.preemption())
                    .withDefaultRunLimit(Duration.ofSeconds(options.runLimitSeconds()))
                    .withLogCapacity(options.logCapacity())
                    .withActorSwitchLogging(options.logActorSwitches());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("@KernelOptions on " + method + ": " + e.getMessage(), e);
        }
    }

    /**
     * Factories from {@link UseWorld} (method, then class and enclosing classes), then those
     * registered as services; a later factory for a type already served is dropped.
     */
    static List<WorldFactory<?>> worldFactories(Method method, Class<?> testClass) {
        List<Class<? extends WorldFactory<?>>> named = new ArrayList<>();
        AnnotationSupport.findAnnotation(method, UseWorld.class).ifPresent(u -> named.addAll(List.of(u.value())));
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            AnnotationSupport.findAnnotation(c, UseWorld.class).ifPresent(u -> named.addAll(List.of(u.value())));
        }
        List<WorldFactory<?>> out = new ArrayList<>();
        for (Class<? extends WorldFactory<?>> type : named) {
            addUnlessServed(out, instantiate(type, method));
        }
        @SuppressWarnings("rawtypes")
        ServiceLoader<WorldFactory> services = ServiceLoader.load(WorldFactory.class);
        for (WorldFactory<?> f : services) {
            addUnlessServed(out, f);
        }
        return List.copyOf(out);
    }

    private static void addUnlessServed(List<WorldFactory<?>> out, WorldFactory<?> f) {
        if (f.type() == null) {
            throw new IllegalStateException(f.getClass().getName() + ".type() returned null");
        }
        if (out.stream().noneMatch(g -> g.type() == f.type())) {
            out.add(f);
        }
    }

    private static WorldFactory<?> instantiate(Class<? extends WorldFactory<?>> type, Method method) {
        try {
            Constructor<? extends WorldFactory<?>> ctor = type.getDeclaredConstructor();
            ctor.setAccessible(true);
            return ctor.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("@UseWorld on " + method + ": cannot instantiate " + type.getName()
                    + " (needs a no-argument constructor): " + e, e);
        }
    }

    private static Set<Leak.Kind> allowedLeaks(Method method, Class<?> testClass) {
        Set<Leak.Kind> kinds = EnumSet.noneOf(Leak.Kind.class);
        find(method, testClass, AllowLeaks.class).ifPresent(a -> kinds.addAll(List.of(a.value())));
        return kinds;
    }

    /** One seed's invocation. */
    private record SeedInvocation(long seed, KernelConfig config, List<WorldFactory<?>> factories,
                                  Set<Leak.Kind> allowedLeaks) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return displayName(seed);
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new InvocationExtension(this));
        }
    }

    /** Creates, serves, checks and tears down one invocation's {@link InvocationRun}. */
    private static final class InvocationExtension implements BeforeEachCallback, AfterEachCallback,
            ParameterResolver {

        private final SeedInvocation invocation;

        InvocationExtension(SeedInvocation invocation) {
            this.invocation = invocation;
        }

        private static String testId(ExtensionContext context) {
            return context.getRequiredTestClass().getName() + "#" + context.getRequiredTestMethod().getName();
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            Kernel kernel = Kernel.create(invocation.config());
            context.getStore(NAMESPACE).put(InvocationRun.class,
                    new InvocationRun(invocation.seed(), kernel, testId(context), invocation.factories()));
        }

        private static InvocationRun run(ExtensionContext context) {
            return context.getStore(NAMESPACE).get(InvocationRun.class, InvocationRun.class);
        }

        @Override
        public boolean supportsParameter(ParameterContext pc, ExtensionContext context) {
            if (!(pc.getDeclaringExecutable() instanceof Method)) {
                return false;
            }
            Class<?> type = pc.getParameter().getType();
            return type == Kernel.class || type == XenpvRun.class
                    || invocation.factories().stream().anyMatch(f -> type.isAssignableFrom(f.type()));
        }

        @Override
        public Object resolveParameter(ParameterContext pc, ExtensionContext context) {
            InvocationRun run = run(context);
            if (run == null) {
                throw new ParameterResolutionException("no xenpv run for " + pc.getParameter()
                        + ": parameters are served to the test and its @BeforeEach/@AfterEach methods only");
            }
            Class<?> type = pc.getParameter().getType();
            if (type == Kernel.class) {
                return run.kernel();
            }
            if (type == XenpvRun.class) {
                return run;
            }
            try {
                return run.world(type);
            } catch (RuntimeException e) {
                throw new ParameterResolutionException("cannot build " + type.getName() + " for " + pc.getParameter()
                        + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void afterEach(ExtensionContext context) {
            InvocationRun run = context.getStore(NAMESPACE).remove(InvocationRun.class, InvocationRun.class);
            if (run == null) {
                return;
            }
            try {
                check(context, run);
            } catch (Throwable t) {
                try {
                    run.close();
                } catch (RuntimeException closeFailure) {
                    t.addSuppressed(closeFailure);
                }
                throw t;
            }
            run.close();
        }

        private void check(ExtensionContext context, InvocationRun run) {
            Throwable failure = context.getExecutionException().orElse(null);
            if (failure instanceof TestAbortedException) {
                return; // skipped by an assumption: neither a failure to replay nor a finished test to leak-check
            }
            InvocationRun.LeakScan scan = run.scanLeaks();
            List<Leak> failing = scan.leaks().stream().filter(l -> !invocation.allowedLeaks().contains(l.kind()))
                    .toList();
            List<Leak> allowed = scan.leaks().stream().filter(l -> invocation.allowedLeaks().contains(l.kind()))
                    .toList();
            if (!allowed.isEmpty()) {
                context.publishReportEntry(ALLOWED_LEAKS_ENTRY, allowed.toString());
            }
            boolean leakFailure = failure == null && (!failing.isEmpty() || !scan.errors().isEmpty());
            if (failure == null && !leakFailure) {
                return;
            }
            Class<?> testClass = context.getRequiredTestClass();
            String methodName = context.getRequiredTestMethod().getName();
            ReplayCommand replay = ReplayCommand.of(testClass, methodName, run.seed());
            List<String> checks = AnnotationSupport.findRepeatableAnnotations(context.getRequiredTestMethod(),
                    Checks.class).stream().map(c -> c.id() + " (" + c.ref() + ")").toList();
            Path dir = XenpvConfig.failuresDir(context);
            String testName = testClass.getSimpleName() + "#" + methodName + " " + displayName(run.seed());
            Throwable reported = failure != null ? failure
                    : new LeakFailure(testName, failing, scan.errors(), replay.line());
            String fullName = context.getParent().map(p -> p.getDisplayName() + " ").orElse("")
                    + context.getDisplayName();
            String where;
            try {
                Path log = FailureReport.write(dir, testClass.getName(), methodName, fullName, run.kernel(), replay,
                        checks, new InvocationRun.LeakScan(failing, scan.errors()), reported);
                context.publishReportEntry(LOG_ENTRY, log.toString());
                where = "event log: " + log;
            } catch (java.io.UncheckedIOException e) {
                where = "event log not written: " + e.getMessage();
            }
            String line = "[xenpv] FAILED " + testName + " (" + where + "); replay: " + replay.line();
            System.err.println(line);
            context.publishReportEntry(REPLAY_ENTRY, replay.line());
            if (failure != null) {
                failure.addSuppressed(new ReplayHint(line));
            } else {
                throw (LeakFailure) reported;
            }
        }
    }
}
