package org.xenpv.core.ring.netif;

import java.util.Arrays;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Unsigned;

/**
 * {@code struct netif_extra_info} ({@code io/netif.h}, 8 bytes): {@code type}@0, {@code flags}@1
 * ({@code XEN_NETIF_EXTRA_FLAG_MORE}), and the union {@code u}@2. It occupies a tx request slot after a
 * request with {@code NETTXF_extra_info}, or an rx response slot after a response with
 * {@code NETRXF_extra_info}, and chains while {@code flags & MORE}.
 *
 * <p>A type the header does not define (including {@code XEN_NETIF_EXTRA_TYPE_NONE}) decodes as
 * {@link Unknown} with the union's raw bytes, so a validator can reject it and a re-encode is exact.
 */
public sealed interface NetifExtraInfo {

    int SIZE = 8;

    /** {@code type}: {@code XEN_NETIF_EXTRA_TYPE_*}. */
    int type();

    /** {@code flags}. */
    int flags();

    /** Whether another extra-info segment follows. */
    default boolean more() {
        return (flags() & Netif.EXTRA_FLAG_MORE) != 0;
    }

    /** {@code u.gso}: {@code size}@2, {@code type}@4, {@code pad}@5 (not written), {@code features}@6. */
    record Gso(int flags, int size, int gsoType, int features) implements NetifExtraInfo {
        public Gso {
            Fields.u8("flags", flags);
            Fields.u16("size", size);
            Fields.u8("gsoType", gsoType);
            Fields.u16("features", features);
        }

        @Override
        public int type() {
            return Netif.EXTRA_TYPE_GSO;
        }
    }

    /** {@code u.mcast} with type {@code MCAST_ADD}: {@code addr[6]}@2. */
    record McastAdd(int flags, byte[] addr) implements NetifExtraInfo {
        public McastAdd {
            Fields.u8("flags", flags);
            addr = Fields.bytes("addr", addr, 6);
        }

        @Override
        public int type() {
            return Netif.EXTRA_TYPE_MCAST_ADD;
        }

        @Override
        public byte[] addr() {
            return addr.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof McastAdd m && m.flags == flags && Arrays.equals(m.addr, addr);
        }

        @Override
        public int hashCode() {
            return 31 * flags + Arrays.hashCode(addr);
        }

        @Override
        public String toString() {
            return "McastAdd[flags=" + flags + ", addr=" + mac(addr) + "]";
        }
    }

    /** {@code u.mcast} with type {@code MCAST_DEL}: {@code addr[6]}@2. */
    record McastDel(int flags, byte[] addr) implements NetifExtraInfo {
        public McastDel {
            Fields.u8("flags", flags);
            addr = Fields.bytes("addr", addr, 6);
        }

        @Override
        public int type() {
            return Netif.EXTRA_TYPE_MCAST_DEL;
        }

        @Override
        public byte[] addr() {
            return addr.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof McastDel m && m.flags == flags && Arrays.equals(m.addr, addr);
        }

        @Override
        public int hashCode() {
            return 37 * flags + Arrays.hashCode(addr);
        }

        @Override
        public String toString() {
            return "McastDel[flags=" + flags + ", addr=" + mac(addr) + "]";
        }
    }

    /**
     * {@code u.hash}: {@code type}@2 ({@code _XEN_NETIF_CTRL_HASH_TYPE_*} bit number), {@code algorithm}@3,
     * {@code value[4]}@4 read as a little-endian u32.
     */
    record Hash(int flags, int hashType, int algorithm, @Unsigned int value) implements NetifExtraInfo {
        public Hash {
            Fields.u8("flags", flags);
            Fields.u8("hashType", hashType);
            Fields.u8("algorithm", algorithm);
        }

        @Override
        public int type() {
            return Netif.EXTRA_TYPE_HASH;
        }
    }

    /** A type {@code netif.h} does not define: the union's six bytes as they were. */
    record Unknown(int type, int flags, byte[] payload) implements NetifExtraInfo {
        public Unknown {
            Fields.u8("type", type);
            Fields.u8("flags", flags);
            if (type >= Netif.EXTRA_TYPE_GSO && type <= Netif.EXTRA_TYPE_HASH) {
                throw new IllegalArgumentException("extra info type " + type + " is a known type, not Unknown");
            }
            payload = Fields.bytes("payload", payload, 6);
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && u.type == type && u.flags == flags && Arrays.equals(u.payload, payload);
        }

        @Override
        public int hashCode() {
            return (type * 31 + flags) * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Unknown[type=" + type + ", flags=" + flags + ", payload=" + Fields.hex(payload) + "]";
        }
    }

    private static String mac(byte[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
            sb.append(i == 0 ? "" : ":").append(String.format("%02x", a[i] & 0xff));
        }
        return sb.toString();
    }

    EntryCodec<NetifExtraInfo> CODEC = new EntryCodec<>() {
        @Override
        public int size() {
            return SIZE;
        }

        @Override
        public NetifExtraInfo decode(MemoryView v, int off) {
            int type = v.getUnsignedByte(off);
            int flags = v.getUnsignedByte(off + 1);
            return switch (type) {
                case Netif.EXTRA_TYPE_GSO -> new Gso(flags, v.getUnsignedShort(off + 2), v.getUnsignedByte(off + 4),
                        v.getUnsignedShort(off + 6));
                case Netif.EXTRA_TYPE_MCAST_ADD -> new McastAdd(flags, v.getBytes(off + 2, 6));
                case Netif.EXTRA_TYPE_MCAST_DEL -> new McastDel(flags, v.getBytes(off + 2, 6));
                case Netif.EXTRA_TYPE_HASH -> new Hash(flags, v.getUnsignedByte(off + 2), v.getUnsignedByte(off + 3),
                        v.getInt(off + 4));
                default -> new Unknown(type, flags, v.getBytes(off + 2, 6));
            };
        }

        @Override
        public void encode(MemoryView v, int off, NetifExtraInfo e) {
            v.putByte(off, (byte) e.type());
            v.putByte(off + 1, (byte) e.flags());
            switch (e) {
                case Gso g -> {
                    v.putShort(off + 2, (short) g.size());
                    v.putByte(off + 4, (byte) g.gsoType());
                    v.putShort(off + 6, (short) g.features());
                }
                case McastAdd m -> v.putBytes(off + 2, m.addr, 0, 6);
                case McastDel m -> v.putBytes(off + 2, m.addr, 0, 6);
                case Hash h -> {
                    v.putByte(off + 2, (byte) h.hashType());
                    v.putByte(off + 3, (byte) h.algorithm());
                    v.putInt(off + 4, h.value());
                }
                case Unknown u -> v.putBytes(off + 2, u.payload, 0, 6);
            }
        }
    };
}
