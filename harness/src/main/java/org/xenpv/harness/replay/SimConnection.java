package org.xenpv.harness.replay;

import java.time.Duration;
import java.util.List;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsInbox;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.wire.XsFrameDecoder;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsProtocolException;

/**
 * A client connection to the in-process daemon ({@link org.xenpv.xenstore.daemon.XenStore}): what a
 * transport would do, without bytes on a wire. Requests go straight to the daemon connection's
 * {@code handle}, which answers synchronously; replies and watch events land in the inbox as the daemon
 * emits them. Raw bytes are framed like cxenstored's {@code handle_input()} does: a header announcing
 * more than 4096 bytes makes the daemon ignore the connection (XENSTORE_ERROR_PROTO).
 */
public final class SimConnection implements XsConnection {

    private final String name;
    private final org.xenpv.xenstore.daemon.XsConnection conn;
    private final XsInbox inbox;
    private final XsFrameDecoder decoder = new XsFrameDecoder();
    private final boolean ownsConnection;
    private int nextReqId = 1;

    /**
     * Attaches to a daemon connection; its output is redirected to this connection's inbox.
     *
     * @param ownsConnection whether {@link #close} ends the daemon connection (socket clients) or only
     *                       detaches (domain rings, which live until the daemon releases the domain)
     */
    public SimConnection(String name, org.xenpv.xenstore.daemon.XsConnection conn, boolean ownsConnection) {
        this.name = name;
        this.conn = conn;
        this.ownsConnection = ownsConnection;
        this.inbox = new XsInbox(name);
        conn.setOutput(m -> inbox.add(XsSocketMessage.of(m.type(), m.reqId(), m.txId(), m.payload())));
    }

    /** The daemon side of this connection. */
    public org.xenpv.xenstore.daemon.XsConnection daemonConnection() {
        return conn;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public XsInbox inbox() {
        return inbox;
    }

    @Override
    public int nextReqId() {
        return nextReqId++;
    }

    @Override
    public Duration timeout() {
        return Duration.ZERO;
    }

    @Override
    public boolean isOpen() {
        return !conn.isClosed() && !conn.isIgnored() && inbox.endCause() == null;
    }

    @Override
    public void send(XsHeader header, byte[] payload) throws XsClientException {
        if (header.len() != payload.length || decoder.inFrame()) {
            XsConnection.super.send(header, payload);
            return;
        }
        checkOpen();
        conn.handle(new XsMessage(header.type(), header.reqId(), header.txId(), payload));
    }

    @Override
    public void sendRaw(byte[] bytes) throws XsClientException {
        checkOpen();
        List<XsMessage> msgs;
        try {
            msgs = decoder.decode(bytes, 0, bytes.length);
        } catch (XsProtocolException e) {
            conn.protocolError(e.reason());
            inbox.end(new XsClosedException(name, XsClosedException.Kind.EOF, e));
            return;
        }
        for (XsMessage m : msgs) {
            conn.handle(m);
        }
    }

    private void checkOpen() throws XsClientException {
        XsClientException end = inbox.endCause();
        if (end != null) {
            throw end;
        }
        if (conn.isClosed() || conn.isIgnored()) {
            XsClosedException e = new XsClosedException(name, XsClosedException.Kind.EOF, null);
            inbox.end(e);
            throw e;
        }
    }

    @Override
    public void close() {
        if (ownsConnection) {
            conn.close();
        } else {
            conn.setOutput(null);
        }
        inbox.end(new XsClosedException(name, XsClosedException.Kind.LOCAL, null));
    }

    @Override
    public String toString() {
        return "SimConnection[" + name + ", " + conn + "]";
    }
}
