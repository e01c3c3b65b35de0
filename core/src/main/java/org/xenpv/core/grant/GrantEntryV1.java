package org.xenpv.core.grant;

import org.xenpv.core.domain.DomId;

/**
 * A snapshot of one {@code struct grant_entry_v1}: {@code flags} (u16 at 0), {@code domid} (u16 at
 * 2), {@code frame} (u32 at 4); 8 bytes, so 512 entries per 4 KiB frame.
 */
public record GrantEntryV1(int flags, int domid, long frame) {

    /** {@code sizeof(grant_entry_v1_t)}. */
    public static final int SIZE = 8;
    /** Offset of {@code flags}. */
    public static final int FLAGS = 0;
    /** Offset of {@code domid}. */
    public static final int DOMID = 2;
    /** Offset of {@code frame}. */
    public static final int FRAME = 4;
    /** Entries per grant-table frame. */
    public static final int PER_FRAME = 4096 / SIZE;

    /** The {@code GTF_type_mask} part of the flags. */
    public int type() {
        return flags & Gtf.TYPE_MASK;
    }

    /** {@code GTF_permit_access}. */
    public boolean permitsAccess() {
        return type() == Gtf.PERMIT_ACCESS;
    }

    public boolean readOnly() {
        return (flags & Gtf.READONLY) != 0;
    }

    /** {@code GTF_reading} or {@code GTF_writing}: the grantee has it mapped or is copying. */
    public boolean inUse() {
        return (flags & (Gtf.READING | Gtf.WRITING)) != 0;
    }

    @Override
    public String toString() {
        return "grant_entry_v1[" + Gtf.describe(flags) + ", " + DomId.name(domid) + ", frame 0x" + Long.toHexString(frame)
                + "]";
    }
}
