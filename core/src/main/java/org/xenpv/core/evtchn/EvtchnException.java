package org.xenpv.core.evtchn;

import org.xenpv.core.domain.DomId;

/**
 * An {@code EVTCHNOP_*} or {@code SCHEDOP_poll} call failed with the error Xen returns
 * ({@link #rc()}, a negative errno).
 */
public final class EvtchnException extends RuntimeException {

    private final String op;
    private final int domid;
    private final int port;
    private final int rc;

    /**
     * @param op     operation, e.g. {@code EVTCHNOP_bind_interdomain}
     * @param domid  domain whose port table the error is about
     * @param port   port concerned, or -1
     * @param rc     negative errno
     * @param detail why, in Xen's terms
     */
    public EvtchnException(String op, int domid, int port, int rc, String detail) {
        super(op + " " + DomId.name(domid) + (port >= 0 ? " port " + port : "") + ": " + Errno.name(rc)
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.op = op;
        this.domid = domid;
        this.port = port;
        this.rc = rc;
    }

    public String op() {
        return op;
    }

    public int domid() {
        return domid;
    }

    /** The port, or -1 when the error is not about one port. */
    public int port() {
        return port;
    }

    /** The hypercall's return value: a negative errno such as {@code -Errno.EINVAL}. */
    public int rc() {
        return rc;
    }
}
