package org.xenpv.xenstore.trace;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * An immutable byte string: a message payload exactly as it went over the wire ({@code xs_wire.h}
 * framing, strings NUL-terminated), or the raw bytes of a trace line, together with how faithfully a
 * trace could tell the bytes ({@link Fidelity}).
 */
public final class Payload {

    /** How sure the reconstruction of these bytes from a trace is. */
    public enum Fidelity {
        /** The bytes are exactly what was on the wire. */
        EXACT,
        /**
         * The trace shows NULs as spaces and at least one space inside a value could have been a NUL
         * (rule in {@code docs/traces.md}: such spaces are kept as spaces).
         */
        SPACE_OR_NUL,
        /** The trace cut the data (oxenstored's 180-character line limit): the bytes are a prefix. */
        TRUNCATED
    }

    public static final Payload EMPTY = new Payload(new byte[0], Fidelity.EXACT);

    private final byte[] bytes;
    private final Fidelity fidelity;

    private Payload(byte[] bytes, Fidelity fidelity) {
        this.bytes = bytes;
        this.fidelity = fidelity;
    }

    public static Payload of(byte[] bytes) {
        return new Payload(bytes.clone(), Fidelity.EXACT);
    }

    public static Payload of(byte[] bytes, Fidelity fidelity) {
        return new Payload(bytes.clone(), fidelity);
    }

    /** The bytes of a text, each char taken as one byte (ISO-8859-1, so any byte survives). */
    static Payload ofLatin1(String s, Fidelity fidelity) {
        return new Payload(s.getBytes(StandardCharsets.ISO_8859_1), fidelity);
    }

    /** UTF-8 bytes of {@code s}, with {@code \0} in {@code s} being NUL bytes. */
    public static Payload utf8(String s) {
        return new Payload(s.getBytes(StandardCharsets.UTF_8), Fidelity.EXACT);
    }

    public static Payload fromBase64(String b64, Fidelity fidelity) {
        return new Payload(Base64.getDecoder().decode(b64), fidelity);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    public byte byteAt(int i) {
        return bytes[i];
    }

    public Fidelity fidelity() {
        return fidelity;
    }

    public boolean exact() {
        return fidelity == Fidelity.EXACT;
    }

    public Payload withFidelity(Fidelity f) {
        return f == fidelity ? this : new Payload(bytes, f);
    }

    /** The bytes as ISO-8859-1 text (one char per byte), for trace writers. */
    String latin1() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Readable form: UTF-8 (malformed sequences replaced), NULs kept as {@code \0} chars. */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * The NUL-terminated strings of the payload in order ({@code xs_wire.h}: "strings are
     * NUL-terminated"). Bytes after the last NUL form a final element only if non-empty, so
     * {@code "/t\0tok\0"} gives {@code [/t, tok]} and {@code "/t\0v"} gives {@code [/t, v]}.
     */
    public List<String> strings() {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                out.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            out.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The first NUL-terminated string (or the whole payload if it has no NUL). */
    public String firstString() {
        int i = 0;
        while (i < bytes.length && bytes[i] != 0) {
            i++;
        }
        return new String(bytes, 0, i, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload p && p.fidelity == fidelity && Arrays.equals(p.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + fidelity.hashCode();
    }

    /** Debug rendering: the bytes with NULs as {@code \0}, cut at 80 chars. */
    @Override
    public String toString() {
        String t = text().replace("\0", "\\0");
        if (t.length() > 80) {
            t = t.substring(0, 77) + "...";
        }
        return '"' + t + '"' + (fidelity == Fidelity.EXACT ? "" : "(" + fidelity + ")");
    }
}
