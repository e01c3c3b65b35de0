package org.xenpv.xenstore.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Byte-string helpers for xenstore payloads, which are bytes, not text: values may hold NULs and
 * any other byte (reference §1.1). The quoted form is the one transcripts and op scripts use:
 * printable ASCII as is, and the escapes {@code \0 \\ \" \n \t \xNN}.
 */
public final class XsBytes {

    private XsBytes() {
    }

    /** ISO-8859-1 bytes of {@code s}: every char below 256 becomes one byte. */
    public static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code s} followed by a NUL, the wire form of a string argument. */
    public static byte[] nulTerminated(String s) {
        byte[] b = latin1(s);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** Each argument followed by a NUL, concatenated ({@code path\0token\0}). */
    public static byte[] strings(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String a : args) {
            out.writeBytes(nulTerminated(a));
        }
        return out.toByteArray();
    }

    /** {@code b} in double quotes with the escapes described in the class comment. */
    public static String quote(byte[] b) {
        return quote(b, 0, b.length);
    }

    public static String quote(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from + 2).append('"');
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case 0 -> sb.append("\\0");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * Decodes the escapes of {@link #quote} (without the surrounding quotes) plus {@code \s}
     * (space) and {@code \{N:text}} ({@code text} repeated N times, for long values).
     *
     * @throws IllegalArgumentException naming the offending position for a bad escape
     */
    public static byte[] unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c != '\\') {
                if (c > 0xff) {
                    throw new IllegalArgumentException("character U+" + Integer.toHexString(c) + " at " + (i - 1)
                            + " is not a byte; use \\xNN");
                }
                out.write(c);
                continue;
            }
            if (i >= s.length()) {
                throw new IllegalArgumentException("dangling backslash at end of " + quoteText(s));
            }
            char e = s.charAt(i++);
            switch (e) {
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case '"' -> out.write('"');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 's' -> out.write(' ');
                case 'x' -> {
                    if (i + 2 > s.length()) {
                        throw new IllegalArgumentException("\\x needs two hex digits at " + (i - 2) + " in "
                                + quoteText(s));
                    }
                    int hi = Character.digit(s.charAt(i), 16);
                    int lo = Character.digit(s.charAt(i + 1), 16);
                    if (hi < 0 || lo < 0) {
                        throw new IllegalArgumentException("bad hex digits '" + s.substring(i, i + 2) + "' at " + i
                                + " in " + quoteText(s));
                    }
                    out.write(hi << 4 | lo);
                    i += 2;
                }
                case '{' -> {
                    int colon = s.indexOf(':', i);
                    int close = findClose(s, colon + 1);
                    if (colon < 0 || close < 0) {
                        throw new IllegalArgumentException("\\{N:text} not closed at " + (i - 2) + " in "
                                + quoteText(s));
                    }
                    int n;
                    try {
                        n = Integer.parseInt(s.substring(i, colon));
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException("bad repeat count '" + s.substring(i, colon) + "' at " + i
                                + " in " + quoteText(s), ex);
                    }
                    byte[] unit = unescape(s.substring(colon + 1, close));
                    for (int k = 0; k < n; k++) {
                        out.writeBytes(unit);
                    }
                    i = close + 1;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " at " + (i - 2) + " in "
                        + quoteText(s));
            }
        }
        return out.toByteArray();
    }

    /** Index of the '}' closing a repeat whose text starts at {@code from}, skipping escaped characters. */
    private static int findClose(String s, int from) {
        if (from <= 0) {
            return -1;
        }
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                if (s.charAt(i + 1) == '{') {
                    depth++;
                }
                i++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }

    private static String quoteText(String s) {
        return '"' + s + '"';
    }

    /** Lower-case hex of {@code b}, two digits per byte. */
    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
        }
        return sb.toString();
    }

    /** Parses hex digits (white space ignored) into bytes. */
    public static byte[] parseHex(String s) {
        String h = s.replaceAll("\\s+", "");
        if (h.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits in '" + s + "'");
        }
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(h.charAt(2 * i), 16);
            int lo = Character.digit(h.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("bad hex digits '" + h.substring(2 * i, 2 * i + 2) + "' in '" + s
                        + "'");
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
