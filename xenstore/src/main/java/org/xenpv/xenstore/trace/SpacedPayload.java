package org.xenpv.xenstore.trace;

import org.xenpv.xenstore.wire.XsType;

/**
 * Payloads in text traces that show each NUL byte as a space (cxenstored {@code trace_io()},
 * oxenstored {@code sanitize_data}). Turning such text back into bytes needs the message's shape
 * (rules in {@code docs/traces.md}, section "Payload reconstruction"):
 * <ul>
 * <li>{@link Shape#STRINGS}: NUL-terminated strings that cannot hold spaces (paths, tokens, domids,
 *     permissions, transaction ids, error names): every space is a NUL.</li>
 * <li>{@link Shape#PATH_VALUE}: the WRITE request {@code path\0value}: the first space ends the path
 *     (a path cannot contain a space), the rest is the raw value, spaces kept.</li>
 * <li>{@link Shape#RAW}: the READ reply, a raw value without NUL: kept as shown.</li>
 * <li>{@link Shape#TEXT}: the CONTROL reply, free text plus a terminating NUL: a final space is the NUL.</li>
 * </ul>
 */
final class SpacedPayload {

    enum Shape { STRINGS, PATH_VALUE, RAW, TEXT }

    private SpacedPayload() {
    }

    static Shape shape(Direction dir, int type) {
        if (dir == Direction.IN && type == XsType.WRITE.code()) {
            return Shape.PATH_VALUE;
        }
        if (dir == Direction.OUT && type == XsType.READ.code()) {
            return Shape.RAW;
        }
        if (dir == Direction.OUT && type == XsType.CONTROL.code()) {
            return Shape.TEXT;
        }
        return Shape.STRINGS;
    }

    /**
     * Bytes for the shown text (one char per byte).
     *
     * @param truncated the trace cut the text: the result is {@link Payload.Fidelity#TRUNCATED}
     */
    static Payload decode(String shown, Direction dir, int type, boolean truncated) {
        Shape shape = shape(dir, type);
        char[] c = shown.toCharArray();
        boolean ambiguous = false;
        switch (shape) {
            case STRINGS -> spacesToNul(c, 0, c.length);
            case PATH_VALUE -> {
                int sp = shown.indexOf(' ');
                if (sp >= 0) {
                    c[sp] = '\0';
                    ambiguous = shown.indexOf(' ', sp + 1) >= 0;
                }
            }
            case RAW -> ambiguous = shown.indexOf(' ') >= 0;
            case TEXT -> {
                int end = c.length;
                if (end > 0 && c[end - 1] == ' ' && !truncated) {
                    c[end - 1] = '\0';
                    end--;
                }
                ambiguous = shown.lastIndexOf(' ', end - 1) >= 0;
            }
        }
        Payload.Fidelity f = truncated ? Payload.Fidelity.TRUNCATED
                : ambiguous ? Payload.Fidelity.SPACE_OR_NUL : Payload.Fidelity.EXACT;
        return Payload.ofLatin1(new String(c), f);
    }

    /** The text a trace shows for these bytes: each NUL as a space. */
    static String encode(Payload p) {
        return p.latin1().replace('\0', ' ');
    }

    private static void spacesToNul(char[] c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (c[i] == ' ') {
                c[i] = '\0';
            }
        }
    }
}
