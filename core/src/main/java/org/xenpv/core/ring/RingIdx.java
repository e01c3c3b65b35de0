package org.xenpv.core.ring;

/**
 * Arithmetic on {@code RING_IDX} values ({@code typedef unsigned int RING_IDX} in {@code io/ring.h}).
 *
 * <p>Indices are free-running u32 counters held in Java {@code int}s: subtraction wraps exactly as C's
 * unsigned arithmetic does, but comparisons of distances must be unsigned. Every predicate of the ring
 * macros goes through here so that a producer index past {@code 2^32} behaves as it does in C.
 */
public final class RingIdx {

    private RingIdx() {
    }

    /** {@code (RING_IDX)(to - from)}: how far {@code to} is ahead of {@code from}, as an unsigned count. */
    public static long distance(int from, int to) {
        return Integer.toUnsignedLong(to - from);
    }

    /** Unsigned {@code a < b}. */
    public static boolean lessThan(int a, int b) {
        return Integer.compareUnsigned(a, b) < 0;
    }

    /**
     * The notification test of {@code RING_PUSH_*_AND_CHECK_NOTIFY}:
     * {@code (RING_IDX)(new - event) < (RING_IDX)(new - old)}, true iff the peer's event index lies in
     * {@code (old, new]} modulo 2^32.
     */
    public static boolean needsNotify(int oldProd, int newProd, int event) {
        return Integer.compareUnsigned(newProd - event, newProd - oldProd) < 0;
    }

    /** Whether index {@code idx} lies in the half-open window {@code [from, to)} modulo 2^32. */
    public static boolean inWindow(int idx, int from, int to) {
        return Integer.compareUnsigned(idx - from, to - from) < 0;
    }

    /** Unsigned decimal rendering, as C's {@code %u}. */
    public static String str(int idx) {
        return Integer.toUnsignedString(idx);
    }
}
