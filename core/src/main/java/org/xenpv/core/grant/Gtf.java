package org.xenpv.core.grant;

/** {@code GTF_*}: type and flag bits of a grant entry's {@code flags} ({@code grant_table.h}). */
public final class Gtf {

    /** {@code GTF_invalid}: the entry grants nothing. */
    public static final int INVALID = 0;
    /** {@code GTF_permit_access}: {@code domid} may map and access {@code frame}. */
    public static final int PERMIT_ACCESS = 1;
    /** {@code GTF_accept_transfer}. */
    public static final int ACCEPT_TRANSFER = 2;
    /** {@code GTF_transitive} (v2 only). */
    public static final int TRANSITIVE = 3;
    /** {@code GTF_type_mask}. */
    public static final int TYPE_MASK = 3;
    /** {@code GTF_readonly}: the grantee may only read. */
    public static final int READONLY = 1 << 2;
    /** {@code GTF_reading}: set by Xen while the frame is mapped or being copied from. */
    public static final int READING = 1 << 3;
    /** {@code GTF_writing}: set by Xen while the frame is mapped writable or being copied to. */
    public static final int WRITING = 1 << 4;
    /** {@code GTF_PWT}. */
    public static final int PWT = 1 << 5;
    /** {@code GTF_PCD}. */
    public static final int PCD = 1 << 6;
    /** {@code GTF_PAT}. */
    public static final int PAT = 1 << 7;
    /** {@code GTF_sub_page} (v2 only; a v1 mapping refuses it). */
    public static final int SUB_PAGE = 1 << 8;

    private Gtf() {
    }

    /** {@code permit_access|readonly|reading} style rendering. */
    public static String describe(int flags) {
        StringBuilder sb = new StringBuilder(switch (flags & TYPE_MASK) {
            case INVALID -> "invalid";
            case PERMIT_ACCESS -> "permit_access";
            case ACCEPT_TRANSFER -> "accept_transfer";
            default -> "transitive";
        });
        String[] names = {"readonly", "reading", "writing", "PWT", "PCD", "PAT", "sub_page"};
        for (int bit = 2; bit <= 8; bit++) {
            if ((flags & (1 << bit)) != 0) {
                sb.append('|').append(names[bit - 2]);
            }
        }
        int unknown = flags & ~0x1ff & 0xffff;
        if (unknown != 0) {
            sb.append("|0x").append(Integer.toHexString(unknown));
        }
        return sb.toString();
    }
}
