package org.xenpv.xenbus.iface;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interfaces a bus publishes to its children and the references they hold (windows-pv-drivers.md
 * §1.7 "Versioning"; {@code [bus pdo.c PdoQueryInterface]}, the {@code <Name>GetInterface} functions and
 * their Acquire/Release). Generic: a provider is any object, published under an {@link InterfaceSpec};
 * a child queries by name (or spec) and version and gets an {@link InterfaceReference} typed as it
 * expects.
 *
 * <ul>
 *   <li>An unknown name, or a version outside the spec's {@code MIN..MAX}, fails with
 *       {@link InterfaceNotSupportedException} naming the interface, the version and the range.</li>
 *   <li>Acquire/Release are counted per reference and per interface; a release below zero is an
 *       error naming the interface and holder; {@link #acquired()} lists what is still held (the leak
 *       check), {@link #checkNoLeaks()} fails with that list.</li>
 *   <li>A provider implementing {@link InterfaceLifecycle} hears the first acquire and the last release.</li>
 * </ul>
 */
public final class InterfaceRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(InterfaceRegistry.class);

    /** One interface still acquired: the leak check's line. */
    public record Held(String interfaceName, int version, String holder, int references) {
        @Override
        public String toString() {
            return interfaceName + " v" + version + " by " + holder + " x" + references;
        }
    }

    private static final class Entry {
        final InterfaceSpec spec;
        final Object provider;
        final List<InterfaceReference<?>> references = new ArrayList<>();
        int acquired;

        Entry(InterfaceSpec spec, Object provider) {
            this.spec = spec;
            this.provider = provider;
        }
    }

    private final String owner;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** @param owner whose bus this is (messages), e.g. {@code "d3 XENBUS"} */
    public InterfaceRegistry(String owner) {
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    public String owner() {
        return owner;
    }

    /**
     * Publishes {@code provider} as {@code spec}.
     *
     * @throws IllegalStateException if an interface of that name is published already
     */
    public synchronized void publish(InterfaceSpec spec, Object provider) {
        Objects.requireNonNull(provider, "provider");
        if (entries.containsKey(spec.name())) {
            throw new IllegalStateException(owner + ": interface " + spec.name() + " is published already");
        }
        entries.put(spec.name(), new Entry(spec, provider));
    }

    /**
     * Withdraws {@code name}; its references become unusable.
     *
     * @throws IllegalStateException while anything holds it (listed)
     */
    public synchronized void withdraw(String name) {
        Entry e = entry(name, 0);
        if (e.acquired > 0) {
            throw new IllegalStateException(owner + ": cannot withdraw " + name + ", still acquired: " + held(e));
        }
        entries.remove(name);
    }

    /** The published specs, in publication order. */
    public synchronized List<InterfaceSpec> published() {
        return entries.values().stream().map(e -> e.spec).toList();
    }

    /**
     * {@code IRP_MN_QUERY_INTERFACE(name, version)} from {@code holder}.
     *
     * @throws InterfaceNotSupportedException for an unknown name or a version outside the range
     * @throws ClassCastException             if the provider is not a {@code type}
     */
    public synchronized <T> InterfaceReference<T> query(String name, int version, Class<T> type, String holder) {
        Entry e = entry(name, version);
        if (!e.spec.supports(version)) {
            throw new InterfaceNotSupportedException(name, version, owner + ": " + holder + " asked for " + name
                    + " version " + version + "; " + name + " implements versions " + e.spec.range());
        }
        if (!type.isInstance(e.provider)) {
            throw new ClassCastException(owner + ": " + name + " is provided by a " + e.provider.getClass().getName()
                    + ", not a " + type.getName() + " as " + holder + " expects");
        }
        InterfaceReference<T> ref = new InterfaceReference<>(this, e.spec, version, holder, type.cast(e.provider));
        e.references.add(ref);
        LOG.debug("{}: {}: {} (VERSION {})", owner, holder, name, version);
        return ref;
    }

    /** {@link #query(String, int, Class, String)} by spec. */
    public <T> InterfaceReference<T> query(InterfaceSpec spec, int version, Class<T> type, String holder) {
        return query(spec.name(), version, type, holder);
    }

    /** A query at the version {@code revision} binds {@code spec} to (a child bound to that PDO revision). */
    public <T> InterfaceReference<T> query(PdoRevision revision, InterfaceSpec spec, Class<T> type, String holder) {
        return query(spec.name(), revision.versionOf(spec), type, holder);
    }

    private Entry entry(String name, int version) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new InterfaceNotSupportedException(name, version, owner + ": no interface " + name + " is published "
                    + "(published: " + entries.keySet() + ")");
        }
        return e;
    }

    synchronized void acquire(InterfaceReference<?> ref) {
        Entry e = live(ref, "Acquire");
        if (e.acquired == 0 && e.provider instanceof InterfaceLifecycle l) {
            l.interfaceAcquired();
        }
        e.acquired++;
        ref.acquiredLocked(ref.acquiredLocked() + 1);
    }

    synchronized void release(InterfaceReference<?> ref) {
        Entry e = live(ref, "Release");
        if (ref.acquiredLocked() == 0) {
            throw new IllegalStateException(owner + ": " + ref.spec().name() + " v" + ref.version() + " released by "
                    + ref.holder() + " more often than acquired (references would go below zero)");
        }
        ref.acquiredLocked(ref.acquiredLocked() - 1);
        e.acquired--;
        if (e.acquired == 0 && e.provider instanceof InterfaceLifecycle l) {
            l.interfaceReleased();
        }
    }

    private Entry live(InterfaceReference<?> ref, String op) {
        Entry e = entries.get(ref.spec().name());
        if (e == null || !e.references.contains(ref)) {
            throw new IllegalStateException(owner + ": " + op + " of " + ref + " after " + ref.spec().name()
                    + " was withdrawn");
        }
        return e;
    }

    /** References held on {@code name} over all holders (0 if not published). */
    public synchronized int references(String name) {
        Entry e = entries.get(name);
        return e == null ? 0 : e.acquired;
    }

    /** Every reference still acquired, by interface in publication order, then by query order. */
    public synchronized List<Held> acquired() {
        List<Held> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            out.addAll(held(e));
        }
        return out;
    }

    private static List<Held> held(Entry e) {
        List<Held> out = new ArrayList<>();
        for (InterfaceReference<?> r : e.references) {
            if (r.acquiredLocked() > 0) {
                out.add(new Held(e.spec.name(), r.version(), r.holder(), r.acquiredLocked()));
            }
        }
        return out;
    }

    /**
     * The leak check.
     *
     * @throws IllegalStateException listing every interface still acquired
     */
    public void checkNoLeaks() {
        List<Held> held = acquired();
        if (!held.isEmpty()) {
            throw new IllegalStateException(owner + ": interfaces still acquired: " + held);
        }
    }

    @Override
    public synchronized String toString() {
        return "InterfaceRegistry[" + owner + ", " + published() + "]";
    }
}
