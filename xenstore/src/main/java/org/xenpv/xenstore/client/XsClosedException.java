package org.xenpv.xenstore.client;

/**
 * The connection ended: the daemon closed it (end of stream), reset it, or this side closed it.
 * cxenstored drops a connection on a protocol violation such as a header with {@code len > 4096}
 * (reference §1.1), which is seen here as {@link Kind#EOF} or {@link Kind#RESET} depending on
 * whether unread bytes were left in its socket buffer.
 */
public final class XsClosedException extends XsClientException {

    /** How the connection ended. */
    public enum Kind {
        /** The peer closed cleanly (read returned end of stream). */
        EOF,
        /** The peer reset the connection (ECONNRESET, broken pipe). */
        RESET,
        /** This side closed the connection. */
        LOCAL
    }

    private final Kind kind;

    public XsClosedException(String connection, Kind kind, Throwable cause) {
        super(connection + ": connection " + switch (kind) {
            case EOF -> "closed by the daemon";
            case RESET -> "reset by the daemon";
            case LOCAL -> "closed locally";
        }, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
