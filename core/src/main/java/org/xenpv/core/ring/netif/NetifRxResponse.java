package org.xenpv.core.ring.netif;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.Fields;

/**
 * {@code struct netif_rx_response} ({@code io/netif.h}, 8 bytes): {@code id}@0, {@code offset}@2,
 * {@code flags}@4 ({@code NETRXF_*}), {@code status}@6 (int16: bytes received, or {@code NETIF_RSP_*} when
 * negative). A frontend must reject {@code status < 0} and {@code offset + status > 4096} (XSA-376).
 */
public record NetifRxResponse(int id, int offset, int flags, int status) {

    public static final int SIZE = 8;

    public NetifRxResponse {
        Fields.u16("id", id);
        Fields.u16("offset", offset);
        Fields.u16("flags", flags);
        Fields.s16("status", status);
    }

    public static final EntryCodec<NetifRxResponse> CODEC = new EntryCodec<>() {
        @Override
        public int size() {
            return SIZE;
        }

        @Override
        public NetifRxResponse decode(MemoryView v, int off) {
            return new NetifRxResponse(v.getUnsignedShort(off), v.getUnsignedShort(off + 2),
                    v.getUnsignedShort(off + 4), v.getShort(off + 6));
        }

        @Override
        public void encode(MemoryView v, int off, NetifRxResponse r) {
            v.putShort(off, (short) r.id);
            v.putShort(off + 2, (short) r.offset);
            v.putShort(off + 4, (short) r.flags);
            v.putShort(off + 6, (short) r.status);
        }
    };
}
