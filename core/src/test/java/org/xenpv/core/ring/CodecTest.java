package org.xenpv.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.blkif.Blkif;
import org.xenpv.core.ring.blkif.BlkifAbi;
import org.xenpv.core.ring.blkif.BlkifRequest;
import org.xenpv.core.ring.blkif.BlkifResponse;
import org.xenpv.core.ring.blkif.BlkifSegment;
import org.xenpv.core.ring.netif.Netif;
import org.xenpv.core.ring.netif.NetifCtrlRequest;
import org.xenpv.core.ring.netif.NetifCtrlResponse;
import org.xenpv.core.ring.netif.NetifExtraInfo;
import org.xenpv.core.ring.netif.NetifRxRequest;
import org.xenpv.core.ring.netif.NetifRxResponse;
import org.xenpv.core.ring.netif.NetifTxRequest;
import org.xenpv.core.ring.netif.NetifTxResponse;

class CodecTest {

    static <T> T roundTrip(EntryCodec<T> codec, T value) {
        Page p = new Page();
        codec.encode(p, 100, value);
        return codec.decode(p, 100);
    }

    @Test
    void netifRecordsRoundTripWithExtremeValues() {
        List<Object> values = List.of(
                new NetifTxRequest(0xFFFFFFFF, 0xFFFF, Netif.NETTXF_EXTRA_INFO | Netif.NETTXF_MORE_DATA, 0xFFFF, 0xFFFF),
                new NetifTxRequest(0, 0, 0, 0, 0));
        for (Object v : values) {
            assertThat(roundTrip(NetifTxRequest.CODEC, (NetifTxRequest) v)).isEqualTo(v);
        }
        assertThat(roundTrip(NetifTxResponse.CODEC, new NetifTxResponse(0xFFFF, Netif.NETIF_RSP_DROPPED)))
                .isEqualTo(new NetifTxResponse(0xFFFF, -2));
        assertThat(roundTrip(NetifRxRequest.CODEC, new NetifRxRequest(7, 0x80000001)))
                .isEqualTo(new NetifRxRequest(7, 0x80000001));
        assertThat(roundTrip(NetifRxResponse.CODEC, new NetifRxResponse(1, 4095, Netif.NETRXF_GSO_PREFIX, -32768)))
                .isEqualTo(new NetifRxResponse(1, 4095, 16, -32768));
        assertThat(roundTrip(NetifCtrlRequest.CODEC, new NetifCtrlRequest(1, Netif.CTRL_TYPE_SET_HASH_KEY, -1, 2, 3)))
                .isEqualTo(new NetifCtrlRequest(1, 3, -1, 2, 3));
        assertThat(roundTrip(NetifCtrlResponse.CODEC, new NetifCtrlResponse(1, 2, Netif.CTRL_STATUS_BUFFER_OVERFLOW, -1)))
                .isEqualTo(new NetifCtrlResponse(1, 2, 3, -1));
    }

    @Test
    void extraInfoDecodesEveryTypeAndKeepsUnknownBytes() {
        byte[] mac = {1, 2, 3, 4, 5, (byte) 0xff};
        List<NetifExtraInfo> all = List.of(new NetifExtraInfo.Gso(Netif.EXTRA_FLAG_MORE, 1448, Netif.GSO_TYPE_TCPV6, 0),
                new NetifExtraInfo.McastAdd(0, mac), new NetifExtraInfo.McastDel(1, mac),
                new NetifExtraInfo.Hash(0, 3, Netif.CTRL_HASH_ALGORITHM_TOEPLITZ, 0xCAFEBABE),
                new NetifExtraInfo.Unknown(Netif.EXTRA_TYPE_NONE, 0, new byte[] {9, 8, 7, 6, 5, 4}),
                new NetifExtraInfo.Unknown(200, 1, mac));
        for (NetifExtraInfo e : all) {
            assertThat(roundTrip(NetifExtraInfo.CODEC, e)).isEqualTo(e);
        }
        assertThat(all.get(0).more()).isTrue();
        assertThat(all.get(3).type()).isEqualTo(Netif.EXTRA_TYPE_HASH);
        assertThat(all.get(1).toString()).contains("01:02:03:04:05:ff");
        Page p = new Page();
        NetifExtraInfo.CODEC.encode(p, 0, all.get(3));
        assertThat(p.getBytes(4, 4)).as("hash value[4] little-endian").containsExactly(0xBE, 0xBA, 0xFE, 0xCA);
        byte[] copy = ((NetifExtraInfo.McastAdd) all.get(1)).addr();
        copy[0] = 0;
        assertThat(((NetifExtraInfo.McastAdd) all.get(1)).addr()[0]).as("records are immutable").isEqualTo((byte) 1);
    }

    @Test
    void recordsRefuseValuesTheirCFieldCannotHold() {
        assertThatThrownBy(() -> new NetifTxRequest(0, 0x10000, 0, 0, 0))
                .hasMessage("offset is a uint16_t: 65536 out of range 0..65535");
        assertThatThrownBy(() -> new NetifTxResponse(0, 40000)).hasMessageContaining("status is an int16_t");
        assertThatThrownBy(() -> new BlkifSegment(0, 256, 0)).hasMessageContaining("firstSect is a uint8_t");
        assertThatThrownBy(() -> new NetifExtraInfo.Unknown(Netif.EXTRA_TYPE_GSO, 0, new byte[6]))
                .hasMessageContaining("known type");
        assertThatThrownBy(() -> new NetifExtraInfo.McastAdd(0, new byte[5])).hasMessageContaining("addr must be 6 bytes");
        assertThatThrownBy(() -> new BlkifRequest.ReadWrite(Blkif.OP_DISCARD, 0, 0, 0, 0, List.of()))
                .hasMessageContaining("does not use struct blkif_request");
        assertThatThrownBy(() -> new BlkifRequest.ReadWrite(0, 12, 0, 0, 0,
                Collections.nCopies(12, new BlkifSegment(0, 0, 0)))).hasMessageContaining("at most 11");
        assertThatThrownBy(() -> new BlkifRequest.Other(Blkif.OP_READ, 0, null)).hasMessageContaining("own request");
    }

    @Test
    void blkifVariantsRoundTripOnBothAbis() {
        for (BlkifAbi abi : BlkifAbi.values()) {
            var codec = abi.requestCodec();
            List<BlkifRequest> reqs = List.of(
                    BlkifRequest.ReadWrite.of(Blkif.OP_WRITE_BARRIER, 0xffff, -1L, Long.MIN_VALUE,
                            Collections.nCopies(11, new BlkifSegment(-1, 0, 7))),
                    new BlkifRequest.Discard(Blkif.DISCARD_SECURE, 3, 42, 1L << 40, 8),
                    new BlkifRequest.Indirect(Blkif.OP_READ, 4096, 1, 2, 3, List.of(1, 2, 3, 4, 5, 6, 7, -8)));
            for (BlkifRequest r : reqs) {
                assertThat(roundTrip(codec, r)).as("%s %s", abi, r).isEqualTo(r);
            }
            BlkifRequest other = roundTrip(codec, new BlkifRequest.Other(99, 77, new byte[0]));
            assertThat(other).isInstanceOfSatisfying(BlkifRequest.Other.class, o -> {
                assertThat(o.operation()).isEqualTo(99);
                assertThat(o.id()).isEqualTo(77);
                assertThat(o.raw()).hasSize(abi.requestSize());
                assertThat(roundTrip(codec, o)).isEqualTo(o);
            });
            assertThat(roundTrip(abi.responseCodec(), new BlkifResponse(-1, Blkif.OP_INDIRECT, Blkif.RSP_EOPNOTSUPP)))
                    .isEqualTo(new BlkifResponse(-1, 6, -2));
        }
    }

    @Test
    void hostileSegmentCountIsKeptButNotReadPastTheStructure() {
        Page p = new Page();
        p.fill(0, 4096, (byte) 0x11);
        p.putByte(0, (byte) Blkif.OP_READ);
        p.putByte(1, (byte) 200);
        BlkifRequest r = BlkifAbi.X86_64.requestCodec().decode(p, 0);
        assertThat(r).isInstanceOfSatisfying(BlkifRequest.ReadWrite.class, rw -> {
            assertThat(rw.nrSegments()).isEqualTo(200);
            assertThat(rw.segments()).hasSize(Blkif.MAX_SEGMENTS_PER_REQUEST);
        });
    }

    @Test
    void abiOffsetsFollowTheUint64Alignment() {
        Page p = new Page();
        BlkifAbi.X86_32.requestCodec().encode(p, 0, new BlkifRequest.Discard(0, 0, 0x0102030405060708L, 0, 0));
        assertThat(p.getLong(4)).isEqualTo(0x0102030405060708L);
        Page q = new Page();
        BlkifAbi.X86_64.requestCodec().encode(q, 0, new BlkifRequest.Discard(0, 0, 0x0102030405060708L, 0, 0));
        assertThat(q.getLong(8)).isEqualTo(0x0102030405060708L);
        assertThat(BlkifAbi.fromProtocol("x86_32-abi")).isEqualTo(BlkifAbi.X86_32);
        assertThat(BlkifAbi.fromProtocol("x86_64-abi")).isEqualTo(BlkifAbi.X86_64);
        assertThat(BlkifAbi.fromProtocol("arm-abi")).isNull();
        assertThat(Blkif.SEGS_PER_INDIRECT_FRAME).isEqualTo(512);
    }

    @Test
    void encodersLeavePaddingAlone() {
        Page p = new Page();
        p.fill(0, 64, (byte) 0xAA);
        NetifRxRequest.CODEC.encode(p, 0, new NetifRxRequest(0, 0));
        assertThat(p.getUnsignedShort(2)).as("netif_rx_request.pad").isEqualTo(0xAAAA);
        BlkifAbi.X86_64.responseCodec().encode(p, 16, new BlkifResponse(0, 0, 0));
        assertThat(p.getByte(16 + 9)).isEqualTo((byte) 0xAA);
        assertThat(p.getInt(16 + 12)).isEqualTo(0xAAAAAAAA);
        NetifExtraInfo.CODEC.encode(p, 32, new NetifExtraInfo.Gso(0, 0, 0, 0));
        assertThat(p.getByte(32 + 5)).as("u.gso.pad").isEqualTo((byte) 0xAA);
    }
}
