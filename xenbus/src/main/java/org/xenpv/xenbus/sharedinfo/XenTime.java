package org.xenpv.xenbus.sharedinfo;

import java.time.Instant;

/**
 * What {@code SHARED_INFO.GetTime} returns: a Windows {@code LARGE_INTEGER} time (100 ns units since
 * 1601-01-01) and whether the caller should treat it as local time ({@code Local} =
 * {@code !RealTimeIsUniversal}); the reading it came from is kept for diagnostics and tests.
 *
 * @param windowsTime 100 ns intervals since 1601-01-01 (unsigned in the driver; positive for any date
 *                    up to the year 30828)
 * @param local       {@code Local}: the RTC (and so the Xen wallclock) keeps local time
 * @param reading     the consistent shared-info reading and the TSC it was computed from
 */
public record XenTime(long windowsTime, boolean local, TimeReading reading) {

    /** 100 ns intervals per second. */
    public static final long TICKS_PER_SECOND = 10_000_000L;

    /**
     * The time as an {@link Instant}, reading the Windows value as if it were UTC. For a {@link #local}
     * time this is the local wall time written with a {@code Z}, which is what the driver's callers
     * (xenagent's {@code SetLocalTime}) make of it.
     */
    public Instant toInstant() {
        long seconds = Long.divideUnsigned(windowsTime, TICKS_PER_SECOND) - SharedInfoTime.WINDOWS_EPOCH_OFFSET_SECONDS;
        long nanos = Long.remainderUnsigned(windowsTime, TICKS_PER_SECOND) * 100;
        return Instant.ofEpochSecond(seconds, nanos);
    }
}
