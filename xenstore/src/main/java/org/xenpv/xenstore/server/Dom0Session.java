package org.xenpv.xenstore.server;

import java.nio.file.Path;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsProtocolException;

/**
 * A client of the daemon's main socket: as in cxenstored 4.17, a privileged dom0 connection of its own
 * ({@code new_connection()} for an accepted socket), with its own watches and transactions. It ends with
 * the socket; a framing violation makes the daemon ignore and destroy it ({@code ignore_connection()},
 * traced as {@code CONN <p> ignored, reason 3}) and the socket is closed.
 */
final class Dom0Session extends XsSocketSession {

    private final Path listener;
    private XsConnection conn;

    Dom0Session(XsServer server, Path listener) {
        super(server);
        this.listener = listener;
    }

    @Override
    protected void opened() {
        conn = server.store().connect(0, true, this::send);
    }

    @Override
    protected boolean request(XsMessage msg) {
        conn.handle(msg);
        return !conn.isClosed();
    }

    @Override
    protected void protocolError(XsProtocolException e) {
        conn.protocolError(e.reason());
    }

    @Override
    protected void closed() {
        if (conn != null) {
            conn.close();
        }
    }

    @Override
    public String describe() {
        return "dom0 socket " + listener + (conn == null ? "" : " connection " + conn);
    }
}
