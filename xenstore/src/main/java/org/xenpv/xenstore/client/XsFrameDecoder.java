package org.xenpv.xenstore.client;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.xenpv.xenstore.wire.XsHeader;

/**
 * Splits a byte stream (socket or ring) into {@code xsd_sockmsg} frames: 16-byte header, then
 * {@code len} payload bytes (reference §1.1). Bytes may arrive in any chunking. A header announcing
 * more than {@link XsHeader#PAYLOAD_MAX} bytes is a protocol violation by the daemon: the decoder
 * reports it and refuses further input, as the frame boundary is lost.
 */
public final class XsFrameDecoder {

    private final String source;
    private byte[] buf = new byte[XsHeader.SIZE + XsHeader.PAYLOAD_MAX];
    private int used;
    private long offset;
    private String broken;

    /** @param source names the stream in error messages (connection name, ring) */
    public XsFrameDecoder(String source) {
        this.source = source;
    }

    /**
     * Consumes {@code len} bytes and returns the messages they complete, in order.
     *
     * @throws XsProtocolException if a header announces an oversize payload (then and ever after)
     */
    public List<XsSocketMessage> feed(byte[] data, int off, int len) throws XsProtocolException {
        if (broken != null) {
            throw new XsProtocolException(broken);
        }
        if (used + len > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, used + len));
        }
        System.arraycopy(data, off, buf, used, len);
        used += len;
        List<XsSocketMessage> out = new ArrayList<>();
        int pos = 0;
        while (used - pos >= XsHeader.SIZE) {
            XsHeader h = XsHeader.decode(ByteBuffer.wrap(buf, pos, XsHeader.SIZE));
            if (h.unsignedLen() > XsHeader.PAYLOAD_MAX) {
                broken = source + ": message at stream offset " + (offset + pos) + " announces " + h.unsignedLen()
                        + " payload bytes (type " + Integer.toUnsignedString(h.type()) + ", req_id "
                        + Integer.toUnsignedString(h.reqId()) + "), more than XENSTORE_PAYLOAD_MAX "
                        + XsHeader.PAYLOAD_MAX;
                throw new XsProtocolException(broken);
            }
            int total = XsHeader.SIZE + h.len();
            if (used - pos < total) {
                break;
            }
            out.add(new XsSocketMessage(h, Arrays.copyOfRange(buf, pos + XsHeader.SIZE, pos + total)));
            pos += total;
        }
        System.arraycopy(buf, pos, buf, 0, used - pos);
        used -= pos;
        offset += pos;
        return out;
    }

    /** Bytes of an incomplete message held back, waiting for the rest. */
    public int pending() {
        return used;
    }
}
