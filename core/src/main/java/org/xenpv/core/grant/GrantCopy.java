package org.xenpv.core.grant;

import org.xenpv.core.domain.DomId;

/**
 * One {@code struct gnttab_copy} operation: copy {@code length} bytes from {@code source} to
 * {@code dest}, each either a grant ref of some domain or a frame of the caller's own memory.
 */
public record GrantCopy(Ptr source, Ptr dest, int length) {

    /** {@code GNTCOPY_source_gref}. */
    public static final int SOURCE_GREF = 1;
    /** {@code GNTCOPY_dest_gref}. */
    public static final int DEST_GREF = 2;

    /** {@code struct gnttab_copy_ptr}: a grant ref or gfn, its domain, and a byte offset in the frame. */
    public record Ptr(boolean isRef, long refOrGfn, int domid, int offset) {

        /** {@code ref} granted by {@code domid}. */
        public static Ptr ref(int domid, int ref, int offset) {
            return new Ptr(true, Integer.toUnsignedLong(ref), domid, offset);
        }

        /** A frame of the caller's own memory ({@code DOMID_SELF}). */
        public static Ptr local(long gfn, int offset) {
            return new Ptr(false, gfn, DomId.DOMID_SELF, offset);
        }

        /** A frame of {@code domid}'s memory by gfn: only the caller's own is allowed. */
        public static Ptr gfn(int domid, long gfn, int offset) {
            return new Ptr(false, gfn, domid, offset);
        }

        /** {@code d1 ref 12 +0} or {@code DOMID_SELF gfn 0x40 +256}. */
        public String describe() {
            return DomId.name(domid) + (isRef ? " ref " + refOrGfn : " gfn 0x" + Long.toHexString(refOrGfn)) + " +" + offset;
        }
    }

    /** The {@code GNTCOPY_*} flags of this operation. */
    public int flags() {
        return (source.isRef ? SOURCE_GREF : 0) | (dest.isRef ? DEST_GREF : 0);
    }
}
