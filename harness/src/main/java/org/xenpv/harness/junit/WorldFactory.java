package org.xenpv.harness.junit;

/**
 * Builds one kind of world object (the platform with its domains, grant tables and event
 * channels; the store daemon; a toolstack) on a test invocation's kernel. Registered for every
 * {@link XenpvTest} through {@code META-INF/services/org.xenpv.harness.junit.WorldFactory}, or for
 * one class or method with {@link UseWorld}; needs a public no-argument constructor.
 *
 * <p>A world object is built the first time the invocation asks for its type (a test parameter,
 * {@link XenpvRun#world}, another factory), so a test pays only for what it uses. If it implements
 * {@link LeakCheck} it is leak-checked after the test. It is closed after the leak check, newest
 * first, then the kernel is closed.
 *
 * @param <T> the type tests ask for; a parameter of type {@code S} is served by the factory whose
 *            {@link #type()} is {@code S} or a subtype of it
 */
public interface WorldFactory<T> {

    /** The type of object this factory builds. */
    Class<T> type();

    /**
     * Builds the object on {@code run.kernel()}. It may ask {@code run.world(...)} for the objects
     * it builds on (a toolstack asks for the platform); a cycle is reported as an error.
     */
    T create(XenpvRun run) throws Exception;

    /** Releases the object at the end of the invocation; by default closes it if it is {@link AutoCloseable}. */
    default void close(T world) throws Exception {
        if (world instanceof AutoCloseable c) {
            c.close();
        }
    }
}
