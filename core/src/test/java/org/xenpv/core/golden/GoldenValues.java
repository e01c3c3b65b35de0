package org.xenpv.core.golden;

import org.xenpv.core.mem.MemoryView;

/**
 * The value functions of {@code golden.h}, bit for bit: what the C golden programs write into field
 * {@code f} of entry {@code k}, and the background byte of a fresh page.
 */
public final class GoldenValues {

    private GoldenValues() {
    }

    /** {@code gv(k, f)}: a 32-bit mix in pure u32 arithmetic. */
    public static int gv(int k, int f) {
        int x = k * 0x9E3779B1 + f * 0x85EBCA77 + 0x165667B1;
        x ^= x >>> 15;
        x *= 0x2C1B3C6D;
        x ^= x >>> 12;
        x *= 0x297A2D39;
        x ^= x >>> 15;
        return x;
    }

    /** {@code gv64(k, f)}. */
    public static long gv64(int k, int f) {
        return ((long) gv(k, f) << 32) | Integer.toUnsignedLong(gv(k, f + 1000));
    }

    /** {@code g_background(i)}. */
    public static byte background(int i) {
        return (byte) (i * 7 + 0x5A);
    }

    /** Fills {@code bytes} bytes of {@code view} with the background pattern. */
    public static void fillBackground(MemoryView view, int bytes) {
        for (int i = 0; i < bytes; i++) {
            view.putByte(i, background(i));
        }
    }
}
