package org.xenpv.xenbus.suspend;

/**
 * A registration made with {@link Suspend#register} ({@code XENBUS_SUSPEND_CALLBACK}): pass it to
 * {@link Suspend#deregister} to remove it.
 *
 * @param type     EARLY or LATE
 * @param name     who registered (for the debug dump and the event log)
 * @param function what runs
 */
public record SuspendCallback(SuspendCallbackType type, String name, Runnable function) {

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return type + ": " + name;
    }
}
