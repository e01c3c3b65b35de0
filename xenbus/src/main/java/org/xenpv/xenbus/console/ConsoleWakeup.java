package org.xenpv.xenbus.console;

/**
 * A wakeup registered with {@link Console#wakeupAdd} ({@code PXENBUS_CONSOLE_WAKEUP}): its action (the
 * driver's {@code KeSetEvent}) runs from the console's DPC whenever the backend signals the channel.
 */
public final class ConsoleWakeup {

    private final String owner;
    private final Runnable action;

    ConsoleWakeup(String owner, Runnable action) {
        this.owner = owner;
        this.action = action;
    }

    /** Who added it (the driver records the caller's address for its debug dump). */
    public String owner() {
        return owner;
    }

    void fire() {
        action.run();
    }

    @Override
    public String toString() {
        return "console wakeup of " + owner;
    }
}
