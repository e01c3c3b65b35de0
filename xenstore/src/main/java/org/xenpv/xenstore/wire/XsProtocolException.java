package org.xenpv.xenstore.wire;

/**
 * A framing violation that makes cxenstored give up on a connection ({@code ignore_connection()} with
 * {@code XENSTORE_ERROR_PROTO} for a header {@code len > XENSTORE_PAYLOAD_MAX}). The caller drops the
 * connection (socket) or marks it ignored (ring); no reply is sent.
 */
public final class XsProtocolException extends Exception {

    /** {@code XENSTORE_ERROR_PROTO} from xs_wire.h. */
    public static final int ERROR_PROTO = 3;
    /** {@code XENSTORE_ERROR_RINGIDX} from xs_wire.h. */
    public static final int ERROR_RINGIDX = 2;

    private final int reason;

    public XsProtocolException(int reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The {@code XENSTORE_ERROR_*} code cxenstored would log ("CONN ... ignored, reason N"). */
    public int reason() {
        return reason;
    }
}
