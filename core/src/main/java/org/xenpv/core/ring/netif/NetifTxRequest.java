package org.xenpv.core.ring.netif;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Unsigned;

/**
 * {@code struct netif_tx_request} ({@code io/netif.h}, 12 bytes): {@code gref}@0, {@code offset}@4,
 * {@code flags}@6 ({@code NETTXF_*}), {@code id}@8, {@code size}@10.
 */
public record NetifTxRequest(@Unsigned int gref, int offset, int flags, int id, int size) {

    public static final int SIZE = 12;

    public NetifTxRequest {
        Fields.u16("offset", offset);
        Fields.u16("flags", flags);
        Fields.u16("id", id);
        Fields.u16("size", size);
    }

    public static final EntryCodec<NetifTxRequest> CODEC = new EntryCodec<>() {
        @Override
        public int size() {
            return SIZE;
        }

        @Override
        public NetifTxRequest decode(MemoryView v, int off) {
            return new NetifTxRequest(v.getInt(off), v.getUnsignedShort(off + 4), v.getUnsignedShort(off + 6),
                    v.getUnsignedShort(off + 8), v.getUnsignedShort(off + 10));
        }

        @Override
        public void encode(MemoryView v, int off, NetifTxRequest r) {
            v.putInt(off, r.gref);
            v.putShort(off + 4, (short) r.offset);
            v.putShort(off + 6, (short) r.flags);
            v.putShort(off + 8, (short) r.id);
            v.putShort(off + 10, (short) r.size);
        }
    };
}
