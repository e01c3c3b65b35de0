package org.xenpv.xenbus.debug;

/**
 * A registered DEBUG callback ({@code PXENBUS_DEBUG_CALLBACK}): the handle {@link Debug#register}
 * returns and {@link Debug#deregister} and {@link Debug#trigger(DebugCallback)} take.
 */
public final class DebugCallback {

    private final String prefix;
    private final DebugFunction function;
    private volatile boolean registered = true;

    DebugCallback(String prefix, DebugFunction function) {
        this.prefix = prefix;
        this.function = function;
    }

    /** The prefix its {@link Debug#printf} lines carry (at most 31 characters). */
    public String prefix() {
        return prefix;
    }

    DebugFunction function() {
        return function;
    }

    /** False once deregistered. */
    public boolean registered() {
        return registered;
    }

    void deregistered() {
        registered = false;
    }

    @Override
    public String toString() {
        return "debug callback '" + prefix + "'" + (registered ? "" : " (deregistered)");
    }
}
