package org.xenpv.harness.junit;

import org.xenpv.core.sim.Kernel;

/**
 * One invocation of a {@link XenpvTest}: its seed, its fresh deterministic kernel and the world
 * objects built on it. A test method or a {@link WorldFactory} may take it as a parameter.
 */
public interface XenpvRun {

    /** The seed of this invocation; {@code kernel().seed()} is the same. */
    long seed();

    /** The invocation's deterministic kernel, closed after the test. */
    Kernel kernel();

    /**
     * The world object of {@code type}, built by its {@link WorldFactory} on first use.
     *
     * @throws IllegalStateException when no factory builds {@code type}, or several do, or the
     *                               factories depend on each other in a cycle
     */
    <T> T world(Class<T> type);

    /** Adds a leak check run after the test, for resources the test or a world object creates on the side. */
    void addLeakCheck(String name, LeakCheck check);

    /** {@code org.example.SomeTest#method}. */
    String testId();
}
