package org.xenpv.core.ring.blkif;

import java.util.Arrays;
import java.util.List;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Unsigned;

/**
 * A blkif request slot ({@code io/blkif.h}): which structure it is depends on {@code operation}@0.
 * {@code READ}, {@code WRITE}, {@code WRITE_BARRIER} and {@code FLUSH_DISKCACHE} use
 * {@code struct blkif_request} ({@link ReadWrite}), {@code DISCARD} {@code struct blkif_request_discard},
 * {@code INDIRECT} {@code struct blkif_request_indirect}; any other operation is kept as raw bytes
 * ({@link Other}) so a backend can answer {@code BLKIF_RSP_EOPNOTSUPP} with its {@code id}.
 *
 * <p>Offsets differ between ABIs ({@link BlkifAbi}); these records do not.
 */
public sealed interface BlkifRequest {

    /** {@code operation}: {@code BLKIF_OP_*}. */
    int operation();

    /** {@code id}: the frontend's cookie, echoed in the response. */
    long id();

    /**
     * {@code struct blkif_request}. {@code nrSegments} is the field as written; on decode {@code segments}
     * holds the first {@code min(nrSegments, 11)} entries of {@code seg[]}, so a validator sees a bogus count
     * without the decoder reading past the structure.
     */
    record ReadWrite(int operation, int nrSegments, int handle, @Unsigned long id, @Unsigned long sectorNumber,
                     List<BlkifSegment> segments) implements BlkifRequest {
        public ReadWrite {
            Fields.u8("operation", operation);
            if (operation != Blkif.OP_READ && operation != Blkif.OP_WRITE && operation != Blkif.OP_WRITE_BARRIER
                    && operation != Blkif.OP_FLUSH_DISKCACHE) {
                throw new IllegalArgumentException("operation " + operation
                        + " does not use struct blkif_request (READ 0, WRITE 1, WRITE_BARRIER 2, FLUSH_DISKCACHE 3)");
            }
            Fields.u8("nrSegments", nrSegments);
            Fields.u16("handle", handle);
            segments = segments == null ? List.of() : List.copyOf(segments);
            if (segments.size() > Blkif.MAX_SEGMENTS_PER_REQUEST) {
                throw new IllegalArgumentException("seg[] holds at most " + Blkif.MAX_SEGMENTS_PER_REQUEST
                        + " segments, got " + segments.size());
            }
        }

        /** A request whose {@code nr_segments} matches its segment list. */
        public static ReadWrite of(int operation, int handle, long id, long sectorNumber, List<BlkifSegment> segments) {
            return new ReadWrite(operation, segments.size(), handle, id, sectorNumber, segments);
        }
    }

    /** {@code struct blkif_request_discard}: {@code flag}@1 ({@code BLKIF_DISCARD_SECURE}). */
    record Discard(int flag, int handle, @Unsigned long id, @Unsigned long sectorNumber, @Unsigned long nrSectors)
            implements BlkifRequest {
        public Discard {
            Fields.u8("flag", flag);
            Fields.u16("handle", handle);
        }

        @Override
        public int operation() {
            return Blkif.OP_DISCARD;
        }
    }

    /**
     * {@code struct blkif_request_indirect}: {@code indirect_op}@1, {@code nr_segments}@2 (u16), and up to
     * {@code BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST} grant references of pages of segments (all eight decoded).
     */
    record Indirect(int indirectOp, int nrSegments, int handle, @Unsigned long id, @Unsigned long sectorNumber,
                    List<Integer> indirectGrefs) implements BlkifRequest {
        public Indirect {
            Fields.u8("indirectOp", indirectOp);
            Fields.u16("nrSegments", nrSegments);
            Fields.u16("handle", handle);
            indirectGrefs = indirectGrefs == null ? List.of() : List.copyOf(indirectGrefs);
            if (indirectGrefs.size() > Blkif.MAX_INDIRECT_PAGES_PER_REQUEST) {
                throw new IllegalArgumentException("indirect_grefs[] holds at most "
                        + Blkif.MAX_INDIRECT_PAGES_PER_REQUEST + " references, got " + indirectGrefs.size());
            }
        }

        @Override
        public int operation() {
            return Blkif.OP_INDIRECT;
        }
    }

    /**
     * An operation with no structure of its own ({@code BLKIF_OP_RESERVED_1}, unknown values): the whole
     * request as raw bytes ({@code sizeof(struct blkif_request)} of the ABI), plus its {@code operation} and
     * {@code id} read at their common offsets. On encode the raw bytes are written first.
     */
    record Other(int operation, @Unsigned long id, byte[] raw) implements BlkifRequest {
        public Other {
            Fields.u8("operation", operation);
            if (operation <= Blkif.OP_INDIRECT && operation != Blkif.OP_RESERVED_1) {
                throw new IllegalArgumentException("operation " + operation + " has its own request structure");
            }
            raw = raw == null ? new byte[0] : raw.clone();
        }

        @Override
        public byte[] raw() {
            return raw.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Other x && x.operation == operation && x.id == id && Arrays.equals(x.raw, raw);
        }

        @Override
        public int hashCode() {
            return (operation * 31 + Long.hashCode(id)) * 31 + Arrays.hashCode(raw);
        }

        @Override
        public String toString() {
            return "Other[operation=" + operation + ", id=" + Long.toUnsignedString(id) + ", raw=" + Fields.hex(raw) + "]";
        }
    }
}
