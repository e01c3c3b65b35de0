package org.xenpv.xenbus.iface;

/**
 * What a child got from {@link InterfaceRegistry#query}: the provider at a negotiated version, and the
 * child's own Acquire/Release count on it (windows-pv-drivers.md §1.7: interfaces are ref-counted through
 * Acquire/Release). The provider may only be used while acquired.
 *
 * @param <T> the provider's type as the child sees it
 */
public final class InterfaceReference<T> {

    private final InterfaceRegistry registry;
    private final InterfaceSpec spec;
    private final int version;
    private final String holder;
    private final T provider;
    private int acquired;

    InterfaceReference(InterfaceRegistry registry, InterfaceSpec spec, int version, String holder, T provider) {
        this.registry = registry;
        this.spec = spec;
        this.version = version;
        this.holder = holder;
        this.provider = provider;
    }

    public InterfaceSpec spec() {
        return spec;
    }

    /** The version the child asked for (within {@link InterfaceSpec#range()}). */
    public int version() {
        return version;
    }

    /** Who queried it: leak lists and errors name it. */
    public String holder() {
        return holder;
    }

    /** {@code XENBUS_<NAME>(Acquire, ...)}: one more reference. */
    public void acquire() {
        registry.acquire(this);
    }

    /**
     * {@code XENBUS_<NAME>(Release, ...)}.
     *
     * @throws IllegalStateException when this reference holds none (a release below zero)
     */
    public void release() {
        registry.release(this);
    }

    /** References this child holds now. */
    public int acquired() {
        synchronized (registry) {
            return acquired;
        }
    }

    int acquiredLocked() {
        return acquired;
    }

    void acquiredLocked(int n) {
        acquired = n;
    }

    /**
     * The provider.
     *
     * @throws IllegalStateException unless acquired (a call through an interface that was never acquired)
     */
    public T get() {
        if (acquired() == 0) {
            throw new IllegalStateException(this + " used without Acquire");
        }
        return provider;
    }

    @Override
    public String toString() {
        return spec.name() + " v" + version + " held by " + holder;
    }
}
