package org.xenpv.xenstore.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Payload helpers for the NUL-separated string convention of {@code xen/io/xs_wire.h} /
 * {@code docs/misc/xenstore.txt}. Strings are mapped byte-for-byte with ISO-8859-1 so arbitrary
 * (non-UTF-8) tokens and paths round-trip exactly.
 */
public final class XsPayload {

    private XsPayload() {
    }

    /** Each string followed by a NUL. */
    public static byte[] strings(String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : strings) {
            out.writeBytes(bytes(s));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** {@code path\0value} with the value not NUL-terminated (WRITE request). */
    public static byte[] pathAndValue(String path, byte[] value) {
        byte[] p = bytes(path);
        byte[] out = new byte[p.length + 1 + value.length];
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(value, 0, out, p.length + 1, value.length);
        return out;
    }

    /**
     * The NUL-terminated strings at the start of the payload, in order; bytes after the last NUL are
     * ignored ({@code get_strings()} in xenstored_core.c).
     */
    public static List<String> split(byte[] payload) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                out.add(new String(payload, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return out;
    }

    /** Number of NUL bytes ({@code xs_count_strings()}). */
    public static int countNuls(byte[] payload) {
        int n = 0;
        for (byte b : payload) {
            if (b == 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * The single argument of a one-argument request, or {@code null} unless the payload contains
     * exactly one NUL and it is the last byte ({@code onearg()}).
     */
    public static String oneArg(byte[] payload) {
        if (payload.length == 0 || indexOfNul(payload, 0) != payload.length - 1) {
            return null;
        }
        return new String(payload, 0, payload.length - 1, StandardCharsets.ISO_8859_1);
    }

    /** Index of the first NUL at or after {@code from}, or -1. */
    public static int indexOfNul(byte[] payload, int from) {
        for (int i = from; i < payload.length; i++) {
            if (payload[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The C string starting at {@code from} (up to the first NUL or the end). */
    public static String cString(byte[] payload, int from) {
        int end = indexOfNul(payload, from);
        if (end < 0) {
            end = payload.length;
        }
        return new String(payload, from, Math.max(0, end - from), StandardCharsets.ISO_8859_1);
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The payload with every NUL shown as a space (cxenstored {@code trace_io()}). */
    public static String printable(byte[] payload) {
        StringBuilder sb = new StringBuilder(payload.length);
        for (byte b : payload) {
            sb.append(b == 0 ? ' ' : (char) (b & 0xff));
        }
        return sb.toString();
    }
}
