package org.xenpv.xenstore.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One XenStore message: the four {@code struct xsd_sockmsg} fields ({@code xen/io/xs_wire.h}) and the
 * payload bytes. The payload is binary-safe (a WRITE value or a READ reply may contain NULs and is not
 * NUL-terminated) and the message is immutable: the public constructors copy the array in and
 * {@link #payload()} returns a copy. {@code type} is the raw wire number so that unknown types survive
 * (they are answered ENOSYS).
 *
 * <p>A value class with record-style accessors rather than a record so that the transports and the
 * daemon can hand payload arrays over without copying ({@link #wrap}, {@link #sharedPayload}): every
 * request and reply of the socket server would otherwise be copied twice.
 */
public final class XsMessage {

    private static final byte[] EMPTY = new byte[0];

    private final int type;
    private final int reqId;
    private final int txId;
    private final byte[] payload;

    /**
     * @param type    wire type number ({@link XsType#code()} for known types)
     * @param reqId   request id, echoed in the reply; 0 in watch events
     * @param txId    transaction id, echoed in the reply; 0 in watch events
     * @param payload payload bytes (copied; null means empty), at most {@link XsHeader#PAYLOAD_MAX} for
     *                anything put on the wire
     */
    public XsMessage(int type, int reqId, int txId, byte[] payload) {
        this(type, reqId, txId, payload == null ? EMPTY : payload.clone(), true);
    }

    private XsMessage(int type, int reqId, int txId, byte[] payload, boolean noCopy) {
        this.type = type;
        this.reqId = reqId;
        this.txId = txId;
        this.payload = payload;
    }

    /**
     * A message that takes ownership of {@code payload} without copying it: the caller must not modify
     * the array afterwards (it hands over a freshly decoded frame or an immutable node value).
     */
    public static XsMessage wrap(int type, int reqId, int txId, byte[] payload) {
        return new XsMessage(type, reqId, txId, payload == null ? EMPTY : payload, true);
    }

    /** Wire type number. */
    public int type() {
        return type;
    }

    /** Request id (0 in watch events). */
    public int reqId() {
        return reqId;
    }

    /** Transaction id (0 in watch events). */
    public int txId() {
        return txId;
    }

    public XsMessage(XsType type, int reqId, int txId, byte[] payload) {
        this(type.code(), reqId, txId, payload);
    }

    /** A message whose payload is the given strings, each followed by a NUL (the usual request form). */
    public static XsMessage of(XsType type, int reqId, int txId, String... strings) {
        return new XsMessage(type.code(), reqId, txId, XsPayload.strings(strings));
    }

    /** A WRITE request: {@code path\0value}, the value not NUL-terminated (xenstore.txt). */
    public static XsMessage write(int reqId, int txId, String path, byte[] value) {
        return new XsMessage(XsType.WRITE.code(), reqId, txId, XsPayload.pathAndValue(path, value));
    }

    /** Copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    /**
     * The payload array itself, for readers on a hot path (the daemon's request handlers, transports
     * encoding a frame): it must not be modified.
     */
    public byte[] sharedPayload() {
        return payload;
    }

    /** Read-only view of the payload (no copy). */
    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    public int length() {
        return payload.length;
    }

    public byte payloadByte(int index) {
        return payload[index];
    }

    /** The known type, or {@code null} for a number outside {@code enum xsd_sockmsg_type}. */
    public XsType knownType() {
        return XsType.of(type);
    }

    public XsHeader header() {
        return new XsHeader(type, reqId, txId, payload.length);
    }

    /** Header plus payload, as sent on the socket and the ring. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(XsHeader.SIZE + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        header().encode(b);
        b.put(payload);
        return b.array();
    }

    /** The payload as ISO-8859-1 text (byte-for-byte, NULs kept). */
    public String payloadText() {
        return new String(payload, StandardCharsets.ISO_8859_1);
    }

    /** The NUL-terminated strings of the payload ({@code get_strings()}: data after the last NUL is ignored). */
    public java.util.List<String> strings() {
        return XsPayload.split(payload);
    }

    /** A copy with other request id / transaction id (used by clients and replay). */
    public XsMessage withIds(int newReqId, int newTxId) {
        return new XsMessage(type, newReqId, newTxId, payload, true);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XsMessage m && m.type == type && m.reqId == reqId && m.txId == txId
                && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + reqId) * 31 + txId) * 31 + Arrays.hashCode(payload);
    }

    /** {@code TYPE(req=…,tx=…) "payload"} with NULs shown as spaces, as in cxenstored's trace. */
    @Override
    public String toString() {
        XsType t = knownType();
        return (t == null ? "type" + Integer.toUnsignedString(type) : t.name()) + "(req=" + Integer.toUnsignedString(reqId)
                + ",tx=" + Integer.toUnsignedString(txId) + ") \"" + XsPayload.printable(payload) + "\"";
    }
}
