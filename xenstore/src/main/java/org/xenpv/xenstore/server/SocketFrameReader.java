package org.xenpv.xenstore.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsProtocolException;

/**
 * Splits the byte stream of one socket connection into {@code xsd_sockmsg} frames
 * ({@code xen/io/xs_wire.h}: 16-byte little-endian header, then {@code len} payload bytes), like
 * cxenstored 4.17's {@code handle_input()}: a header announcing more than {@code XENSTORE_PAYLOAD_MAX}
 * (4096) bytes is a protocol error ({@code XENSTORE_ERROR_PROTO}) as soon as the header is complete, and
 * the reader then refuses everything after it. Frames are handed out one by one, in order, while the
 * bytes are parsed, so a request is processed (and answered) before the next one is even decoded.
 *
 * <p>Bytes of an incomplete frame are kept in a buffer that never exceeds one frame (4112 bytes): a
 * client cannot make the server buffer more than that per connection on the input side. Confined to the
 * connection's event loop.
 */
final class SocketFrameReader {

    /** Receives complete frames. */
    @FunctionalInterface
    interface FrameSink {
        /** @return false to stop parsing (the connection is going away) */
        boolean frame(XsMessage msg);
    }

    private static final int MAX_FRAME = XsHeader.SIZE + XsHeader.PAYLOAD_MAX;

    private ByteBuf partial;
    private XsProtocolException failure;

    /**
     * Consumes {@code in} (not released here) and hands every frame it completes to {@code sink}.
     *
     * @throws XsProtocolException on a header with {@code len > 4096} (then and on every later call)
     */
    void read(ByteBuf in, ByteBufAllocator alloc, FrameSink sink) throws XsProtocolException {
        if (failure != null) {
            throw failure;
        }
        if (partial != null) {
            // Complete the pending frame from the new bytes first.
            int need = missing(partial);
            while (need > 0 && in.isReadable()) {
                int n = Math.min(need, in.readableBytes());
                partial.writeBytes(in, n);
                need = missing(partial);
            }
            if (need > 0) {
                return;
            }
            ByteBuf p = partial;
            partial = null;
            try {
                if (!sink.frame(decode(p))) {
                    return;
                }
            } finally {
                p.release();
            }
        }
        while (in.isReadable()) {
            int need = missing(in);
            if (need > 0) {
                partial = alloc.heapBuffer(Math.min(MAX_FRAME, Math.max(in.readableBytes() + need, XsHeader.SIZE)));
                partial.writeBytes(in);
                return;
            }
            if (!sink.frame(decode(in))) {
                return;
            }
        }
    }

    /**
     * Bytes still missing for the frame at {@code buf}'s reader index: 0 if it is complete. Checks the
     * header's length as soon as the header is there.
     */
    private int missing(ByteBuf buf) throws XsProtocolException {
        int avail = buf.readableBytes();
        if (avail < XsHeader.SIZE) {
            return XsHeader.SIZE - avail;
        }
        int start = buf.readerIndex();
        long len = Integer.toUnsignedLong(buf.getIntLE(start + 12));
        if (len > XsHeader.PAYLOAD_MAX) {
            failure = new XsProtocolException(XsProtocolException.ERROR_PROTO, "xenstore frame: header len " + len
                    + " > XENSTORE_PAYLOAD_MAX " + XsHeader.PAYLOAD_MAX + " (type "
                    + Integer.toUnsignedString(buf.getIntLE(start)) + ", req_id "
                    + Integer.toUnsignedString(buf.getIntLE(start + 4)) + ")");
            throw failure;
        }
        return (int) Math.max(0, XsHeader.SIZE + len - avail);
    }

    /** Reads one complete frame at the reader index. */
    private static XsMessage decode(ByteBuf buf) {
        int type = buf.readIntLE();
        int reqId = buf.readIntLE();
        int txId = buf.readIntLE();
        int len = buf.readIntLE();
        byte[] payload = new byte[len];
        buf.readBytes(payload);
        return new XsMessage(type, reqId, txId, payload);
    }

    /** True while part of a frame is buffered. */
    boolean inFrame() {
        return partial != null;
    }

    /** Frees the buffered partial frame (connection closed). */
    void release() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }
}
