package org.xenpv.xenbus.balloon;

/**
 * XENBUS's BALLOON {@code Adjust} as the FDO's balloon thread calls it ({@code [bus balloon.c
 * BalloonAdjust]}, windows-pv-drivers.md §1.8): inflate or deflate from the current size towards
 * {@code targetPages} and return the size reached. Reaching less is the driver's
 * {@code STATUS_RETRY} (a shortfall, or inflating slower than 1000 pages/s): the FDO keeps the
 * balloon active and tries again a second later. An implementation may block the calling actor (a
 * slow balloon), which is how a balloon that is still moving meets a suspend request.
 */
@FunctionalInterface
public interface BalloonMover {

    /** Moves the balloon from {@code currentPages} towards {@code targetPages}; returns the size reached. */
    long adjust(long currentPages, long targetPages);

    /**
     * Reaches every target at once and only keeps the count: the platform models neither
     * {@code XENMEM_decrease_reservation} nor {@code XENMEM_populate_physmap}, so no frame leaves
     * or rejoins the guest.
     */
    BalloonMover ACCOUNTING_ONLY = (current, target) -> target;
}
