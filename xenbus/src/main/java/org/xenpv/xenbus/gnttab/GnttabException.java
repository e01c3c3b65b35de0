package org.xenpv.xenbus.gnttab;

/** A grant-table client operation failed; the message names the domain, the ref and why. */
public final class GnttabException extends RuntimeException {

    private final int ref;

    public GnttabException(int ref, String message) {
        super(message);
        this.ref = ref;
    }

    /** The ref concerned, or -1. */
    public int ref() {
        return ref;
    }
}
