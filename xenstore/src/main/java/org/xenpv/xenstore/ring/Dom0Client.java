package org.xenpv.xenstore.ring;

import java.util.List;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.wire.XsFrameDecoder;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsProtocolException;

/**
 * An in-process dom0 client of {@link Xenstored}: what cxenstored sees as a Unix-socket client
 * (privileged, domid 0, relative paths under {@code /local/domain/0}). Requests are handed to the
 * daemon's actor in order; its replies and watch events arrive at the output consumer given to
 * {@link Xenstored#connectDom0}, on the daemon's actor. Usable from any actor or thread.
 */
public final class Dom0Client implements AutoCloseable {

    private final Xenstored daemon;
    private final String name;
    /** Owned by the daemon's actor. */
    private XsConnection conn;
    private final XsFrameDecoder decoder = new XsFrameDecoder();

    Dom0Client(Xenstored daemon, String name) {
        this.daemon = daemon;
        this.name = name;
    }

    void connected(XsConnection c) {
        this.conn = c;
    }

    public String name() {
        return name;
    }

    /** Sends one request (any type number, any ids; the engine answers bad ones as cxenstored does). */
    public void send(XsMessage request) {
        daemon.execute(s -> {
            if (conn != null && !conn.isClosed()) {
                conn.handle(request);
            }
        });
    }

    /**
     * Sends bytes as a socket client would write them: framed by {@code xsd_sockmsg} headers, possibly
     * split or malformed. A header announcing more than 4096 payload bytes makes cxenstored drop the
     * connection ({@code XENSTORE_ERROR_PROTO}); so does this.
     */
    public void sendBytes(byte[] bytes) {
        byte[] copy = bytes.clone();
        daemon.execute(s -> {
            if (conn == null || conn.isClosed()) {
                return;
            }
            List<XsMessage> msgs;
            try {
                msgs = decoder.decode(copy, 0, copy.length);
            } catch (XsProtocolException e) {
                conn.protocolError(e.reason());
                return;
            }
            for (XsMessage m : msgs) {
                conn.handle(m);
            }
        });
    }

    /** Whether the daemon has closed the connection (or it was never opened because the daemon stopped). */
    public boolean isClosed() {
        if (daemon.stopped()) {
            return true;
        }
        return daemon.call(s -> conn == null || conn.isClosed());
    }

    /** Ends the connection: its watches and transactions go, as when a socket client disconnects. */
    @Override
    public void close() {
        try {
            daemon.execute(s -> {
                if (conn != null) {
                    conn.close();
                }
            });
        } catch (IllegalStateException stopped) {
            // The daemon is gone, and the connection with it.
        }
    }

    @Override
    public String toString() {
        return "Dom0Client[" + name + "]";
    }
}
