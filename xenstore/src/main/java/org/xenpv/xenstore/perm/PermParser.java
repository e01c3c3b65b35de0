package org.xenpv.xenstore.perm;

import java.util.ArrayList;
import java.util.List;
import org.xenpv.xenstore.store.Errno;

/**
 * {@code xs_strings_to_perms()} of libxenstore 4.17 (tools/xenstore/xs_lib.c) as used by SET_PERMS:
 * {@code num} consecutive NUL-terminated strings, each a letter {@code r w b n} followed by a number that
 * {@code strtol(.., 0)} must consume completely (so "0x10" and "010" are hex and octal, "-1" is 0xffffffff).
 */
public final class PermParser {

    /** Result: the parsed list, or the errno of the failure; {@code erange} mirrors strtol setting ERANGE. */
    public record Result(List<Perm> perms, int errno, boolean erange) {
        public boolean ok() {
            return perms != null;
        }
    }

    private PermParser() {
    }

    /**
     * Parses {@code num} strings starting at {@code offset} of {@code buf} (the bytes must hold at least
     * {@code num} NULs after {@code offset}, which the caller guarantees by counting them first).
     */
    public static Result parse(byte[] buf, int offset, int num) {
        List<Perm> out = new ArrayList<>(num);
        int p = offset;
        boolean erange = false;
        for (int i = 0; i < num; i++) {
            int bits;
            char c = p < buf.length ? (char) (buf[p] & 0xff) : 0;
            switch (c) {
                case 'r' -> bits = Perm.READ;
                case 'w' -> bits = Perm.WRITE;
                case 'b' -> bits = Perm.READ | Perm.WRITE;
                case 'n' -> bits = Perm.NONE;
                default -> {
                    return new Result(null, Errno.EINVAL, erange);
                }
            }
            p++;
            Strtol r = strtol(buf, p);
            erange |= r.erange;
            if (r.end >= buf.length || buf[r.end] != 0 || p >= buf.length || buf[p] == 0) {
                return new Result(null, Errno.EINVAL, erange);
            }
            out.add(new Perm((int) r.value, bits));
            p = r.end + 1;
        }
        return new Result(out, 0, erange);
    }

    /** Outcome of {@link #strtol}: value as C {@code long}, index of the first unparsed byte, overflow flag. */
    public record Strtol(long value, int end, boolean erange) {
    }

    /**
     * glibc {@code strtol(s, &end, 0)} on a NUL-terminated byte string starting at {@code start}: optional
     * white space, optional sign, "0x"/"0X" prefix for hex, leading "0" for octal; on overflow the value
     * saturates at LONG_MAX/LONG_MIN and ERANGE is flagged; with no digits {@code end == start}.
     */
    public static Strtol strtol(byte[] s, int start) {
        int i = start;
        while (i < s.length && isSpace(s[i])) {
            i++;
        }
        boolean neg = false;
        if (i < s.length && (s[i] == '+' || s[i] == '-')) {
            neg = s[i] == '-';
            i++;
        }
        int base = 10;
        if (i < s.length && s[i] == '0') {
            if (i + 1 < s.length && (s[i + 1] == 'x' || s[i + 1] == 'X') && i + 2 < s.length && digit(s[i + 2], 16) >= 0) {
                base = 16;
                i += 2;
            } else {
                base = 8;
            }
        }
        int digitsStart = i;
        java.math.BigInteger acc = java.math.BigInteger.ZERO;
        java.math.BigInteger b = java.math.BigInteger.valueOf(base);
        while (i < s.length && digit(s[i], base) >= 0) {
            acc = acc.multiply(b).add(java.math.BigInteger.valueOf(digit(s[i], base)));
            i++;
        }
        if (i == digitsStart) {
            return new Strtol(0, start, false);
        }
        if (neg) {
            acc = acc.negate();
        }
        boolean range = false;
        long v;
        if (acc.compareTo(java.math.BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
            v = Long.MAX_VALUE;
            range = true;
        } else if (acc.compareTo(java.math.BigInteger.valueOf(Long.MIN_VALUE)) < 0) {
            v = Long.MIN_VALUE;
            range = true;
        } else {
            v = acc.longValue();
        }
        return new Strtol(v, i, range);
    }

    /** glibc {@code atoi()} = {@code (int) strtol(s, NULL, 10)} on the string {@code s}. */
    public static int atoi(String s) {
        byte[] b = (s + "\0").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int i = 0;
        while (i < b.length && isSpace(b[i])) {
            i++;
        }
        boolean neg = false;
        if (i < b.length && (b[i] == '+' || b[i] == '-')) {
            neg = b[i] == '-';
            i++;
        }
        long acc = 0;
        boolean sat = false;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            if (!sat) {
                acc = acc * 10 + (b[i] - '0');
                if (acc > (1L << 62)) {
                    sat = true;
                }
            }
            i++;
        }
        long v = sat ? (neg ? Long.MIN_VALUE : Long.MAX_VALUE) : (neg ? -acc : acc);
        return (int) v;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    private static int digit(byte c, int base) {
        int d;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'a' && c <= 'z') {
            d = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'Z') {
            d = c - 'A' + 10;
        } else {
            return -1;
        }
        return d < base ? d : -1;
    }
}
