package org.xenpv.xenstore.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct xsd_sockmsg}: four little-endian u32s, 16 bytes, before every payload on the socket
 * and on the ring ({@code xen/io/xs_wire.h}). {@code type} is kept raw so that unknown and garbage
 * types survive decoding and can be answered with ENOSYS.
 */
public record XsHeader(int type, int reqId, int txId, int len) {

    public static final int SIZE = 16;
    /** {@code XENSTORE_PAYLOAD_MAX}. */
    public static final int PAYLOAD_MAX = 4096;

    public XsType knownType() {
        return XsType.of(type);
    }

    public void encode(ByteBuffer out) {
        out.order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(reqId).putInt(txId).putInt(len);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        encode(b);
        return b.array();
    }

    /** Decodes 16 bytes at the buffer's position (advancing it). */
    public static XsHeader decode(ByteBuffer in) {
        ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        XsHeader h = new XsHeader(b.getInt(), b.getInt(), b.getInt(), b.getInt());
        in.position(in.position() + SIZE);
        return h;
    }

    /** Length as the unsigned value the C code sees. */
    public long unsignedLen() {
        return Integer.toUnsignedLong(len);
    }
}
