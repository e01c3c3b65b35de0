package org.xenpv.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.EventLog;
import org.xenpv.core.log.LogEntry;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;
import org.xenpv.core.mem.PageSpan;
import org.xenpv.core.ring.blkif.Blkif;
import org.xenpv.core.ring.blkif.BlkifAbi;
import org.xenpv.core.ring.blkif.BlkifRequest;
import org.xenpv.core.ring.blkif.BlkifResponse;
import org.xenpv.core.ring.blkif.BlkifSegment;
import org.xenpv.core.ring.netif.Netif;
import org.xenpv.core.ring.netif.NetifTxRequest;
import org.xenpv.core.ring.netif.NetifTxResponse;
import org.xenpv.core.sim.Kernel;

class FrontBackRingTest {

    /** A 1000-byte entry holding one u32: 4 slots per page, small enough to fill by hand. */
    record Num(int v) {
        static final EntryCodec<Num> CODEC = new EntryCodec<>() {
            public int size() {
                return 1000;
            }

            public Num decode(MemoryView view, int off) {
                return new Num(view.getInt(off));
            }

            public void encode(MemoryView view, int off, Num n) {
                view.putInt(off, n.v);
            }
        };
    }

    static final RingLayout<Num, Num> SMALL = new RingLayout<>("small", Num.CODEC, Num.CODEC);

    @Test
    void operationsThroughTheCallersPageAreTheRingsOwnAndRefuseAnotherPage() {
        Page page = new Page();
        FrontRing<Num, Num> f = FrontRing.init("t", page, SMALL);
        BackRing<Num, Num> b = BackRing.init("t", page, SMALL);
        // Nothing pending: the final checks arm the event indices one past the consumers.
        assertThat(b.finalCheckForRequests(page)).isFalse();
        assertThat(f.finalCheckForResponses(page)).isFalse();
        assertThat(f.sring().peek()).isEqualTo(new Sring.Indices(0, 1, 0, 1));
        f.putRequest(new Num(7));
        f.putRequest(new Num(70));
        // req_event 1 lies in (0, 2]: notify, and the backend then finds both requests.
        assertThat(f.pushRequestsAndCheckNotify(page)).isTrue();
        assertThat(b.checkedReqProd(page)).isEqualTo(2);
        assertThat(b.finalCheckForRequests(page)).isTrue();
        assertThat(b.takeRequest()).isEqualTo(new Num(7));
        assertThat(b.takeRequest()).isEqualTo(new Num(70));
        b.putResponse(new Num(8));
        assertThat(b.pushResponsesAndCheckNotify(page)).isTrue();
        assertThat(f.checkedRspProd(page)).isEqualTo(1);
        assertThat(f.finalCheckForResponses(page)).isTrue();
        assertThat(f.takeResponse()).isEqualTo(new Num(8));
        // The frontend has not re-armed rsp_event (still 1): the second response is pushed without a notify.
        b.putResponse(new Num(80));
        assertThat(b.pushResponsesAndCheckNotify(page)).isFalse();
        assertThat(f.sring().peek()).isEqualTo(new Sring.Indices(2, 1, 2, 1));

        Page other = new Page();
        assertThatThrownBy(() -> f.checkedRspProd(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ring t: ").hasMessageEndingWith(" is not this ring's shared page");
        assertThatThrownBy(() -> f.pushRequestsAndCheckNotify(other)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.finalCheckForResponses(other)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.checkedReqProd(other)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.pushResponsesAndCheckNotify(other)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.finalCheckForRequests(other)).isInstanceOf(IllegalArgumentException.class);
        // Refused before anything was read or written.
        assertThat(other.toByteArray()).containsOnly(0);
    }

    @Test
    void sringMacroHalvesPublishArmAndRecheck() {
        Page page = new Page();
        new Sring(page).init();
        // req_event 1: a push of (0, 3] must notify; with req_event moved to 5, a push of (3, 4] must not.
        assertThat(Sring.publishAndCheckNotify(page, null, Sring.REQ_PROD, Sring.REQ_EVENT, 0, 3)).isTrue();
        assertThat(Sring.load(page, null, Sring.REQ_PROD)).isEqualTo(3);
        Sring.store(page, null, Sring.REQ_EVENT, 5);
        assertThat(Sring.publishAndCheckNotify(page, null, Sring.REQ_PROD, Sring.REQ_EVENT, 3, 4)).isFalse();
        // A consumer at 4 that found nothing arms req_event = cons + 1 = 5, and reads req_prod again.
        assertThat(Sring.setEventAndRecheck(page, null, Sring.REQ_EVENT, Sring.REQ_PROD, 4)).isEqualTo(4);
        assertThat(new Sring(page).peek()).isEqualTo(new Sring.Indices(4, 5, 0, 1));
        // Across the u32 wrap: old 0xfffffffe, new 1, event 0xffffffff lies in between.
        Sring.store(page, null, Sring.RSP_EVENT, 0xffffffff);
        assertThat(Sring.publishAndCheckNotify(page, null, Sring.RSP_PROD, Sring.RSP_EVENT, 0xfffffffe, 1)).isTrue();
    }

    @Test
    void fillAndDrainAFourSlotRing() {
        Page page = new Page();
        FrontRing<Num, Num> f = FrontRing.init("t", page, SMALL);
        BackRing<Num, Num> b = BackRing.init("t", page, SMALL);
        assertThat(f.size()).isEqualTo(4);
        assertThat(f.freeRequests()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            f.putRequest(new Num(100 + i));
        }
        assertThat(f.full()).isTrue();
        assertThatThrownBy(() -> f.putRequest(new Num(0))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ring t full: req_prod_pvt=4 rsp_cons=0");
        assertThat(b.hasUnconsumedRequests()).as("nothing is visible before the push").isFalse();
        assertThat(f.pushRequestsAndCheckNotify()).as("req_event 1 lies in (0, 4]").isTrue();

        int rp = b.checkedReqProd();
        assertThat(rp).isEqualTo(4);
        assertThat(b.unconsumedRequests()).isEqualTo(4);
        List<Num> got = new ArrayList<>();
        while (b.reqCons() != rp && !b.requestConsOverflow(b.reqCons())) {
            got.add(b.takeRequest());
        }
        assertThat(got).containsExactly(new Num(100), new Num(101), new Num(102), new Num(103));
        for (Num n : got) {
            b.putResponse(new Num(n.v() + 1000));
        }
        assertThatThrownBy(() -> b.putResponse(new Num(0))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no consumed request left to answer");
        assertThat(b.pushResponsesAndCheckNotify()).isTrue();
        assertThat(b.finalCheckForRequests()).isFalse();
        assertThat(page.getInt(Sring.REQ_EVENT)).isEqualTo(5);

        assertThat(f.unconsumedResponses()).isEqualTo(4);
        assertThat(f.full()).as("responses still occupy the slots until consumed").isTrue();
        int rsp = f.checkedRspProd();
        List<Integer> answers = new ArrayList<>();
        while (f.rspCons() != rsp) {
            answers.add(f.takeResponse().v());
        }
        assertThat(answers).containsExactly(1100, 1101, 1102, 1103);
        assertThat(f.freeRequests()).isEqualTo(4);
        assertThat(f.finalCheckForResponses()).isFalse();
        assertThat(page.getInt(Sring.RSP_EVENT)).isEqualTo(5);
    }

    @Test
    void pushNotifiesOnlyWhenTheConsumerAskedForIt() {
        Page page = new Page();
        FrontRing<Num, Num> f = FrontRing.init("t", page, SMALL);
        BackRing<Num, Num> b = BackRing.init("t", page, SMALL);
        f.putRequest(new Num(1));
        assertThat(f.pushRequestsAndCheckNotify()).isTrue();
        f.putRequest(new Num(2));
        assertThat(f.pushRequestsAndCheckNotify()).as("req_event 1 is behind the old req_prod 1").isFalse();
        b.takeRequest();
        b.takeRequest();
        assertThat(b.finalCheckForRequests()).isFalse(); // req_event = 3
        f.putRequest(new Num(3));
        assertThat(f.pushRequestsAndCheckNotify()).as("req_event 3 = new req_prod").isTrue();
        f.putRequest(new Num(4));
        assertThat(f.pushRequestsAndCheckNotify()).as("req_event 3 = old req_prod").isFalse();
        assertThat(f.pushRequestsAndCheckNotify()).as("nothing new").isFalse();
    }

    @Test
    void finalCheckForResponsesSeesAPushThatRacedWithTheEventStore() {
        HookedView page = new HookedView();
        FrontRing<Num, Num> f = FrontRing.init("t", page, SMALL);
        BackRing<Num, Num> b = BackRing.init("t", page, SMALL);
        f.putRequest(new Num(1));
        f.putRequest(new Num(2));
        f.pushRequests();
        b.takeRequest();
        b.takeRequest();
        b.putResponse(new Num(11));
        b.pushResponsesAndCheckNotify();
        f.takeResponse(); // the frontend polls: rsp_event stays 1
        boolean[] notified = {true};
        page.beforeStore(Sring.RSP_EVENT, () -> {
            // The backend answers the second request between the frontend's first check and its event store.
            b.putResponse(new Num(12));
            notified[0] = b.pushResponsesAndCheckNotify();
        });
        assertThat(f.finalCheckForResponses()).as("the re-check after the fence finds the response").isTrue();
        assertThat(notified[0]).as("the backend saw a stale rsp_event and did not notify").isFalse();
        assertThat(f.takeResponse()).isEqualTo(new Num(12));
    }

    @Test
    void finalCheckForRequestsSeesAPushThatRacedWithTheEventStore() {
        HookedView page = new HookedView();
        FrontRing<Num, Num> f = FrontRing.init("t", page, SMALL);
        BackRing<Num, Num> b = BackRing.init("t", page, SMALL);
        f.putRequest(new Num(1));
        f.pushRequestsAndCheckNotify();
        b.takeRequest(); // req_event stays 1: the backend has not re-armed yet
        boolean[] notified = {true};
        page.beforeStore(Sring.REQ_EVENT, () -> {
            f.putRequest(new Num(2));
            notified[0] = f.pushRequestsAndCheckNotify();
        });
        assertThat(b.finalCheckForRequests()).isTrue();
        assertThat(notified[0]).isFalse();
        assertThat(b.takeRequest()).isEqualTo(new Num(2));
    }

    @Test
    void aPushAfterTheFinalCheckNotifies() {
        Page page = new Page();
        FrontRing<Num, Num> f = FrontRing.init("t", page, SMALL);
        BackRing<Num, Num> b = BackRing.init("t", page, SMALL);
        f.putRequest(new Num(1));
        f.putRequest(new Num(2));
        f.pushRequests();
        b.takeRequest();
        b.takeRequest();
        b.putResponse(new Num(1));
        b.pushResponses();
        f.takeResponse();
        assertThat(f.finalCheckForResponses()).isFalse();
        b.putResponse(new Num(2));
        assertThat(b.pushResponsesAndCheckNotify()).isTrue();
    }

    @Test
    void hostileResponseProducerIsDetected() {
        Page page = new Page();
        FrontRing<Num, Num> f = FrontRing.init("vbd", page, SMALL);
        assertThat(f.responseProdOverflow(4)).isFalse();
        assertThat(f.responseProdOverflow(5)).isTrue();
        assertThat(f.responseProdOverflow(-1)).as("rsp_prod behind rsp_cons").isTrue();
        page.putInt(Sring.RSP_PROD, 6);
        assertThatThrownBy(f::checkedRspProd).isInstanceOf(RingIndexException.class)
                .hasMessage("vbd: illegal ring indices rsp_prod=6 rsp_cons=0 (illegal number of responses 6 > ring size 4)")
                .satisfies(e -> assertThat(((RingIndexException) e).fault().ring()).isEqualTo("vbd"));
        page.putInt(Sring.RSP_PROD, 0xFFFFFFFF);
        assertThatThrownBy(f::checkedRspProd).hasMessageContaining("rsp_prod=4294967295 rsp_cons=0");
        page.putInt(Sring.RSP_PROD, 4);
        assertThat(f.checkedRspProd()).isEqualTo(4);
    }

    @Test
    void hostileRequestProducerIsDetectedAndConsumptionStaysBounded() {
        Page page = new Page();
        FrontRing.init("vif", page, SMALL);
        int start = 0xFFFFFFFE;
        BackRing<Num, Num> b = BackRing.attach("vif", page, SMALL, null, start);
        page.putInt(Sring.REQ_PROD, start + 4);
        assertThat(b.requestProdOverflow(start + 4)).isFalse();
        assertThat(b.checkedReqProd()).isEqualTo(2);
        page.putInt(Sring.REQ_PROD, start + 1000);
        assertThat(b.requestProdOverflow(start + 1000)).isTrue();
        assertThat(b.unconsumedRequests()).as("bounded by the slots the backend can answer").isEqualTo(4);
        assertThatThrownBy(b::checkedReqProd).isInstanceOf(RingIndexException.class)
                .hasMessage("vif: illegal ring indices req_prod=998 req_cons=4294967294 rsp_prod_pvt=4294967294"
                        + " (1000 requests > ring size 4)");
        // A backend that ignores req_prod still stops after RING_SIZE unanswered requests.
        int taken = 0;
        while (!b.requestConsOverflow(b.reqCons())) {
            b.takeRequest();
            taken++;
        }
        assertThat(taken).isEqualTo(4);
        assertThat(b.unconsumedRequests()).isZero();
        b.putResponse(new Num(0));
        assertThat(b.requestConsOverflow(b.reqCons())).isFalse();
        assertThat(b.unconsumedRequests()).isEqualTo(1);
    }

    @Test
    void indicesWrapAt2To32() {
        Page page = new Page();
        int start = 0xFFFFFFF0;
        Sring s = new Sring(page);
        s.init();
        s.setReqProd(start);
        s.setRspProd(start);
        s.setReqEvent(start + 1);
        s.setRspEvent(start + 1);
        FrontRing<NetifTxRequest, NetifTxResponse> f = FrontRing.attach("tx", page, Netif.TX, null, start);
        BackRing<NetifTxRequest, NetifTxResponse> b = BackRing.attach("tx", page, Netif.TX, null, start);
        int sent = 0;
        int answered = 0;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 3; i++) {
                f.putRequest(new NetifTxRequest(sent, 0, 0, sent & 0xffff, 60));
                sent++;
            }
            // the backend's final check left req_event = req_cons + 1, the first of these three
            assertThat(f.pushRequestsAndCheckNotify()).isTrue();
            int rp = b.checkedReqProd();
            while (b.reqCons() != rp) {
                NetifTxRequest r = b.takeRequest();
                assertThat(r.gref()).isEqualTo(answered);
                b.putResponse(new NetifTxResponse(r.id(), Netif.NETIF_RSP_OKAY));
                answered++;
            }
            b.pushResponsesAndCheckNotify();
            assertThat(b.finalCheckForRequests()).isFalse();
            int rsp = f.checkedRspProd();
            while (f.rspCons() != rsp) {
                f.takeResponse();
            }
            assertThat(f.finalCheckForResponses()).isFalse();
            assertThat(f.freeRequests()).isEqualTo(256);
        }
        assertThat(f.reqProdPvt()).isEqualTo(start + 60).isEqualTo(44);
        assertThat(s.reqProd()).isEqualTo(44);
        assertThat(s.reqEvent()).isEqualTo(45);
        assertThat(f.peekRequest(43)).isEqualTo(new NetifTxRequest(59, 0, 0, 59, 60));
        assertThat(f.slotOffset(43)).isEqualTo(f.slotOffset(start + 59)).isEqualTo(64 + (59 - 16) * 12);
    }

    @Test
    void entriesStraddlingPageBoundariesOfAMultiPageRing() {
        for (BlkifAbi abi : BlkifAbi.values()) {
            List<Page> pages = List.of(new Page(), new Page(), new Page(), new Page());
            MemoryView span = new PageSpan(pages);
            FrontRing<BlkifRequest, BlkifResponse> f = FrontRing.init("vbd", span, abi.layout());
            BackRing<BlkifRequest, BlkifResponse> b = BackRing.init("vbd", span, abi.layout());
            assertThat(f.size()).isEqualTo(128);
            int straddling = 0;
            for (int idx = 0; idx < f.size(); idx++) {
                int off = f.slotOffset(idx);
                int boundary = (off / Page.SIZE + 1) * Page.SIZE;
                if (off + abi.requestSize() <= boundary) {
                    f.putRequest(BlkifRequest.ReadWrite.of(Blkif.OP_READ, 0, idx, 0, List.of()));
                    f.pushRequests();
                    b.takeRequest();
                    b.putResponse(new BlkifResponse(idx, Blkif.OP_READ, 0));
                    b.pushResponses();
                    f.takeResponse();
                    continue;
                }
                straddling++;
                List<BlkifSegment> segs = new ArrayList<>();
                for (int i = 0; i < Blkif.MAX_SEGMENTS_PER_REQUEST; i++) {
                    segs.add(new BlkifSegment(0xA0000000 + idx * 16 + i, i % 8, 7));
                }
                BlkifRequest req = BlkifRequest.ReadWrite.of(Blkif.OP_WRITE, 0x51, 0x1122334455667788L + idx,
                        0x8877665544332211L, segs);
                f.putRequest(req);
                f.pushRequests();
                assertThat(b.takeRequest()).isEqualTo(req);
                // The bytes are split across the two frames exactly as a flat encoding lays them out.
                Page flat = new Page();
                abi.requestCodec().encode(flat, 0, req);
                int head = boundary - off;
                Page first = pages.get(off / Page.SIZE);
                Page second = pages.get(off / Page.SIZE + 1);
                assertThat(first.getBytes(off % Page.SIZE, head)).isEqualTo(flat.getBytes(0, head));
                assertThat(second.getBytes(0, abi.requestSize() - head))
                        .isEqualTo(flat.getBytes(head, abi.requestSize() - head));
                BlkifResponse rsp = new BlkifResponse(0x1122334455667788L + idx, Blkif.OP_WRITE, Blkif.RSP_ERROR);
                b.putResponse(rsp);
                b.pushResponses();
                assertThat(f.takeResponse()).isEqualTo(rsp);
            }
            assertThat(straddling).as("%s slots across a page boundary", abi).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void toStringShowsIndicesAndLiveSlots() {
        Page page = new Page();
        FrontRing<NetifTxRequest, NetifTxResponse> f = FrontRing.init("d1/vif0-tx", page, Netif.TX);
        BackRing<NetifTxRequest, NetifTxResponse> b = BackRing.init("d1/vif0-tx", page, Netif.TX);
        f.putRequest(new NetifTxRequest(7, 0, 0, 1, 60));
        f.putRequest(new NetifTxRequest(8, 0, 0, 2, 60));
        f.pushRequests();
        f.putRequest(new NetifTxRequest(9, 0, 0, 3, 60));
        b.takeRequest();
        b.putResponse(new NetifTxResponse(1, 0));
        b.pushResponses();
        String fs = f.toString();
        assertThat(fs).contains("FrontRing d1/vif0-tx (netif_tx, size 256, entry 12 B)", "req_prod_pvt=3 rsp_cons=0",
                "req_prod=2 req_event=1 rsp_prod=1 rsp_event=1", "unpushed requests [2, 3)",
                "2 (slot 2): NetifTxRequest[gref=9", "pending requests [1, 2)", "unconsumed responses [0, 1)",
                "0 (slot 0): NetifTxResponse[id=1, status=0]");
        assertThat(b.toString()).contains("BackRing d1/vif0-tx", "rsp_prod_pvt=1 req_cons=1",
                "unconsumed requests [1, 2)", "1 (slot 1): NetifTxRequest[gref=8");
        page.putInt(Sring.REQ_PROD, 9999);
        assertThat(f.toString()).contains("pending requests [1, 9999) INVALID (9998 > ring size 256)");
    }

    /** A kernel that counts preemption points and logs into a real event log. */
    static Kernel countingKernel(AtomicInteger preemptions, EventLog log) {
        return (Kernel) Proxy.newProxyInstance(Kernel.class.getClassLoader(), new Class<?>[] {Kernel.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "preemptionPoint" -> {
                        preemptions.incrementAndGet();
                        yield null;
                    }
                    case "log" -> log;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void instrumentationLogsPushesAndConsumesAndPreemptsAtIndexAccesses() {
        AtomicInteger preemptions = new AtomicInteger();
        EventLog log = new EventLog(() -> 0L, () -> "-", 1000);
        Kernel k = countingKernel(preemptions, log);
        Page page = new Page();
        FrontRing<Num, Num> f = FrontRing.init("d1/t", page, SMALL, k);
        BackRing<Num, Num> b = BackRing.init("d1/t", page, SMALL, k);
        int afterInit = preemptions.get();
        assertThat(afterInit).isPositive();
        f.putRequest(new Num(1));
        f.putRequest(new Num(2));
        assertThat(preemptions.get()).as("slot writes are not index accesses").isEqualTo(afterInit);
        f.pushRequestsAndCheckNotify();
        assertThat(preemptions.get() - afterInit).as("load req_prod, store req_prod, load req_event").isEqualTo(3);
        b.takeRequest();
        b.putResponse(new Num(3));
        b.pushResponsesAndCheckNotify();
        f.takeResponse();
        int before = preemptions.get();
        String ignored = f + " " + b;
        assertThat(ignored).isNotEmpty();
        assertThat(preemptions.get()).as("toString() must not yield").isEqualTo(before);
        page.putInt(Sring.RSP_PROD, 77);
        assertThatThrownBy(f::checkedRspProd).isInstanceOf(RingIndexException.class);

        List<Event> events = log.entries().stream().map(LogEntry::event).toList();
        assertThat(events).containsExactly(
                new Event.RingPush("d1/t", "req", 0, 2, true),
                new Event.RingConsume("d1/t", "req", 0, 1),
                new Event.RingPush("d1/t", "rsp", 0, 1, true),
                new Event.RingConsume("d1/t", "rsp", 0, 1),
                new Event.Fault("ring d1/t", "illegal ring indices rsp_prod=77 rsp_cons=1"
                        + " (illegal number of responses 76 > ring size 4)"));
        assertThat(log.toText()).contains("ring d1/t push req_prod 0->2 notify=yes");
    }

    @Test
    void withoutAKernelNothingIsLogged() {
        Page page = new Page();
        FrontRing<Num, Num> f = FrontRing.init("t", page, SMALL, null);
        f.putRequest(new Num(1));
        assertThat(f.pushRequestsAndCheckNotify()).isTrue();
    }

    @Test
    void overlayCodecsMustFitTheSlot() {
        Page page = new Page();
        FrontRing<NetifTxRequest, NetifTxResponse> f = FrontRing.init("tx", page, Netif.TX);
        assertThatThrownBy(() -> f.putRequest(Num.CODEC, new Num(1)))
                .hasMessageContaining("ring tx: a 1000-byte structure does not fit its 12-byte slots");
    }
}
