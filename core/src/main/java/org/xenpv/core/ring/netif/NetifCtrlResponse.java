package org.xenpv.core.ring.netif;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Unsigned;

/**
 * {@code struct xen_netif_ctrl_response} ({@code io/netif.h}, 12 bytes): {@code id}@0, {@code type}@2,
 * {@code status}@4 ({@code XEN_NETIF_CTRL_STATUS_*}), {@code data}@8.
 */
public record NetifCtrlResponse(int id, int type, @Unsigned int status, @Unsigned int data) {

    public static final int SIZE = 12;

    public NetifCtrlResponse {
        Fields.u16("id", id);
        Fields.u16("type", type);
    }

    public static final EntryCodec<NetifCtrlResponse> CODEC = new EntryCodec<>() {
        @Override
        public int size() {
            return SIZE;
        }

        @Override
        public NetifCtrlResponse decode(MemoryView v, int off) {
            return new NetifCtrlResponse(v.getUnsignedShort(off), v.getUnsignedShort(off + 2), v.getInt(off + 4),
                    v.getInt(off + 8));
        }

        @Override
        public void encode(MemoryView v, int off, NetifCtrlResponse r) {
            v.putShort(off, (short) r.id);
            v.putShort(off + 2, (short) r.type);
            v.putInt(off + 4, r.status);
            v.putInt(off + 8, r.data);
        }
    };
}
