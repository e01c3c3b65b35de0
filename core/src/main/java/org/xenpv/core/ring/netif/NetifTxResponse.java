package org.xenpv.core.ring.netif;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.Fields;

/**
 * {@code struct netif_tx_response} ({@code io/netif.h}, 4 bytes): {@code id}@0, {@code status}@2 (int16,
 * {@code NETIF_RSP_*}).
 */
public record NetifTxResponse(int id, int status) {

    public static final int SIZE = 4;

    public NetifTxResponse {
        Fields.u16("id", id);
        Fields.s16("status", status);
    }

    public static final EntryCodec<NetifTxResponse> CODEC = new EntryCodec<>() {
        @Override
        public int size() {
            return SIZE;
        }

        @Override
        public NetifTxResponse decode(MemoryView v, int off) {
            return new NetifTxResponse(v.getUnsignedShort(off), v.getShort(off + 2));
        }

        @Override
        public void encode(MemoryView v, int off, NetifTxResponse r) {
            v.putShort(off, (short) r.id);
            v.putShort(off + 2, (short) r.status);
        }
    };
}
