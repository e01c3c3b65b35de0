package org.xenpv.core.ring.netif;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Unsigned;

/**
 * {@code struct netif_rx_request} ({@code io/netif.h}, 8 bytes): {@code id}@0, {@code pad}@2 (not written),
 * {@code gref}@4.
 */
public record NetifRxRequest(int id, @Unsigned int gref) {

    public static final int SIZE = 8;

    public NetifRxRequest {
        Fields.u16("id", id);
    }

    public static final EntryCodec<NetifRxRequest> CODEC = new EntryCodec<>() {
        @Override
        public int size() {
            return SIZE;
        }

        @Override
        public NetifRxRequest decode(MemoryView v, int off) {
            return new NetifRxRequest(v.getUnsignedShort(off), v.getInt(off + 4));
        }

        @Override
        public void encode(MemoryView v, int off, NetifRxRequest r) {
            v.putShort(off, (short) r.id);
            v.putInt(off + 4, r.gref);
        }
    };
}
