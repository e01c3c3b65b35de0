package org.xenpv.xenstore.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.xenpv.xenstore.wire.XsError;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/**
 * One message as a client sees it on the wire: the {@code xsd_sockmsg} header and exactly
 * {@code header.len()} payload bytes ({@code xen/io/xs_wire.h}; reference §1.1). Nothing is
 * interpreted on construction, so malformed messages survive for tests to look at.
 */
public record XsSocketMessage(XsHeader header, byte[] payload) {

    public XsSocketMessage {
        Objects.requireNonNull(header, "header");
        payload = payload.clone();
    }

    /** A message whose header {@code len} is the payload length. */
    public static XsSocketMessage of(int type, int reqId, int txId, byte[] payload) {
        return new XsSocketMessage(new XsHeader(type, reqId, txId, payload.length), payload);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public int type() {
        return header.type();
    }

    public int reqId() {
        return header.reqId();
    }

    public int txId() {
        return header.txId();
    }

    /** The known type, or {@code null} for a number outside {@code xsd_sockmsg_type}. */
    public XsType knownType() {
        return header.knownType();
    }

    public boolean isWatchEvent() {
        return header.type() == XsType.WATCH_EVENT.code();
    }

    public boolean isError() {
        return header.type() == XsType.ERROR.code();
    }

    /** The error name of an ERROR reply without its NUL ({@code "ENOENT"}), else {@code null}. */
    public String errorName() {
        if (!isError()) {
            return null;
        }
        int end = payload.length > 0 && payload[payload.length - 1] == 0 ? payload.length - 1 : payload.length;
        return new String(payload, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** The error of an ERROR reply, {@code null} if this is no ERROR or names an unknown error. */
    public XsError error() {
        String name = errorName();
        return name == null ? null : XsError.parse(name);
    }

    /**
     * The payload split at NULs, as the daemon's {@code get_strings()} does: every NUL ends a
     * string; bytes after the last NUL form a final unterminated string (kept, so that WRITE
     * payloads and malformed messages round-trip).
     */
    public List<byte[]> strings() {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                out.add(Arrays.copyOfRange(payload, start, i));
                start = i + 1;
            }
        }
        if (start < payload.length) {
            out.add(Arrays.copyOfRange(payload, start, payload.length));
        }
        return out;
    }

    /** {@link #strings()} decoded as ISO-8859-1 (byte-preserving). */
    public List<String> stringList() {
        return strings().stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).toList();
    }

    /** The header followed by the payload, as sent on a socket or ring. */
    public byte[] toBytes() {
        byte[] h = header.toBytes();
        byte[] out = Arrays.copyOf(h, h.length + payload.length);
        System.arraycopy(payload, 0, out, h.length, payload.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XsSocketMessage m && header.equals(m.header) && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return header.hashCode() * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        XsType t = knownType();
        return (t == null ? "type " + Integer.toUnsignedString(type()) : t.name()) + " req=" + reqId()
                + " tx=" + txId() + " " + XsBytes.quote(payload);
    }
}
