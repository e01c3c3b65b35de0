package org.xenpv.xenstore.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental decoder of {@code xsd_sockmsg} frames from a byte stream (socket or ring), byte-exact with
 * cxenstored 4.17's {@code handle_input()}: the 16-byte header is read first and a {@code len} above
 * {@link XsHeader#PAYLOAD_MAX} is a protocol error raised as soon as the header is complete, before any
 * payload is read. After an error the decoder stays failed; the caller drops the connection.
 * Not thread-safe; one decoder per connection.
 */
public final class XsFrameDecoder {

    private final byte[] header = new byte[XsHeader.SIZE];
    private int headerUsed;
    private XsHeader current;
    private byte[] body;
    private int bodyUsed;
    private XsProtocolException failure;

    /**
     * Consumes all bytes remaining in {@code in} and returns the messages completed by them, in order.
     *
     * @throws XsProtocolException if a header announces more than 4096 payload bytes (then and on every
     *                             later call)
     */
    public List<XsMessage> decode(ByteBuffer in) throws XsProtocolException {
        if (failure != null) {
            throw failure;
        }
        List<XsMessage> out = new ArrayList<>(1);
        while (in.hasRemaining()) {
            if (current == null) {
                int n = Math.min(in.remaining(), XsHeader.SIZE - headerUsed);
                in.get(header, headerUsed, n);
                headerUsed += n;
                if (headerUsed < XsHeader.SIZE) {
                    break;
                }
                current = XsHeader.decode(ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN));
                headerUsed = 0;
                if (current.unsignedLen() > XsHeader.PAYLOAD_MAX) {
                    failure = new XsProtocolException(XsProtocolException.ERROR_PROTO,
                            "xenstore frame: header len " + current.unsignedLen() + " > XENSTORE_PAYLOAD_MAX "
                                    + XsHeader.PAYLOAD_MAX + " (type " + Integer.toUnsignedString(current.type()) + ")");
                    throw failure;
                }
                body = new byte[current.len()];
                bodyUsed = 0;
            }
            int n = Math.min(in.remaining(), body.length - bodyUsed);
            in.get(body, bodyUsed, n);
            bodyUsed += n;
            if (bodyUsed == body.length) {
                out.add(new XsMessage(current.type(), current.reqId(), current.txId(), body));
                current = null;
                body = null;
            }
        }
        return out;
    }

    /** Convenience for arrays. */
    public List<XsMessage> decode(byte[] bytes, int offset, int length) throws XsProtocolException {
        return decode(ByteBuffer.wrap(bytes, offset, length));
    }

    /** True while a frame is partially received (header or payload). */
    public boolean inFrame() {
        return headerUsed > 0 || current != null;
    }

    public boolean failed() {
        return failure != null;
    }
}
