package org.xenpv.xenstore.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsProtocolException;

/**
 * One accepted Unix-socket connection: frames in ({@link SocketFrameReader}), replies and watch events
 * out as {@code xsd_sockmsg} frames. Subclasses decide what the connection is to the daemon
 * ({@link Dom0Session}: a privileged socket client; {@link GuestSession}: a process of an unprivileged
 * guest). Everything runs on the server's single event loop, so calls into the daemon are serialized.
 *
 * <p>Robustness: an exception while handling a connection's input is logged and ends that connection
 * only. Output is written without flushing and flushed once the piece of input that caused it has been
 * processed ({@link OutputFlusher}).
 * Back-pressure: while the socket is not writable (Netty's write-buffer high-water mark) the connection's
 * input is not read, so a client that does not read its replies stops being served; output still queued
 * beyond {@link XsServer.Builder#maxOutputBytes} (watch events caused by others) drops the connection
 * with a warning rather than buffering without bound.
 */
abstract class XsSocketSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(XsSocketSession.class);

    protected final XsServer server;
    private final SocketFrameReader reader = new SocketFrameReader();
    protected Channel channel;
    private boolean ended;
    /** Written to since the last flush ({@link OutputFlusher}). */
    boolean dirty;

    XsSocketSession(XsServer server) {
        this.server = server;
    }

    /** The connection became active: attach to the daemon. */
    protected abstract void opened();

    /**
     * A complete request frame.
     *
     * @return false if the connection is ending and the rest of the input must not be parsed
     */
    protected abstract boolean request(XsMessage msg);

    /** The client broke the framing (header {@code len > 4096}): the connection is about to be closed. */
    protected abstract void protocolError(XsProtocolException e);

    /** The connection ended (either side); detach from the daemon. Called once. */
    protected abstract void closed();

    /** A short description for logs: listener, kind, peer. */
    public abstract String describe();

    @Override
    public final void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        server.sessionOpened(this);
        try {
            opened();
        } catch (RuntimeException e) {
            LOG.error("{}: failed to attach to the daemon; closing", describe(), e);
            channel.close();
        } finally {
            server.afterEngineCall();
        }
        ctx.fireChannelActive();
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (!ended) {
                reader.read(in, m -> !ended && request(m) && channel.isActive());
            }
        } catch (XsProtocolException e) {
            LOG.warn("{}: {}; dropping the connection as cxenstored does (XENSTORE_ERROR_PROTO)", describe(),
                    e.getMessage());
            try {
                protocolError(e);
            } catch (RuntimeException ex) {
                LOG.error("{}: handling the protocol error failed", describe(), ex);
            }
            // Like cxenstored, which frees the connection with its queued output: replies to requests
            // that came in the same batch as the bad header are not sent (malformed.xss pins this).
            channel.close();
        } catch (RuntimeException e) {
            LOG.error("{}: internal error while handling input; closing this connection", describe(), e);
            channel.flush();
            channel.close();
        } finally {
            in.release();
            server.afterEngineCall();
        }
    }

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) {
        end();
        ctx.fireChannelInactive();
    }

    /** Detaches from the daemon once, whichever side ended the connection. */
    final void end() {
        if (ended) {
            return;
        }
        ended = true;
        reader.release();
        server.sessionClosed(this);
        try {
            closed();
        } catch (RuntimeException e) {
            LOG.error("{}: detaching from the daemon failed", describe(), e);
        } finally {
            server.afterEngineCall();
        }
    }

    @Override
    public final void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Stop reading requests from a client that does not read its replies.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable() && wantsInput());
        ctx.fireChannelWritabilityChanged();
    }

    /** Whether input should be read apart from writability (guests stall on quota). */
    protected boolean wantsInput() {
        return true;
    }

    /** Re-evaluates whether to read input (after a stall ends). */
    final void updateAutoRead() {
        if (channel != null && channel.isActive()) {
            channel.config().setAutoRead(channel.isWritable() && wantsInput());
        }
    }

    @Override
    public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            // The peer went away (reset, broken pipe) or wrote to a socket we already closed.
            LOG.debug("{}: {}; closing", describe(), cause.toString());
        } else {
            LOG.warn("{}: transport error: {}; closing", describe(), cause.toString(), cause);
        }
        ctx.close();
    }

    /**
     * Writes one reply or watch event (flushed by {@link OutputFlusher}). Dropped if the connection is gone;
     * closes the connection if the client has left too much output unread.
     */
    final void send(XsMessage m) {
        if (ended || !channel.isActive()) {
            LOG.debug("{}: dropping output for a closed connection: {}", describe(), m);
            return;
        }
        int size = XsHeader.SIZE + m.length();
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        long queued = ob == null ? 0 : ob.totalPendingWriteBytes();
        if (queued + size > server.maxOutputBytes()) {
            LOG.warn("{}: client is not reading: {} bytes of output queued, limit {}; dropping the connection",
                    describe(), queued, server.maxOutputBytes());
            channel.close();
            return;
        }
        ByteBuf b = channel.alloc().ioBuffer(size);
        b.writeIntLE(m.type()).writeIntLE(m.reqId()).writeIntLE(m.txId()).writeIntLE(m.length());
        b.writeBytes(m.sharedPayload());
        channel.write(b, channel.voidPromise());
        server.flusher().dirty(this);
    }

    /** Closes the socket (the daemon side is detached by {@link #channelInactive}). */
    final void close() {
        if (channel != null) {
            channel.close();
        }
    }

    final boolean isEnded() {
        return ended;
    }
}
