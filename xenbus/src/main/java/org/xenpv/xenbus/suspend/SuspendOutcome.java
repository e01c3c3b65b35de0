package org.xenpv.xenbus.suspend;

/**
 * What one {@link Suspend#trigger()} came to.
 *
 * @param rc       what {@code SCHEDOP_shutdown(SHUTDOWN_suspend)} returned: 1 cancelled, 0 resumed
 * @param fromDomid the domid the guest suspended in
 * @param toDomid   the domid it resumed in (a new one after a restore, the same after a cancel)
 * @param count     {@link Suspend#count()} afterwards
 */
public record SuspendOutcome(int rc, int fromDomid, int toDomid, long count) {

    /** Whether the suspend was cancelled ({@code rc == 1}) and no callback ran. */
    public boolean cancelled() {
        return rc == 1;
    }

    /** Whether the guest came back in another domain (a restore or migration). */
    public boolean moved() {
        return fromDomid != toDomid;
    }
}
