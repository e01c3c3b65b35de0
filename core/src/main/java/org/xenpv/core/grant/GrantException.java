package org.xenpv.core.grant;

import org.xenpv.core.domain.DomId;

/** A grant-table operation failed with a {@code GNTST_*} status ({@link #status()}). */
public final class GrantException extends RuntimeException {

    private final String op;
    private final int status;
    private final int caller;
    private final int granter;
    private final int ref;

    /**
     * @param op      e.g. {@code GNTTABOP_map_grant_ref}
     * @param status  the {@code GNTST_*} code
     * @param caller  domain making the call
     * @param granter domain whose grant is concerned (or -1)
     * @param ref     grant ref, handle or -1, as {@code what} says
     * @param what    what {@code ref} is ("ref", "handle")
     * @param detail  why, in Xen's terms
     */
    public GrantException(String op, int status, int caller, int granter, int ref, String what, String detail) {
        super(op + " by " + DomId.name(caller) + (granter >= 0 ? " on " + DomId.name(granter) : "")
                + (ref >= 0 ? " " + what + " " + ref : "") + ": " + GntSt.name(status) + " (" + GntSt.message(status) + ")"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.op = op;
        this.status = status;
        this.caller = caller;
        this.granter = granter;
        this.ref = ref;
    }

    public String op() {
        return op;
    }

    /** The {@code GNTST_*} code. */
    public int status() {
        return status;
    }

    public int caller() {
        return caller;
    }

    public int granter() {
        return granter;
    }

    /** The grant ref (or mapping handle for unmap), or -1. */
    public int ref() {
        return ref;
    }
}
