package org.xenpv.core.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xenpv.core.golden.CGolden;
import org.xenpv.core.mem.Page;
import org.xenpv.core.ring.blkif.Blkif;
import org.xenpv.core.ring.blkif.BlkifAbi;
import org.xenpv.core.ring.blkif.BlkifRequest;
import org.xenpv.core.ring.blkif.BlkifResponse;
import org.xenpv.core.ring.blkif.BlkifSegment;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.core.ring.netif.Netif;
import org.xenpv.core.ring.netif.NetifCtrlRequest;
import org.xenpv.core.ring.netif.NetifCtrlResponse;
import org.xenpv.core.ring.netif.NetifExtraInfo;
import org.xenpv.core.ring.netif.NetifRxRequest;
import org.xenpv.core.ring.netif.NetifRxResponse;
import org.xenpv.core.ring.netif.NetifTxRequest;
import org.xenpv.core.ring.netif.NetifTxResponse;
import org.xenpv.core.ring.xs.XenstoreRing;

/**
 * Structure sizes and field offsets as gcc lays them out from {@code /usr/include/xen} ({@code ring_layouts.c}
 * prints {@code sizeof}/{@code offsetof}), against the Java codecs. A field's position in a codec is found by
 * encoding a record whose only non-zero field is all ones and locating the bytes that changed, so the test
 * checks where each codec really writes, not a constant it declares.
 */
class RingLayoutGoldenTest {

    /** "name" -> {sizeof} or "struct.field" -> {offset, size}, as printed by ring_layouts.c. */
    static Map<String, int[]> parse(String out) {
        Map<String, int[]> m = new HashMap<>();
        for (String line : out.lines().toList()) {
            String[] w = line.split(" ");
            if (w[0].equals("abi")) {
                continue;
            }
            int[] v = new int[w.length - 1];
            for (int i = 1; i < w.length; i++) {
                v[i - 1] = Integer.parseInt(w[i]);
            }
            m.put(w[0], v);
        }
        return m;
    }

    /** Bytes {@code [from, to)} where {@code probe}'s encoding differs from {@code zero}'s. */
    static <T> int[] span(org.xenpv.core.ring.EntryCodec<T> codec, T zero, T probe) {
        Page a = new Page();
        Page b = new Page();
        codec.encode(a, 0, zero);
        codec.encode(b, 0, probe);
        int from = -1;
        int to = -1;
        for (int i = 0; i < 256; i++) {
            if (a.getByte(i) != b.getByte(i)) {
                if (from < 0) {
                    from = i;
                }
                to = i + 1;
            }
        }
        return new int[] {from, to - from};
    }

    private final List<String> failures = new ArrayList<>();
    private Map<String, int[]> c;

    private void size(String cStruct, int javaSize) {
        int[] v = c.get(cStruct);
        if (v == null) {
            failures.add(cStruct + ": not printed by ring_layouts.c");
        } else if (v[0] != javaSize) {
            failures.add("sizeof(" + cStruct + ") = " + v[0] + " in C, " + javaSize + " in Java");
        }
    }

    private <T> void field(String cField, org.xenpv.core.ring.EntryCodec<T> codec, T zero, T probe) {
        int[] v = c.get(cField);
        int[] j = span(codec, zero, probe);
        if (v == null) {
            failures.add(cField + ": not printed by ring_layouts.c");
        } else if (v[0] != j[0] || v[1] != j[1]) {
            failures.add(cField + ": C offset " + v[0] + " size " + v[1] + ", Java writes offset " + j[0] + " size " + j[1]);
        }
    }

    private void offset(String cField, int javaOffset, int javaSize) {
        int[] v = c.get(cField);
        if (v == null) {
            failures.add(cField + ": not printed by ring_layouts.c");
        } else if (v[0] != javaOffset || v[1] != javaSize) {
            failures.add(cField + ": C offset " + v[0] + " size " + v[1] + ", Java " + javaOffset + " size " + javaSize);
        }
    }

    private void assertNoFailures() {
        assertThat(failures).as("layout differences between the C headers and the Java codecs").isEmpty();
    }

    @Test
    void x86_64LayoutsMatchJavaCodecs() {
        CGolden.assumeAvailable();
        c = parse(CGolden.runOk(CGolden.compile("ring_layouts.c")));
        checkAbiIndependent();
        checkBlkif("blkif", BlkifAbi.X86_64);
        checkBlkif("blkif_x86_32", BlkifAbi.X86_32); // the #pragma pack(4) emulation of blkif_x86_32.h
        assertNoFailures();
    }

    @Test
    void nativeI386LayoutsMatchJavaX86_32Codecs() {
        CGolden.assumeAvailable();
        CGolden.assumeM32();
        String out = CGolden.runOk(CGolden.compile32("ring_layouts.c"));
        assertThat(out).startsWith("abi x86_32");
        c = parse(out);
        checkAbiIndependent();
        checkBlkif("blkif", BlkifAbi.X86_32);
        assertNoFailures();
    }

    @Test
    void packedEmulationEqualsNativeI386Layout() {
        CGolden.assumeAvailable();
        CGolden.assumeM32();
        Map<String, int[]> emulated = parse(CGolden.runOk(CGolden.compile("ring_layouts.c")));
        Map<String, int[]> nativ = parse(CGolden.runOk(CGolden.compile32("ring_layouts.c")));
        int compared = 0;
        for (Map.Entry<String, int[]> e : emulated.entrySet()) {
            String k = e.getKey();
            if (k.contains("blkif_x86_32")) {
                String nk = k.replace("blkif_x86_32", "blkif");
                assertThat(nativ.get(nk)).as("native i386 %s vs emulated %s", nk, k).containsExactly(e.getValue());
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(25);
    }

    private void checkAbiIndependent() {
        offset("netif_tx_sring.req_prod", Sring.REQ_PROD, 4);
        offset("netif_tx_sring.req_event", Sring.REQ_EVENT, 4);
        offset("netif_tx_sring.rsp_prod", Sring.RSP_PROD, 4);
        offset("netif_tx_sring.rsp_event", Sring.RSP_EVENT, 4);
        offset("netif_tx_sring.pvt", Sring.PVT, Sring.PVT_SIZE);
        offset("netif_tx_sring.__pad", Sring.PAD, Sring.PAD_SIZE);
        offset("netif_tx_sring.ring", Sring.HEADER_SIZE, Netif.TX.entrySize());

        size("netif_tx_request", NetifTxRequest.CODEC.size());
        var tx0 = new NetifTxRequest(0, 0, 0, 0, 0);
        field("netif_tx_request.gref", NetifTxRequest.CODEC, tx0, new NetifTxRequest(-1, 0, 0, 0, 0));
        field("netif_tx_request.offset", NetifTxRequest.CODEC, tx0, new NetifTxRequest(0, 0xffff, 0, 0, 0));
        field("netif_tx_request.flags", NetifTxRequest.CODEC, tx0, new NetifTxRequest(0, 0, 0xffff, 0, 0));
        field("netif_tx_request.id", NetifTxRequest.CODEC, tx0, new NetifTxRequest(0, 0, 0, 0xffff, 0));
        field("netif_tx_request.size", NetifTxRequest.CODEC, tx0, new NetifTxRequest(0, 0, 0, 0, 0xffff));
        size("netif_tx_response", NetifTxResponse.CODEC.size());
        var txr0 = new NetifTxResponse(0, 0);
        field("netif_tx_response.id", NetifTxResponse.CODEC, txr0, new NetifTxResponse(0xffff, 0));
        field("netif_tx_response.status", NetifTxResponse.CODEC, txr0, new NetifTxResponse(0, -1));
        size("netif_rx_request", NetifRxRequest.CODEC.size());
        var rx0 = new NetifRxRequest(0, 0);
        field("netif_rx_request.id", NetifRxRequest.CODEC, rx0, new NetifRxRequest(0xffff, 0));
        field("netif_rx_request.gref", NetifRxRequest.CODEC, rx0, new NetifRxRequest(0, -1));
        size("netif_rx_response", NetifRxResponse.CODEC.size());
        var rxr0 = new NetifRxResponse(0, 0, 0, 0);
        field("netif_rx_response.id", NetifRxResponse.CODEC, rxr0, new NetifRxResponse(0xffff, 0, 0, 0));
        field("netif_rx_response.offset", NetifRxResponse.CODEC, rxr0, new NetifRxResponse(0, 0xffff, 0, 0));
        field("netif_rx_response.flags", NetifRxResponse.CODEC, rxr0, new NetifRxResponse(0, 0, 0xffff, 0));
        field("netif_rx_response.status", NetifRxResponse.CODEC, rxr0, new NetifRxResponse(0, 0, 0, -1));

        size("netif_extra_info", NetifExtraInfo.CODEC.size());
        NetifExtraInfo gso0 = new NetifExtraInfo.Gso(0, 0, 0, 0);
        byte[] ones6 = {-1, -1, -1, -1, -1, -1};
        field("netif_extra_info.type", NetifExtraInfo.CODEC, new NetifExtraInfo.Unknown(0, 0, new byte[6]),
                new NetifExtraInfo.Unknown(0xff, 0, new byte[6]));
        field("netif_extra_info.flags", NetifExtraInfo.CODEC, gso0, new NetifExtraInfo.Gso(0xff, 0, 0, 0));
        field("netif_extra_info.u", NetifExtraInfo.CODEC, new NetifExtraInfo.Unknown(0, 0, new byte[6]),
                new NetifExtraInfo.Unknown(0, 0, ones6));
        field("netif_extra_info.u.gso.size", NetifExtraInfo.CODEC, gso0, new NetifExtraInfo.Gso(0, 0xffff, 0, 0));
        field("netif_extra_info.u.gso.type", NetifExtraInfo.CODEC, gso0, new NetifExtraInfo.Gso(0, 0, 0xff, 0));
        field("netif_extra_info.u.gso.features", NetifExtraInfo.CODEC, gso0, new NetifExtraInfo.Gso(0, 0, 0, 0xffff));
        offset("netif_extra_info.u.gso.pad", 5, 1); // never written by the codec: between type and features
        field("netif_extra_info.u.mcast.addr", NetifExtraInfo.CODEC, new NetifExtraInfo.McastAdd(0, new byte[6]),
                new NetifExtraInfo.McastAdd(0, ones6));
        NetifExtraInfo hash0 = new NetifExtraInfo.Hash(0, 0, 0, 0);
        field("netif_extra_info.u.hash.type", NetifExtraInfo.CODEC, hash0, new NetifExtraInfo.Hash(0, 0xff, 0, 0));
        field("netif_extra_info.u.hash.algorithm", NetifExtraInfo.CODEC, hash0, new NetifExtraInfo.Hash(0, 0, 0xff, 0));
        field("netif_extra_info.u.hash.value", NetifExtraInfo.CODEC, hash0, new NetifExtraInfo.Hash(0, 0, 0, -1));

        size("xen_netif_ctrl_request", NetifCtrlRequest.CODEC.size());
        var cq0 = new NetifCtrlRequest(0, 0, 0, 0, 0);
        field("xen_netif_ctrl_request.id", NetifCtrlRequest.CODEC, cq0, new NetifCtrlRequest(0xffff, 0, 0, 0, 0));
        field("xen_netif_ctrl_request.type", NetifCtrlRequest.CODEC, cq0, new NetifCtrlRequest(0, 0xffff, 0, 0, 0));
        field("xen_netif_ctrl_request.data", NetifCtrlRequest.CODEC, cq0, new NetifCtrlRequest(0, 0, -1, -1, -1));
        size("xen_netif_ctrl_response", NetifCtrlResponse.CODEC.size());
        var cr0 = new NetifCtrlResponse(0, 0, 0, 0);
        field("xen_netif_ctrl_response.id", NetifCtrlResponse.CODEC, cr0, new NetifCtrlResponse(0xffff, 0, 0, 0));
        field("xen_netif_ctrl_response.type", NetifCtrlResponse.CODEC, cr0, new NetifCtrlResponse(0, 0xffff, 0, 0));
        field("xen_netif_ctrl_response.status", NetifCtrlResponse.CODEC, cr0, new NetifCtrlResponse(0, 0, -1, 0));
        field("xen_netif_ctrl_response.data", NetifCtrlResponse.CODEC, cr0, new NetifCtrlResponse(0, 0, 0, -1));

        size("blkif_request_segment", BlkifSegment.CODEC.size());
        var s0 = new BlkifSegment(0, 0, 0);
        field("blkif_request_segment.gref", BlkifSegment.CODEC, s0, new BlkifSegment(-1, 0, 0));
        field("blkif_request_segment.first_sect", BlkifSegment.CODEC, s0, new BlkifSegment(0, 0xff, 0));
        field("blkif_request_segment.last_sect", BlkifSegment.CODEC, s0, new BlkifSegment(0, 0, 0xff));

        size("entry.netif_tx", Netif.TX.entrySize());
        size("entry.netif_rx", Netif.RX.entrySize());
        size("entry.xen_netif_ctrl", Netif.CTRL.entrySize());
        size("ring.netif_tx", Netif.TX.geometry(Page.SIZE).size());
        size("ring.netif_rx", Netif.RX.geometry(Page.SIZE).size());
        size("ring.xen_netif_ctrl", Netif.CTRL.geometry(Page.SIZE).size());

        size("xencons_interface", ConsoleRing.SIZE);
        offset("xencons_interface.in", ConsoleRing.IN, ConsoleRing.IN_SIZE);
        offset("xencons_interface.out", ConsoleRing.OUT, ConsoleRing.OUT_SIZE);
        offset("xencons_interface.in_cons", ConsoleRing.IN_CONS, 4);
        offset("xencons_interface.in_prod", ConsoleRing.IN_PROD, 4);
        offset("xencons_interface.out_cons", ConsoleRing.OUT_CONS, 4);
        offset("xencons_interface.out_prod", ConsoleRing.OUT_PROD, 4);
        size("xenstore_domain_interface", XenstoreRing.SIZE);
        offset("xenstore_domain_interface.req", XenstoreRing.REQ, XenstoreRing.RING_SIZE);
        offset("xenstore_domain_interface.rsp", XenstoreRing.RSP, XenstoreRing.RING_SIZE);
        offset("xenstore_domain_interface.req_cons", XenstoreRing.REQ_CONS, 4);
        offset("xenstore_domain_interface.req_prod", XenstoreRing.REQ_PROD, 4);
        offset("xenstore_domain_interface.rsp_cons", XenstoreRing.RSP_CONS, 4);
        offset("xenstore_domain_interface.rsp_prod", XenstoreRing.RSP_PROD, 4);
        offset("xenstore_domain_interface.server_features", XenstoreRing.SERVER_FEATURES, 4);
        offset("xenstore_domain_interface.connection", XenstoreRing.CONNECTION, 4);
        offset("xenstore_domain_interface.error", XenstoreRing.ERROR, 4);
        size("xsd_sockmsg", 16); // reference §1.1; the codec lives in the xenstore module
    }

    private void checkBlkif(String p, BlkifAbi abi) {
        var codec = abi.requestCodec();
        List<BlkifSegment> none = List.of();
        size(p + "_request", abi.requestSize());
        size(p + "_request", codec.size());
        BlkifRequest rw0 = new BlkifRequest.ReadWrite(0, 0, 0, 0, 0, none);
        field(p + "_request.operation", codec, rw0, new BlkifRequest.ReadWrite(3, 0, 0, 0, 0, none));
        offset(p + "_request.operation", 0, 1);
        field(p + "_request.nr_segments", codec, rw0, new BlkifRequest.ReadWrite(0, 0xff, 0, 0, 0, none));
        field(p + "_request.handle", codec, rw0, new BlkifRequest.ReadWrite(0, 0, 0xffff, 0, 0, none));
        field(p + "_request.id", codec, rw0, new BlkifRequest.ReadWrite(0, 0, 0, -1, 0, none));
        field(p + "_request.sector_number", codec, rw0, new BlkifRequest.ReadWrite(0, 0, 0, 0, -1, none));
        int[] seg = span(codec, rw0, new BlkifRequest.ReadWrite(0, 0, 0, 0, 0, List.of(new BlkifSegment(-1, 0, 0))));
        offset(p + "_request.seg", seg[0], Blkif.MAX_SEGMENTS_PER_REQUEST * BlkifSegment.SIZE);
        int[] seg11 = span(codec, rw0, new BlkifRequest.ReadWrite(0, 0, 0, 0, 0,
                Collections.nCopies(Blkif.MAX_SEGMENTS_PER_REQUEST, new BlkifSegment(0, 0, 0xff))));
        // the last segment's last_sect is byte 5 of the 8-byte segment: the array ends 2 bytes later
        offset(p + "_request.seg", seg[0], seg11[0] + seg11[1] + 2 - seg[0]);

        size(p + "_request_discard", abi.discardSize());
        BlkifRequest d0 = new BlkifRequest.Discard(0, 0, 0, 0, 0);
        offset(p + "_request_discard.operation", 0, 1);
        field(p + "_request_discard.flag", codec, d0, new BlkifRequest.Discard(0xff, 0, 0, 0, 0));
        field(p + "_request_discard.handle", codec, d0, new BlkifRequest.Discard(0, 0xffff, 0, 0, 0));
        field(p + "_request_discard.id", codec, d0, new BlkifRequest.Discard(0, 0, -1, 0, 0));
        field(p + "_request_discard.sector_number", codec, d0, new BlkifRequest.Discard(0, 0, 0, -1, 0));
        field(p + "_request_discard.nr_sectors", codec, d0, new BlkifRequest.Discard(0, 0, 0, 0, -1));

        size(p + "_request_indirect", abi.indirectSize());
        List<Integer> g0 = Collections.nCopies(8, 0);
        BlkifRequest i0 = new BlkifRequest.Indirect(0, 0, 0, 0, 0, g0);
        offset(p + "_request_indirect.operation", 0, 1);
        field(p + "_request_indirect.indirect_op", codec, i0, new BlkifRequest.Indirect(0xff, 0, 0, 0, 0, g0));
        field(p + "_request_indirect.nr_segments", codec, i0, new BlkifRequest.Indirect(0, 0xffff, 0, 0, 0, g0));
        field(p + "_request_indirect.id", codec, i0, new BlkifRequest.Indirect(0, 0, 0, -1, 0, g0));
        field(p + "_request_indirect.sector_number", codec, i0, new BlkifRequest.Indirect(0, 0, 0, 0, -1, g0));
        field(p + "_request_indirect.handle", codec, i0, new BlkifRequest.Indirect(0, 0, 0xffff, 0, 0, g0));
        field(p + "_request_indirect.indirect_grefs", codec, i0,
                new BlkifRequest.Indirect(0, 0, 0, 0, 0, Collections.nCopies(8, -1)));

        var rc = abi.responseCodec();
        size(p + "_response", abi.responseSize());
        size(p + "_response", rc.size());
        var r0 = new BlkifResponse(0, 0, 0);
        field(p + "_response.id", rc, r0, new BlkifResponse(-1, 0, 0));
        field(p + "_response.operation", rc, r0, new BlkifResponse(0, 0xff, 0));
        field(p + "_response.status", rc, r0, new BlkifResponse(0, 0, -1));

        size("entry." + p, abi.layout().entrySize());
        for (int order = 0; order <= 4; order++) {
            size("ring." + p + ".order" + order, abi.layout().geometry(Page.SIZE << order).size());
            size("ring." + p + ".order" + order, RingGeometry.forOrder(order, abi.layout().entrySize()).size());
        }
    }
}
