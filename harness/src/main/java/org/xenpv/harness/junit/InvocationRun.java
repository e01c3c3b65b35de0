package org.xenpv.harness.junit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xenpv.core.sim.Kernel;

/** The state of one {@link XenpvTest} invocation: kernel, world objects in creation order, leak checks. */
final class InvocationRun implements XenpvRun {

    private record NamedCheck(String name, LeakCheck check) { }

    private record Built(WorldFactory<?> factory, Object world) { }

    /** Leaks found, and checks that could not answer. */
    record LeakScan(List<Leak> leaks, List<String> errors) { }

    private final long seed;
    private final Kernel kernel;
    private final String testId;
    private final List<WorldFactory<?>> factories;
    private final Map<WorldFactory<?>, Built> built = new LinkedHashMap<>();
    private final Deque<WorldFactory<?>> building = new ArrayDeque<>();
    private final List<NamedCheck> checks = new ArrayList<>();
    private boolean closed;

    InvocationRun(long seed, Kernel kernel, String testId, List<WorldFactory<?>> factories) {
        this.seed = seed;
        this.kernel = kernel;
        this.testId = testId;
        this.factories = factories;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public Kernel kernel() {
        return kernel;
    }

    @Override
    public String testId() {
        return testId;
    }

    /** Whether some factory builds {@code type}. */
    boolean canBuild(Class<?> type) {
        return factories.stream().anyMatch(f -> type.isAssignableFrom(f.type()));
    }

    @Override
    public <T> T world(Class<T> type) {
        if (closed) {
            throw new IllegalStateException(testId + ": world(" + type.getName() + ") after the invocation ended");
        }
        WorldFactory<?> factory = factoryFor(type);
        Built b = built.get(factory);
        if (b != null) {
            return type.cast(b.world());
        }
        if (building.contains(factory)) {
            List<String> chain = new ArrayList<>();
            building.descendingIterator().forEachRemaining(f -> chain.add(f.type().getSimpleName()));
            String cycle = String.join(" -> ", chain);
            throw new IllegalStateException(testId + ": world factories form a cycle: " + cycle + " -> "
                    + factory.type().getSimpleName());
        }
        building.push(factory);
        Object world;
        try {
            world = factory.create(this);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(testId + ": " + factory.getClass().getName() + " failed to build "
                    + factory.type().getName() + ": " + e, e);
        } finally {
            building.pop();
        }
        if (world == null || !factory.type().isInstance(world)) {
            throw new IllegalStateException(testId + ": " + factory.getClass().getName() + " built " + world
                    + " instead of a " + factory.type().getName());
        }
        built.put(factory, new Built(factory, world));
        if (world instanceof LeakCheck lc) {
            checks.add(new NamedCheck(factory.type().getSimpleName(), lc));
        }
        return type.cast(world);
    }

    private WorldFactory<?> factoryFor(Class<?> type) {
        List<WorldFactory<?>> matching = factories.stream().filter(f -> type.isAssignableFrom(f.type())).toList();
        if (matching.size() == 1) {
            return matching.get(0);
        }
        if (matching.isEmpty()) {
            throw new IllegalStateException(testId + ": no WorldFactory builds " + type.getName() + " (registered: "
                    + factories.stream().map(f -> f.type().getName()).toList()
                    + "); add one with @UseWorld or META-INF/services/" + WorldFactory.class.getName());
        }
        List<WorldFactory<?>> exact = matching.stream().filter(f -> f.type() == type).toList();
        if (exact.size() == 1) {
            return exact.get(0);
        }
        throw new IllegalStateException(testId + ": several WorldFactories build " + type.getName() + ": "
                + matching.stream().map(f -> f.getClass().getName()).toList());
    }

    @Override
    public void addLeakCheck(String name, LeakCheck check) {
        checks.add(new NamedCheck(name, check));
    }

    /** Asks every check; a check that throws is reported by name, the others still run. */
    LeakScan scanLeaks() {
        List<Leak> leaks = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (NamedCheck c : checks) {
            try {
                List<Leak> found = c.check().leaks();
                if (found != null) {
                    leaks.addAll(found);
                }
            } catch (RuntimeException e) {
                errors.add("leak check '" + c.name() + "' threw " + e);
            }
        }
        return new LeakScan(leaks, errors);
    }

    /**
     * Closes the world objects newest first, then the kernel. Every close is attempted; the first
     * failure is thrown with the others suppressed.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        List<Built> order = new ArrayList<>(built.values());
        for (int i = order.size() - 1; i >= 0; i--) {
            Built b = order.get(i);
            try {
                closeWorld(b.factory(), b.world());
            } catch (Exception e) {
                RuntimeException wrapped = new IllegalStateException(testId + ": closing "
                        + b.factory().type().getName() + " failed: " + e, e);
                if (failure == null) {
                    failure = wrapped;
                } else {
                    failure.addSuppressed(wrapped);
                }
            }
        }
        try {
            kernel.close();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void closeWorld(WorldFactory<T> factory, Object world) throws Exception {
        factory.close((T) world);
    }
}
