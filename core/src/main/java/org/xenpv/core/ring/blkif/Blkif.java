package org.xenpv.core.ring.blkif;

/** Constants of {@code io/blkif.h}. The ring layouts are per ABI: {@link BlkifAbi#layout()}. */
public final class Blkif {

    private Blkif() {
    }

    public static final int OP_READ = 0;
    public static final int OP_WRITE = 1;
    public static final int OP_WRITE_BARRIER = 2;
    public static final int OP_FLUSH_DISKCACHE = 3;
    /** {@code BLKIF_OP_RESERVED_1}: was {@code BLKIF_OP_WRITE_BARRIER}-like in old blktap; never valid. */
    public static final int OP_RESERVED_1 = 4;
    public static final int OP_DISCARD = 5;
    public static final int OP_INDIRECT = 6;

    /** {@code BLKIF_MAX_SEGMENTS_PER_REQUEST}. */
    public static final int MAX_SEGMENTS_PER_REQUEST = 11;
    /** {@code BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST}. */
    public static final int MAX_INDIRECT_PAGES_PER_REQUEST = 8;
    /** Segments per indirect page: {@code XEN_PAGE_SIZE / sizeof(struct blkif_request_segment)}. */
    public static final int SEGS_PER_INDIRECT_FRAME = 4096 / BlkifSegment.SIZE;

    /** {@code BLKIF_DISCARD_SECURE} in {@code blkif_request_discard.flag}. */
    public static final int DISCARD_SECURE = 1;

    public static final int RSP_EOPNOTSUPP = -2;
    public static final int RSP_ERROR = -1;
    public static final int RSP_OKAY = 0;

    /** {@code VDISK_*} bits of the backend's {@code info} node. */
    public static final int VDISK_CDROM = 0x1;
    public static final int VDISK_REMOVABLE = 0x2;
    public static final int VDISK_READONLY = 0x4;

    /** Sector size of {@code sector_number}, {@code first_sect} and {@code last_sect}: always 512. */
    public static final int SECTOR_SIZE = 512;
}
