package org.xenpv.cli.ring;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.RingGeometry;
import org.xenpv.core.ring.RingIdx;
import org.xenpv.core.ring.Sring;
import org.xenpv.core.ring.netif.Netif;
import org.xenpv.core.ring.netif.NetifExtraInfo;
import org.xenpv.core.ring.netif.NetifRxResponse;
import org.xenpv.core.ring.netif.NetifTxRequest;

/**
 * Which slots of a shared ring hold live entries, judged from the shared indices alone (a page dump has no
 * private indices):
 * <ul>
 * <li>requests: {@code [rsp_prod, req_prod)}, published and not yet answered;
 * <li>responses: {@code [rsp_event - 1, rsp_prod)}, published and not yet acknowledged by the frontend's
 * last {@code RING_FINAL_CHECK_FOR_RESPONSES} (which sets {@code rsp_event = rsp_cons + 1}), clipped so that
 * the two windows never hold more than {@code RING_SIZE} entries; empty when {@code rsp_event} is ahead of
 * {@code rsp_prod} (a frontend batching its notifications).
 * </ul>
 * A window longer than the ring is invalid (a misbehaving peer) and marks nothing. netif slots that follow a
 * request with {@code NETTXF_extra_info} (tx) or a response with {@code NETRXF_extra_info} (rx), or an extra
 * with {@code XEN_NETIF_EXTRA_FLAG_MORE}, are extra-info segments.
 */
final class SlotLiveness {

    static final int NONE = 0;
    static final int REQUEST = 1;
    static final int RESPONSE = 2;

    final Sring.Indices indices;
    final int size;
    final Window requests;
    final Window responses;
    final int[] kind;
    final int[] index;
    final boolean[] extra;

    record Window(int from, int to, long count, boolean valid) {
    }

    private SlotLiveness(Sring.Indices ix, RingGeometry g, MemoryView view, PageLayout layout) {
        this.indices = ix;
        this.size = g.size();
        this.kind = new int[size];
        this.index = new int[size];
        this.extra = new boolean[size];
        long reqCount = RingIdx.distance(ix.rspProd(), ix.reqProd());
        this.requests = new Window(ix.rspProd(), ix.reqProd(), reqCount, reqCount <= size);
        int rspFrom = ix.rspEvent() - 1;
        if (rspFrom != ix.rspProd() && RingIdx.distance(ix.rspProd(), rspFrom) <= size) {
            rspFrom = ix.rspProd(); // rsp_event set ahead of rsp_prod (batching): nothing known unread
        }
        long rspCount = RingIdx.distance(rspFrom, ix.rspProd());
        boolean rspValid = rspCount <= size;
        if (rspValid && requests.valid() && rspCount + reqCount > size) {
            rspFrom = ix.reqProd() - size;
            rspCount = RingIdx.distance(rspFrom, ix.rspProd());
        }
        this.responses = new Window(rspFrom, ix.rspProd(), rspCount, rspValid);
        if (responses.valid()) {
            mark(responses, RESPONSE, g);
        }
        if (requests.valid()) {
            mark(requests, REQUEST, g);
        }
        if (view != null && layout.extras == PageLayout.Extras.IN_REQUESTS && requests.valid()) {
            findExtras(requests, g, view, true);
        }
        if (view != null && layout.extras == PageLayout.Extras.IN_RESPONSES && responses.valid()) {
            findExtras(responses, g, view, false);
        }
    }

    /** Liveness of the ring in {@code view}, including netif extra-info segments. */
    static SlotLiveness of(MemoryView view, PageLayout layout) {
        RingGeometry g = layout.ring.geometry(view.size());
        return new SlotLiveness(new Sring(view).peek(), g, view, layout);
    }

    /** Liveness from the indices only (no extra-info detection). */
    static SlotLiveness of(Sring.Indices ix, RingGeometry g) {
        return new SlotLiveness(ix, g, null, PageLayout.BLKIF);
    }

    private void mark(Window w, int k, RingGeometry g) {
        for (long i = 0; i < w.count(); i++) {
            int idx = w.from() + (int) i;
            kind[g.slot(idx)] = k;
            index[g.slot(idx)] = idx;
        }
    }

    private void findExtras(Window w, RingGeometry g, MemoryView view, boolean tx) {
        boolean expect = false;
        for (long i = 0; i < w.count(); i++) {
            int idx = w.from() + (int) i;
            int off = g.slotOffset(idx);
            if (expect) {
                extra[g.slot(idx)] = true;
                expect = NetifExtraInfo.CODEC.decode(view, off).more();
            } else if (tx) {
                expect = (NetifTxRequest.CODEC.decode(view, off).flags() & Netif.NETTXF_EXTRA_INFO) != 0;
            } else {
                expect = (NetifRxResponse.CODEC.decode(view, off).flags() & Netif.NETRXF_EXTRA_INFO) != 0;
            }
        }
    }
}
