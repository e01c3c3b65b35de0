package org.xenpv.core.ring.netif;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Unsigned;

/**
 * {@code struct xen_netif_ctrl_request} ({@code io/netif.h}, 16 bytes): {@code id}@0, {@code type}@2
 * ({@code XEN_NETIF_CTRL_TYPE_*}), {@code data[3]}@4, 8, 12.
 */
public record NetifCtrlRequest(int id, int type, @Unsigned int data0, @Unsigned int data1, @Unsigned int data2) {

    public static final int SIZE = 16;

    public NetifCtrlRequest {
        Fields.u16("id", id);
        Fields.u16("type", type);
    }

    public static final EntryCodec<NetifCtrlRequest> CODEC = new EntryCodec<>() {
        @Override
        public int size() {
            return SIZE;
        }

        @Override
        public NetifCtrlRequest decode(MemoryView v, int off) {
            return new NetifCtrlRequest(v.getUnsignedShort(off), v.getUnsignedShort(off + 2), v.getInt(off + 4),
                    v.getInt(off + 8), v.getInt(off + 12));
        }

        @Override
        public void encode(MemoryView v, int off, NetifCtrlRequest r) {
            v.putShort(off, (short) r.id);
            v.putShort(off + 2, (short) r.type);
            v.putInt(off + 4, r.data0);
            v.putInt(off + 8, r.data1);
            v.putInt(off + 12, r.data2);
        }
    };
}
