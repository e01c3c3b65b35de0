package org.xenpv.core.ring;

/**
 * Range checks for narrow C fields held in Java {@code int}s, used by the entry records' constructors so
 * that a value that cannot be encoded is refused when it is made, naming the field.
 */
public final class Fields {

    private Fields() {
    }

    /** A {@code uint8_t}: 0..255. */
    public static int u8(String field, int v) {
        if ((v & ~0xff) != 0) {
            throw new IllegalArgumentException(field + " is a uint8_t: " + v + " out of range 0..255");
        }
        return v;
    }

    /** A {@code uint16_t}: 0..65535. */
    public static int u16(String field, int v) {
        if ((v & ~0xffff) != 0) {
            throw new IllegalArgumentException(field + " is a uint16_t: " + v + " out of range 0..65535");
        }
        return v;
    }

    /** An {@code int16_t}: -32768..32767. */
    public static int s16(String field, int v) {
        if (v != (short) v) {
            throw new IllegalArgumentException(field + " is an int16_t: " + v + " out of range -32768..32767");
        }
        return v;
    }

    /** A byte array of exactly {@code length} bytes, copied. */
    public static byte[] bytes(String field, byte[] v, int length) {
        if (v == null) {
            return new byte[length];
        }
        if (v.length != length) {
            throw new IllegalArgumentException(field + " must be " + length + " bytes, got " + v.length);
        }
        return v.clone();
    }

    /** Lower-case hex of {@code b}. */
    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }
}
