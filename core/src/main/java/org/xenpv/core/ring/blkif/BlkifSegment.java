package org.xenpv.core.ring.blkif;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Unsigned;

/**
 * {@code struct blkif_request_segment} ({@code io/blkif.h}, 8 bytes on both ABIs): {@code gref}@0,
 * {@code first_sect}@4, {@code last_sect}@5 (inclusive 512-byte sectors within the granted frame).
 */
public record BlkifSegment(@Unsigned int gref, int firstSect, int lastSect) {

    public static final int SIZE = 8;

    public BlkifSegment {
        Fields.u8("firstSect", firstSect);
        Fields.u8("lastSect", lastSect);
    }

    public static final EntryCodec<BlkifSegment> CODEC = new EntryCodec<>() {
        @Override
        public int size() {
            return SIZE;
        }

        @Override
        public BlkifSegment decode(MemoryView v, int off) {
            return new BlkifSegment(v.getInt(off), v.getUnsignedByte(off + 4), v.getUnsignedByte(off + 5));
        }

        @Override
        public void encode(MemoryView v, int off, BlkifSegment s) {
            v.putInt(off, s.gref);
            v.putByte(off + 4, (byte) s.firstSect);
            v.putByte(off + 5, (byte) s.lastSect);
        }
    };
}
