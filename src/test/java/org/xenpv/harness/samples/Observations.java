package org.xenpv.harness.samples;

import java.util.ArrayList;
import java.util.List;
import org.xenpv.core.sim.Kernel;

/** What sample tests saw, for the harness tests to check after a launcher run in the same JVM. */
public final class Observations {

    /** One invocation's view: which method, its seed, and the kernel it was given. */
    public record Seen(String method, long seed, Kernel kernel, long kernelTimeAtStart, long eventsAtStart) { }

    private static final List<Seen> SEEN = new ArrayList<>();
    private static final List<String> EVENTS = new ArrayList<>();

    private Observations() {
    }

    public static synchronized void saw(String method, long seed, Kernel kernel) {
        SEEN.add(new Seen(method, seed, kernel, kernel.nanoTime(), kernel.log().count()));
    }

    public static synchronized void event(String what) {
        EVENTS.add(what);
    }

    public static synchronized List<Seen> seen() {
        return List.copyOf(SEEN);
    }

    public static synchronized List<String> events() {
        return List.copyOf(EVENTS);
    }

    public static synchronized void clear() {
        SEEN.clear();
        EVENTS.clear();
    }
}
