package org.xenpv.xenbus.suspend;

/**
 * When a SUSPEND callback runs ({@code XENBUS_SUSPEND_CALLBACK_TYPE}, windows-pv-drivers.md §1.5).
 */
public enum SuspendCallbackType {
    /**
     * Right after {@code SCHEDOP_shutdown(SHUTDOWN_suspend)} returned 0, on CPU0, with every processor
     * captured and interrupts off: re-establish what Xen lost (grant frames, shared info) and mark
     * what the old domain owned as stale. Nothing may wait here for another actor.
     */
    EARLY,
    /**
     * After interrupts are back on, still on the suspending vCPU with the other processors captured
     * (DPCs held): reconnect (event channels, store, console, FDO keys, frontends).
     */
    LATE
}
