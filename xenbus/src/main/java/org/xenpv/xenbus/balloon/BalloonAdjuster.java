package org.xenpv.xenbus.balloon;

import java.util.function.BiConsumer;
import java.util.function.LongUnaryOperator;

/**
 * One balloon adjustment as the FDO's balloon thread runs it ({@code [bus fdo.c FdoBalloon]},
 * windows-pv-drivers.md §1.8): {@code control/balloon-active=1} is written before the balloon moves
 * and {@code =0} after, whether the move reached its size or fell short (then the caller retries a
 * second later), so a toolstack never sees the balloon move while the key says idle.
 */
public final class BalloonAdjuster {

    /** Key written around an adjustment (relative to {@code /local/domain/<id>}). */
    public static final String BALLOON_ACTIVE = "control/balloon-active";

    private final BiConsumer<String, String> storeWrite;
    private final LongUnaryOperator move;
    private long size;

    /**
     * @param storeWrite writes a store key (path relative to the domain, value)
     * @param move       inflates/deflates towards the requested size and returns the size reached
     */
    public BalloonAdjuster(BiConsumer<String, String> storeWrite, LongUnaryOperator move) {
        this.storeWrite = storeWrite;
        this.move = move;
    }

    /** Current balloon size in pages. */
    public long size() {
        return size;
    }

    /**
     * Moves the balloon to {@link BalloonTarget#balloonPages}; returns whether it got there (false:
     * RETRY after 1 s). Nothing is written when the size already matches.
     */
    public boolean adjust(long staticMaxKiB, long videoramKiB, long targetKiB) {
        long want = BalloonTarget.balloonPages(staticMaxKiB, videoramKiB, targetKiB);
        if (want == size) {
            return true;
        }
        storeWrite.accept(BALLOON_ACTIVE, "1");
        try {
            size = move.applyAsLong(want);
        } finally {
            storeWrite.accept(BALLOON_ACTIVE, "0");
        }
        return size == want;
    }
}
