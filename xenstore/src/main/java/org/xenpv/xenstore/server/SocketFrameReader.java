package org.xenpv.xenstore.server;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
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
 * <p>Bytes of an incomplete frame (libxenstore writes header and payload with separate system calls, so
 * the header often arrives alone) are kept in one array of the connection that never exceeds one frame
 * (4112 bytes): a client cannot make the server buffer more than that per connection on the input side,
 * and nothing is allocated per partial frame. Complete frames are decoded straight from the socket's
 * buffer into the message's payload array (one copy). Confined to the connection's event loop.
 */
final class SocketFrameReader {

    /** Receives complete frames. */
    @FunctionalInterface
    interface FrameSink {
        /** @return false to stop parsing (the connection is going away) */
        boolean frame(XsMessage msg);
    }

    private static final int MAX_FRAME = XsHeader.SIZE + XsHeader.PAYLOAD_MAX;
    private static final byte[] EMPTY = new byte[0];

    /** The incomplete frame's bytes so far ({@link #partialLen} of them); allocated at the first one. */
    private byte[] partial;
    private int partialLen;
    private XsProtocolException failure;

    /**
     * Consumes {@code in} (not released here) and hands every frame it completes to {@code sink}.
     *
     * @throws XsProtocolException on a header with {@code len > 4096} (then and on every later call)
     */
    void read(ByteBuf in, FrameSink sink) throws XsProtocolException {
        if (failure != null) {
            throw failure;
        }
        if (partialLen > 0) {
            // Complete the pending frame from the new bytes first: the header, then as much payload as it says.
            if (partialLen < XsHeader.SIZE) {
                take(in, XsHeader.SIZE - partialLen);
                if (partialLen < XsHeader.SIZE) {
                    return;
                }
            }
            int len = checkedLength(partial, 0);
            take(in, XsHeader.SIZE + len - partialLen);
            if (partialLen < XsHeader.SIZE + len) {
                return;
            }
            partialLen = 0;
            byte[] payload = len == 0 ? EMPTY : Arrays.copyOfRange(partial, XsHeader.SIZE, XsHeader.SIZE + len);
            if (!sink.frame(XsMessage.wrap(intLE(partial, 0), intLE(partial, 4), intLE(partial, 8), payload))) {
                return;
            }
        }
        while (in.isReadable()) {
            int avail = in.readableBytes();
            if (avail < XsHeader.SIZE) {
                take(in, avail);
                return;
            }
            int start = in.readerIndex();
            int len = checkLength(in.getIntLE(start + 12), in.getIntLE(start), in.getIntLE(start + 4));
            if (avail < XsHeader.SIZE + len) {
                take(in, avail);
                return;
            }
            int type = in.readIntLE();
            int reqId = in.readIntLE();
            int txId = in.readIntLE();
            in.skipBytes(4);
            byte[] payload = len == 0 ? EMPTY : new byte[len];
            in.readBytes(payload);
            if (!sink.frame(XsMessage.wrap(type, reqId, txId, payload))) {
                return;
            }
        }
    }

    /** Moves up to {@code n} bytes of {@code in} to the partial frame. */
    private void take(ByteBuf in, int n) {
        int k = Math.min(n, in.readableBytes());
        if (partial == null) {
            partial = new byte[MAX_FRAME];
        }
        in.readBytes(partial, partialLen, k);
        partialLen += k;
    }

    private int checkedLength(byte[] b, int at) throws XsProtocolException {
        return checkLength(intLE(b, at + 12), intLE(b, at), intLE(b, at + 4));
    }

    /** The header's {@code len}, or the protocol error once it exceeds XENSTORE_PAYLOAD_MAX. */
    private int checkLength(int rawLen, int type, int reqId) throws XsProtocolException {
        long len = Integer.toUnsignedLong(rawLen);
        if (len > XsHeader.PAYLOAD_MAX) {
            failure = new XsProtocolException(XsProtocolException.ERROR_PROTO, "xenstore frame: header len " + len
                    + " > XENSTORE_PAYLOAD_MAX " + XsHeader.PAYLOAD_MAX + " (type "
                    + Integer.toUnsignedString(type) + ", req_id " + Integer.toUnsignedString(reqId) + ")");
            throw failure;
        }
        return (int) len;
    }

    private static int intLE(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /** True while part of a frame is buffered. */
    boolean inFrame() {
        return partialLen > 0;
    }

    /** Drops the buffered partial frame (connection closed). */
    void release() {
        partial = null;
        partialLen = 0;
    }
}
