package org.xenpv.core.ring;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.sim.Kernel;

/**
 * The front half of a shared ring ({@code struct <name>_front_ring} and the {@code FRONT_RING_*} /
 * {@code RING_*} macros of {@code io/ring.h}): the frontend pushes requests and takes responses.
 *
 * <p>Private state is {@code req_prod_pvt}, {@code rsp_cons} and {@code nr_ents} ({@link #size()}); the
 * shared indices live in {@link #sring()}. All index arithmetic is u32 and wraps at {@code 2^32}.
 * Responses are decoded exactly once into an immutable copy ({@link #takeResponse()},
 * {@code RING_COPY_RESPONSE}); validate {@code rsp_prod} before consuming
 * ({@link #checkedRspProd()}, XSA-376).
 *
 * <p>Not thread-safe: one actor owns a front ring.
 *
 * @param <Q> request type
 * @param <S> response type
 */
public final class FrontRing<Q, S> extends RingHalf<Q, S> {

    private int reqProdPvt;
    private int rspCons;

    private FrontRing(String name, MemoryView view, RingLayout<Q, S> layout, Kernel kernel, int start) {
        super(name, view, layout, kernel);
        this.reqProdPvt = start;
        this.rspCons = start;
    }

    /**
     * {@code XEN_FRONT_RING_INIT}: {@code SHARED_RING_INIT} on the shared header, then
     * {@code FRONT_RING_INIT} (private indices 0, {@code nr_ents = __RING_SIZE(view.size())}).
     *
     * @param kernel the simulation kernel to instrument with, or {@code null}
     */
    public static <Q, S> FrontRing<Q, S> init(String name, MemoryView view, RingLayout<Q, S> layout, Kernel kernel) {
        FrontRing<Q, S> r = new FrontRing<>(name, view, layout, kernel, 0);
        r.sring.init();
        return r;
    }

    /** {@link #init(String, MemoryView, RingLayout, Kernel)} without instrumentation. */
    public static <Q, S> FrontRing<Q, S> init(String name, MemoryView view, RingLayout<Q, S> layout) {
        return init(name, view, layout, null);
    }

    /**
     * {@code FRONT_RING_ATTACH}: private indices start at {@code start}; the shared header is left as it is
     * (reconnecting to a ring whose indices are already running).
     */
    public static <Q, S> FrontRing<Q, S> attach(String name, MemoryView view, RingLayout<Q, S> layout, Kernel kernel,
                                                int start) {
        return new FrontRing<>(name, view, layout, kernel, start);
    }

    /** {@code req_prod_pvt}. */
    public int reqProdPvt() {
        return reqProdPvt;
    }

    /** Sets {@code req_prod_pvt}, for callers that fill slots in place through {@link #slotOffset(int)}. */
    public void setReqProdPvt(int value) {
        this.reqProdPvt = value;
    }

    /** {@code rsp_cons}. */
    public int rspCons() {
        return rspCons;
    }

    /** Sets {@code rsp_cons}, for callers that read slots in place through {@link #slotOffset(int)}. */
    public void setRspCons(int value) {
        this.rspCons = value;
    }

    /** {@code RING_FREE_REQUESTS}: {@code RING_SIZE - (req_prod_pvt - rsp_cons)}. */
    public int freeRequests() {
        return size - (reqProdPvt - rspCons);
    }

    /** {@code RING_FULL}. */
    public boolean full() {
        return freeRequests() == 0;
    }

    /**
     * {@code XEN_RING_NR_UNCONSUMED_RESPONSES}: {@code sring->rsp_prod - rsp_cons} (an acquire load of
     * {@code rsp_prod}), as an unsigned count. A misbehaving backend can make it exceed {@link #size()}: see
     * {@link #responseProdOverflow(int)}.
     */
    public long unconsumedResponses() {
        return RingIdx.distance(rspCons, Sring.load(view, kernel, Sring.RSP_PROD));
    }

    /** {@code RING_HAS_UNCONSUMED_RESPONSES} as a boolean. */
    public boolean hasUnconsumedResponses() {
        return unconsumedResponses() != 0;
    }

    /** {@code RING_RESPONSE_PROD_OVERFLOW(r, prod)}: {@code prod - rsp_cons > RING_SIZE} (an ill-behaved backend). */
    public boolean responseProdOverflow(int prod) {
        return RingIdx.distance(rspCons, prod) > size;
    }

    /**
     * Reads {@code rsp_prod} once (acquire) and validates it as hardened frontends do:
     * {@code RING_RESPONSE_PROD_OVERFLOW} means the backend wrote an impossible index.
     *
     * @return the producer index to consume up to
     * @throws RingIndexException "illegal number of responses" naming {@code rsp_prod} and {@code rsp_cons}
     */
    public int checkedRspProd() {
        return checkedRspProd(view);
    }

    /** {@link #checkedRspProd()} through {@code page}, this ring's view held in the caller's local ({@link Sring}). */
    public int checkedRspProd(MemoryView page) {
        int rp = Sring.load(ownView(page), kernel, Sring.RSP_PROD);
        if (responseProdOverflow(rp)) {
            throw fault("illegal ring indices rsp_prod=" + RingIdx.str(rp) + " rsp_cons=" + RingIdx.str(rspCons)
                    + " (illegal number of responses " + RingIdx.distance(rspCons, rp) + " > ring size " + size + ")");
        }
        return rp;
    }

    /**
     * Writes {@code request} into the slot of {@code req_prod_pvt} and advances it (the
     * {@code RING_GET_REQUEST(r, r->req_prod_pvt++)} idiom). Nothing is visible to the backend until a push.
     *
     * @throws IllegalStateException when the ring is full ({@code RING_FULL}): the frontend would overwrite a
     *                               slot whose response it has not consumed
     */
    public void putRequest(Q request) {
        ensureNotFull();
        requestCodec.encode(view, geometry.slotOffset(reqProdPvt), request);
        reqProdPvt++;
    }

    /** Like {@link #putRequest(Object)} for another structure that occupies a request slot (netif tx extra info). */
    public <T> void putRequest(EntryCodec<T> codec, T value) {
        checkFits(codec);
        ensureNotFull();
        codec.encode(view, geometry.slotOffset(reqProdPvt), value);
        reqProdPvt++;
    }

    private void ensureNotFull() {
        if (full()) {
            throw new IllegalStateException("ring " + name + " full: req_prod_pvt=" + RingIdx.str(reqProdPvt)
                    + " rsp_cons=" + RingIdx.str(rspCons) + " size " + size);
        }
    }

    /** {@code RING_PUSH_REQUESTS}: publishes {@code req_prod_pvt} as {@code req_prod} (release store). */
    public void pushRequests() {
        int old = Sring.load(view, kernel, Sring.REQ_PROD);
        Sring.store(view, kernel, Sring.REQ_PROD, reqProdPvt);
        logPush("req", old, reqProdPvt, false);
    }

    /**
     * {@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY}: publishes {@code req_prod_pvt} (release store), full fence,
     * then reads {@code req_event}.
     *
     * @return whether the backend must be notified: its {@code req_event} lies in {@code (old, new]}
     */
    public boolean pushRequestsAndCheckNotify() {
        return pushRequestsAndCheckNotify(view);
    }

    /**
     * {@link #pushRequestsAndCheckNotify()} through {@code page}, this ring's view held in the caller's local
     * ({@link Sring} says why a polling loop wants that).
     */
    public boolean pushRequestsAndCheckNotify(MemoryView page) {
        MemoryView v = ownView(page);
        Kernel k = kernel;
        int old = Sring.load(v, k, Sring.REQ_PROD);
        int nw = reqProdPvt;
        boolean notify = Sring.publishAndCheckNotify(v, k, Sring.REQ_PROD, Sring.REQ_EVENT, old, nw);
        logPush("req", old, nw, notify);
        return notify;
    }

    /**
     * Decodes the response at {@code rsp_cons} exactly once and advances {@code rsp_cons}
     * ({@code RING_COPY_RESPONSE(r, r->rsp_cons++)}). The caller bounds its loop by a validated
     * {@link #checkedRspProd()}; act on the returned copy, never on the slot.
     */
    public S takeResponse() {
        S rsp = responseCodec.decode(view, geometry.slotOffset(rspCons));
        consumed();
        return rsp;
    }

    /** Like {@link #takeResponse()} for another structure in a response slot (netif rx extra info). */
    public <T> T takeResponse(EntryCodec<T> codec) {
        T v = checkFits(codec).decode(view, geometry.slotOffset(rspCons));
        consumed();
        return v;
    }

    private void consumed() {
        int old = rspCons++;
        logConsume("rsp", old, rspCons);
    }

    /**
     * {@code RING_FINAL_CHECK_FOR_RESPONSES}: if responses are pending, true; otherwise sets
     * {@code rsp_event = rsp_cons + 1}, full fence, and checks again (closing the race with a backend that
     * pushed after the first check but before it could see the new event index).
     */
    public boolean finalCheckForResponses() {
        return finalCheckForResponses(view);
    }

    /** {@link #finalCheckForResponses()} through {@code page}, this ring's view held in the caller's local. */
    public boolean finalCheckForResponses(MemoryView page) {
        MemoryView v = ownView(page);
        Kernel k = kernel;
        int cons = rspCons;
        return Sring.load(v, k, Sring.RSP_PROD) != cons
                || Sring.setEventAndRecheck(v, k, Sring.RSP_EVENT, Sring.RSP_PROD, cons) != cons;
    }

    /** Indices and live slots, for the debugger: outstanding requests and unconsumed responses. */
    @Override
    public String toString() {
        Sring.Indices sh = sring.peek();
        StringBuilder sb = new StringBuilder();
        sb.append("FrontRing ").append(name).append(" (").append(layout.name()).append(", size ").append(size)
                .append(", entry ").append(geometry.entrySize()).append(" B)")
                .append("\n  private req_prod_pvt=").append(RingIdx.str(reqProdPvt))
                .append(" rsp_cons=").append(RingIdx.str(rspCons))
                .append(" free=").append(freeRequests())
                .append("\n  shared  ").append(sh);
        appendSlots(sb, "unpushed requests", sh.reqProd(), reqProdPvt, requestCodec);
        appendSlots(sb, "pending requests", sh.rspProd(), sh.reqProd(), requestCodec);
        appendSlots(sb, "unconsumed responses", rspCons, sh.rspProd(), responseCodec);
        return sb.toString();
    }
}
