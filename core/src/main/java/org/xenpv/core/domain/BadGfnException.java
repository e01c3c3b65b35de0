package org.xenpv.core.domain;

/** A guest frame number outside the domain's physical memory (and not a mapped Xen page). */
public final class BadGfnException extends IllegalArgumentException {

    private final int domid;
    private final long gfn;

    public BadGfnException(int domid, long gfn, long maxPages) {
        super(DomId.name(domid) + ": gfn 0x" + Long.toHexString(gfn) + " is not guest memory (RAM is gfn 0..0x"
                + Long.toHexString(maxPages - 1) + ", no Xen page mapped there)");
        this.domid = domid;
        this.gfn = gfn;
    }

    public int domid() {
        return domid;
    }

    public long gfn() {
        return gfn;
    }
}
