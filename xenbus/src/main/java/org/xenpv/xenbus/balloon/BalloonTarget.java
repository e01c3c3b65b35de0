package org.xenpv.xenbus.balloon;

/**
 * XENBUS's balloon size arithmetic ({@code [bus balloon.c; fdo.c]}, windows-pv-drivers.md §1.8): from
 * {@code memory/static-max}, {@code memory/videoram} and {@code memory/target} (KiB) to the number of
 * pages the balloon should hold: {@code (static-max - videoram)/4 - min(target/4, that cap)}.
 * A target above the cap gives an empty balloon, never a negative one.
 */
public final class BalloonTarget {

    private BalloonTarget() {
    }

    /** Pages the guest may own at most: {@code (static-max - videoram) / 4}. */
    public static long capPages(long staticMaxKiB, long videoramKiB) {
        if (staticMaxKiB < 0 || videoramKiB < 0 || videoramKiB > staticMaxKiB) {
            throw new IllegalArgumentException("memory/static-max " + staticMaxKiB + " KiB, memory/videoram "
                    + videoramKiB + " KiB: videoram must be within static-max");
        }
        return (staticMaxKiB - videoramKiB) / 4;
    }

    /** Balloon size in pages for {@code targetKiB}. */
    public static long balloonPages(long staticMaxKiB, long videoramKiB, long targetKiB) {
        if (targetKiB < 0) {
            throw new IllegalArgumentException("memory/target " + targetKiB + " KiB is negative");
        }
        long cap = capPages(staticMaxKiB, videoramKiB);
        return cap - Math.min(targetKiB / 4, cap);
    }
}
