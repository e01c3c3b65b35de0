package org.xenpv.core.ring;

import static org.xenpv.core.golden.GoldenValues.gv;
import static org.xenpv.core.golden.GoldenValues.gv64;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.xenpv.core.golden.GoldenValues;
import org.xenpv.core.mem.MemoryView;
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

/**
 * The Java twin of {@code ring_scenario.c}: the same producer/consumer run, through {@link FrontRing} and
 * {@link BackRing}, with the same field values ({@link GoldenValues}) and the same transcript lines.
 */
final class GoldenScenario {

    /** One structure the scenario writes into a slot, and how a decoded copy of it is recognised. */
    record Entry(EntryCodec<Object> codec, Object value, Predicate<Object> matcher) {
        @SuppressWarnings("unchecked")
        static <T> Entry of(EntryCodec<T> codec, T value) {
            return new Entry((EntryCodec<Object>) codec, value, value::equals);
        }

        boolean matches(Object decoded) {
            return matcher.test(decoded);
        }
    }

    /** A C layout name and what its entry {@code k} is. */
    interface Layout {
        String cName();

        RingLayout<?, ?> ring();

        Entry request(int k);

        Entry response(int k);
    }

    static Layout forName(String cName) {
        return switch (cName) {
            case "netif-tx" -> NETIF_TX;
            case "netif-rx" -> NETIF_RX;
            case "netif-ctrl" -> NETIF_CTRL;
            case "blkif" -> blkif("blkif", BlkifAbi.X86_64);
            case "blkif-x86_32" -> blkif("blkif-x86_32", BlkifAbi.X86_32);
            default -> throw new IllegalArgumentException(cName);
        };
    }

    static boolean isExtra(int k) {
        return k % 7 == 3;
    }

    static NetifExtraInfo extra(int k) {
        int flags = gv(k, 9) & 0xfe;
        switch ((k / 7) % 5) {
            case 0:
                return new NetifExtraInfo.Gso(flags, gv(k, 10) & 0xffff, gv(k, 11) & 0xff, gv(k, 12) & 0xffff);
            case 1:
            case 2: {
                byte[] addr = new byte[6];
                for (int i = 0; i < 6; i++) {
                    addr[i] = (byte) gv(k, 20 + i);
                }
                return (k / 7) % 5 == 1 ? new NetifExtraInfo.McastAdd(flags, addr) : new NetifExtraInfo.McastDel(flags, addr);
            }
            case 3:
                return new NetifExtraInfo.Hash(flags, gv(k, 30) & 0xff, gv(k, 31) & 0xff, gv(k, 32));
            default: {
                byte[] p = new byte[6];
                for (int i = 0; i < 3; i++) {
                    int v = gv(k, 40 + i);
                    p[2 * i] = (byte) v;
                    p[2 * i + 1] = (byte) (v >>> 8);
                }
                return new NetifExtraInfo.Unknown(0x17, flags, p);
            }
        }
    }

    static int netifStatus(int k) {
        return Integer.remainderUnsigned(gv(k, 61), 3) - 2;
    }

    static final Layout NETIF_TX = new Layout() {
        public String cName() {
            return "netif-tx";
        }

        public RingLayout<?, ?> ring() {
            return Netif.TX;
        }

        public Entry request(int k) {
            if (isExtra(k)) {
                return Entry.of(NetifExtraInfo.CODEC, extra(k));
            }
            return Entry.of(NetifTxRequest.CODEC, new NetifTxRequest(gv(k, 1), gv(k, 2) & 0xffff,
                    (gv(k, 3) & 7) | (isExtra(k + 1) ? Netif.NETTXF_EXTRA_INFO : 0), gv(k, 4) & 0xffff, gv(k, 5) & 0xffff));
        }

        public Entry response(int k) {
            return Entry.of(NetifTxResponse.CODEC,
                    new NetifTxResponse(gv(k, 60) & 0xffff, isExtra(k) ? Netif.NETIF_RSP_NULL : netifStatus(k)));
        }
    };

    static final Layout NETIF_RX = new Layout() {
        public String cName() {
            return "netif-rx";
        }

        public RingLayout<?, ?> ring() {
            return Netif.RX;
        }

        public Entry request(int k) {
            return Entry.of(NetifRxRequest.CODEC, new NetifRxRequest(gv(k, 1) & 0xffff, gv(k, 2)));
        }

        public Entry response(int k) {
            if (isExtra(k)) {
                return Entry.of(NetifExtraInfo.CODEC, extra(k));
            }
            return Entry.of(NetifRxResponse.CODEC, new NetifRxResponse(gv(k, 60) & 0xffff, gv(k, 61) & 0xfff,
                    (gv(k, 62) & 7) | (isExtra(k + 1) ? Netif.NETRXF_EXTRA_INFO : 0), (short) gv(k, 63)));
        }
    };

    static final Layout NETIF_CTRL = new Layout() {
        public String cName() {
            return "netif-ctrl";
        }

        public RingLayout<?, ?> ring() {
            return Netif.CTRL;
        }

        public Entry request(int k) {
            return Entry.of(NetifCtrlRequest.CODEC, new NetifCtrlRequest(gv(k, 1) & 0xffff,
                    Integer.remainderUnsigned(gv(k, 2), 11), gv(k, 3), gv(k, 4), gv(k, 5)));
        }

        public Entry response(int k) {
            return Entry.of(NetifCtrlResponse.CODEC, new NetifCtrlResponse(gv(k, 60) & 0xffff,
                    Integer.remainderUnsigned(gv(k, 61), 11), Integer.remainderUnsigned(gv(k, 62), 4), gv(k, 63)));
        }
    };

    static int blkOp(int k) {
        return switch (k % 6) {
            case 0 -> Blkif.OP_READ;
            case 1 -> Blkif.OP_WRITE;
            case 2 -> Blkif.OP_DISCARD;
            case 3 -> Blkif.OP_INDIRECT;
            case 4 -> (k / 6) % 2 != 0 ? Blkif.OP_FLUSH_DISKCACHE : Blkif.OP_WRITE_BARRIER;
            default -> Blkif.OP_RESERVED_1;
        };
    }

    static BlkifRequest blkRequest(int k) {
        int op = blkOp(k);
        switch (op) {
            case Blkif.OP_DISCARD:
                return new BlkifRequest.Discard(gv(k, 4) & Blkif.DISCARD_SECURE, gv(k, 1) & 0xffff, gv64(k, 2), gv64(k, 3),
                        gv64(k, 5));
            case Blkif.OP_INDIRECT: {
                List<Integer> grefs = new ArrayList<>();
                for (int j = 0; j < Blkif.MAX_INDIRECT_PAGES_PER_REQUEST; j++) {
                    grefs.add(gv(k, 80 + j));
                }
                return new BlkifRequest.Indirect(gv(k, 6) & 1, gv(k, 7) & 0xffff, gv(k, 1) & 0xffff, gv64(k, 2),
                        gv64(k, 3), grefs);
            }
            case Blkif.OP_RESERVED_1:
                return new BlkifRequest.Other(op, gv64(k, 2), new byte[0]);
            default: {
                int nr = op == Blkif.OP_FLUSH_DISKCACHE ? 0 : k % 12;
                List<BlkifSegment> segs = new ArrayList<>();
                for (int i = 0; i < nr; i++) {
                    segs.add(new BlkifSegment(gv(k, 20 + i), gv(k, 40 + i) & 7, gv(k, 60 + i) & 0xff));
                }
                return new BlkifRequest.ReadWrite(op, nr, gv(k, 1) & 0xffff, gv64(k, 2), gv64(k, 3), segs);
            }
        }
    }

    static Layout blkif(String cName, BlkifAbi abi) {
        return new Layout() {
            public String cName() {
                return cName;
            }

            public RingLayout<?, ?> ring() {
                return abi.layout();
            }

            public Entry request(int k) {
                BlkifRequest r = blkRequest(k);
                Entry e = Entry.of(abi.requestCodec(), r);
                if (r instanceof BlkifRequest.Other o) {
                    // The C side writes only operation and id of a RESERVED_1 request; the rest of the slot is
                    // whatever it held, which the decoder keeps as raw bytes.
                    return new Entry(e.codec(), r, d -> d instanceof BlkifRequest.Other x
                            && x.operation() == o.operation() && x.id() == o.id() && x.raw().length == abi.requestSize());
                }
                return e;
            }

            public Entry response(int k) {
                return Entry.of(abi.responseCodec(), new BlkifResponse(gv64(k, 90), blkOp(k),
                        Integer.remainderUnsigned(gv(k, 91), 3) - 2));
            }
        };
    }

    /** What a replay leaves: transcript, final private indices, and the last entry written to each slot. */
    record Outcome(List<String> transcript, int reqProdPvt, int rspCons, int rspProdPvt, int reqCons, int size,
                   Map<Integer, Entry> slots, Map<Integer, Integer> slotIndex) {
    }

    private static String u(int v) {
        return Integer.toUnsignedString(v);
    }

    private static String u(long v) {
        return Long.toString(v);
    }

    private static int b(boolean v) {
        return v ? 1 : 0;
    }

    /** Runs the scenario on {@code view} (its whole size is the ring) starting at ring index {@code start}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Outcome replay(Layout layout, MemoryView view, int start) {
        RingLayout ring = layout.ring();
        List<String> t = new ArrayList<>();
        Map<Integer, Entry> slots = new HashMap<>();
        Map<Integer, Integer> slotIndex = new HashMap<>();
        GoldenValues.fillBackground(view, view.size());
        Sring s = new Sring(view);
        s.init();
        s.setReqProd(start);
        s.setRspProd(start);
        s.setReqEvent(start + 1);
        s.setRspEvent(start + 1);
        FrontRing f = FrontRing.attach("golden-front", view, ring, null, start);
        BackRing bk = BackRing.attach("golden-back", view, ring, null, start);
        int n = f.size();
        t.add("geometry size=" + n + " entry=" + ring.entrySize());
        int p1 = n - 2;
        for (int i = 0; i < p1; i++) {
            put(f, layout, start, slots, slotIndex);
        }
        boolean notify = f.pushRequestsAndCheckNotify();
        t.add("push1 notify=" + b(notify) + " free=" + u(f.freeRequests()) + " full=" + b(f.full()));
        boolean work = bk.finalCheckForRequests();
        t.add("final_req1 work=" + b(work) + " unconsumed=" + u(bk.unconsumedRequests()) + " prod_overflow="
                + b(bk.requestProdOverflow(s.reqProd())));
        int c1 = n / 2;
        for (int i = 0; i < c1; i++) {
            take(bk, layout, start);
        }
        for (int i = 0; i < c1; i++) {
            respond(bk, layout, start, slots, slotIndex);
        }
        t.add("push2 notify=" + b(bk.pushResponsesAndCheckNotify()));
        while (bk.reqCons() != s.reqProd()) {
            take(bk, layout, start);
        }
        t.add("consumed req_cons=" + u(bk.reqCons() - start) + " cons_overflow=" + b(bk.requestConsOverflow(bk.reqCons())));
        while (bk.rspProdPvt() != bk.reqCons() - 1) {
            respond(bk, layout, start, slots, slotIndex);
        }
        work = bk.finalCheckForRequests();
        t.add("final_req2 work=" + b(work) + " req_event=" + u(s.reqEvent() - start));
        t.add("push3 notify=" + b(bk.pushResponsesAndCheckNotify()));
        t.add("front_peek unconsumed=" + u(f.unconsumedResponses()) + " rsp_overflow="
                + b(f.responseProdOverflow(s.rspProd())));
        for (int i = 0; i < n / 2 - 1; i++) {
            takeResponse(f, layout, start);
        }
        t.add("final_rsp1 work=" + b(f.finalCheckForResponses()));
        int rp = f.checkedRspProd();
        while (f.rspCons() != rp) {
            takeResponse(f, layout, start);
        }
        work = f.finalCheckForResponses();
        t.add("final_rsp2 work=" + b(work) + " rsp_event=" + u(s.rspEvent() - start));
        put(f, layout, start, slots, slotIndex);
        notify = f.pushRequestsAndCheckNotify();
        t.add("push4 notify=" + b(notify) + " free=" + u(f.freeRequests()));
        for (int i = 0; i < 3; i++) {
            put(f, layout, start, slots, slotIndex);
        }
        notify = f.pushRequestsAndCheckNotify();
        t.add("push5 notify=" + b(notify) + " free=" + u(f.freeRequests()));
        respond(bk, layout, start, slots, slotIndex);
        t.add("push6 notify=" + b(bk.pushResponsesAndCheckNotify()));
        t.add("final req_prod_pvt=" + u(f.reqProdPvt() - start) + " rsp_cons=" + u(f.rspCons() - start)
                + " rsp_prod_pvt=" + u(bk.rspProdPvt() - start) + " req_cons=" + u(bk.reqCons() - start));
        t.add("shared req_prod=" + u(s.reqProd() - start) + " req_event=" + u(s.reqEvent() - start) + " rsp_prod="
                + u(s.rspProd() - start) + " rsp_event=" + u(s.rspEvent() - start));
        t.add("pending requests=" + u(bk.unconsumedRequests()) + " responses=" + u(f.unconsumedResponses()) + " free="
                + u(f.freeRequests()));
        return new Outcome(t, f.reqProdPvt(), f.rspCons(), bk.rspProdPvt(), bk.reqCons(), n, slots, slotIndex);
    }

    private static void put(FrontRing<?, ?> f, Layout layout, int start, Map<Integer, Entry> slots,
                            Map<Integer, Integer> slotIndex) {
        int idx = f.reqProdPvt();
        Entry e = layout.request(idx - start);
        f.putRequest(e.codec(), e.value());
        slots.put(f.geometry().slot(idx), e);
        slotIndex.put(f.geometry().slot(idx), idx);
    }

    private static void respond(BackRing<?, ?> b, Layout layout, int start, Map<Integer, Entry> slots,
                                Map<Integer, Integer> slotIndex) {
        int idx = b.rspProdPvt();
        Entry e = layout.response(idx - start);
        b.putResponse(e.codec(), e.value());
        slots.put(b.geometry().slot(idx), e);
        slotIndex.put(b.geometry().slot(idx), idx);
    }

    private static void take(BackRing<?, ?> b, Layout layout, int start) {
        int idx = b.reqCons();
        Entry e = layout.request(idx - start);
        Object got = b.takeRequest(e.codec());
        if (!e.matches(got)) {
            throw new AssertionError("request at ring index " + u(idx) + ": decoded " + got + ", wrote " + e.value());
        }
    }

    private static void takeResponse(FrontRing<?, ?> f, Layout layout, int start) {
        int idx = f.rspCons();
        Entry e = layout.response(idx - start);
        Object got = f.takeResponse(e.codec());
        if (!e.matches(got)) {
            throw new AssertionError("response at ring index " + u(idx) + ": decoded " + got + ", wrote " + e.value());
        }
    }
}
