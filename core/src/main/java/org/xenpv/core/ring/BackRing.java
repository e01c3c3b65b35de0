package org.xenpv.core.ring;

import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.sim.Kernel;

/**
 * The back half of a shared ring ({@code struct <name>_back_ring} and the {@code BACK_RING_*} /
 * {@code RING_*} macros of {@code io/ring.h}): the backend takes requests and pushes responses.
 *
 * <p>Private state is {@code rsp_prod_pvt}, {@code req_cons} and {@code nr_ents} ({@link #size()}). Requests
 * are decoded exactly once into an immutable copy ({@link #takeRequest()}, {@code RING_COPY_REQUEST}); validate
 * {@code req_prod} first ({@link #checkedReqProd()}) and stop consuming at
 * {@link #requestConsOverflow(int)}.
 *
 * <p>Not thread-safe: one actor owns a back ring.
 *
 * @param <Q> request type
 * @param <S> response type
 */
public final class BackRing<Q, S> extends RingHalf<Q, S> {

    private int rspProdPvt;
    private int reqCons;

    private BackRing(String name, MemoryView view, RingLayout<Q, S> layout, Kernel kernel, int start) {
        super(name, view, layout, kernel);
        this.rspProdPvt = start;
        this.reqCons = start;
    }

    /**
     * {@code BACK_RING_ATTACH}: private indices start at {@code start}; the shared header (initialised by the
     * frontend) is not touched. {@code BACK_RING_INIT} is {@code start = 0}.
     *
     * @param kernel the simulation kernel to instrument with, or {@code null}
     */
    public static <Q, S> BackRing<Q, S> attach(String name, MemoryView view, RingLayout<Q, S> layout, Kernel kernel,
                                               int start) {
        return new BackRing<>(name, view, layout, kernel, start);
    }

    /** {@code BACK_RING_INIT}. */
    public static <Q, S> BackRing<Q, S> init(String name, MemoryView view, RingLayout<Q, S> layout, Kernel kernel) {
        return attach(name, view, layout, kernel, 0);
    }

    /** {@code BACK_RING_INIT} without instrumentation. */
    public static <Q, S> BackRing<Q, S> init(String name, MemoryView view, RingLayout<Q, S> layout) {
        return attach(name, view, layout, null, 0);
    }

    /** {@code rsp_prod_pvt}. */
    public int rspProdPvt() {
        return rspProdPvt;
    }

    /** Sets {@code rsp_prod_pvt}, for callers that fill slots in place through {@link #slotOffset(int)}. */
    public void setRspProdPvt(int value) {
        this.rspProdPvt = value;
    }

    /** {@code req_cons}. */
    public int reqCons() {
        return reqCons;
    }

    /** Sets {@code req_cons}, for callers that read slots in place through {@link #slotOffset(int)}. */
    public void setReqCons(int value) {
        this.reqCons = value;
    }

    /**
     * {@code XEN_RING_NR_UNCONSUMED_REQUESTS}:
     * {@code min(req_prod - req_cons, RING_SIZE - (req_cons - rsp_prod_pvt))} in u32 arithmetic (an acquire
     * load of {@code req_prod}). The second bound keeps a backend from consuming requests it has no slot to
     * answer in, whatever {@code req_prod} says.
     */
    public long unconsumedRequests() {
        return unconsumedRequests(Sring.load(view, kernel, Sring.REQ_PROD));
    }

    private long unconsumedRequests(int reqProd) {
        long req = RingIdx.distance(reqCons, reqProd);
        long rsp = Integer.toUnsignedLong(size - (reqCons - rspProdPvt));
        return Math.min(req, rsp);
    }

    /** {@code RING_HAS_UNCONSUMED_REQUESTS} as a boolean. */
    public boolean hasUnconsumedRequests() {
        return unconsumedRequests() != 0;
    }

    /** {@code RING_REQUEST_CONS_OVERFLOW(r, cons)}: {@code cons - rsp_prod_pvt >= RING_SIZE}; stop consuming. */
    public boolean requestConsOverflow(int cons) {
        return RingIdx.distance(rspProdPvt, cons) >= size;
    }

    /** {@code RING_REQUEST_PROD_OVERFLOW(r, prod)}: {@code prod - rsp_prod_pvt > RING_SIZE} (an ill-behaved frontend). */
    public boolean requestProdOverflow(int prod) {
        return RingIdx.distance(rspProdPvt, prod) > size;
    }

    /**
     * Reads {@code req_prod} once (acquire) and validates it as hardened backends do.
     *
     * @return the producer index to consume up to
     * @throws RingIndexException when {@code RING_REQUEST_PROD_OVERFLOW} holds, naming {@code req_prod},
     *                            {@code req_cons} and {@code rsp_prod_pvt}
     */
    public int checkedReqProd() {
        return checkedReqProd(view);
    }

    /** {@link #checkedReqProd()} through {@code page}, this ring's view held in the caller's local ({@link Sring}). */
    public int checkedReqProd(MemoryView page) {
        int rp = Sring.load(ownView(page), kernel, Sring.REQ_PROD);
        if (requestProdOverflow(rp)) {
            throw fault("illegal ring indices req_prod=" + RingIdx.str(rp) + " req_cons=" + RingIdx.str(reqCons)
                    + " rsp_prod_pvt=" + RingIdx.str(rspProdPvt) + " (" + RingIdx.distance(rspProdPvt, rp)
                    + " requests > ring size " + size + ")");
        }
        return rp;
    }

    /**
     * Decodes the request at {@code req_cons} exactly once and advances {@code req_cons}
     * ({@code RING_COPY_REQUEST(r, r->req_cons++)}). Bound the loop by a validated {@link #checkedReqProd()}
     * and {@link #requestConsOverflow(int)}; act on the returned copy, never on the slot.
     */
    public Q takeRequest() {
        Q req = requestCodec.decode(view, geometry.slotOffset(reqCons));
        consumed();
        return req;
    }

    /** Like {@link #takeRequest()} for another structure in a request slot (netif tx extra info). */
    public <T> T takeRequest(EntryCodec<T> codec) {
        T v = checkFits(codec).decode(view, geometry.slotOffset(reqCons));
        consumed();
        return v;
    }

    private void consumed() {
        int old = reqCons++;
        logConsume("req", old, reqCons);
    }

    /**
     * Writes {@code response} into the slot of {@code rsp_prod_pvt} and advances it. Not visible to the
     * frontend until a push.
     *
     * @throws IllegalStateException when every consumed request already has a response: the slot at
     *                               {@code rsp_prod_pvt} may still hold an unconsumed request
     */
    public void putResponse(S response) {
        ensureAnswerable();
        responseCodec.encode(view, geometry.slotOffset(rspProdPvt), response);
        rspProdPvt++;
    }

    /** Like {@link #putResponse(Object)} for another structure in a response slot (netif rx extra info). */
    public <T> void putResponse(EntryCodec<T> codec, T value) {
        checkFits(codec);
        ensureAnswerable();
        codec.encode(view, geometry.slotOffset(rspProdPvt), value);
        rspProdPvt++;
    }

    private void ensureAnswerable() {
        if (rspProdPvt == reqCons) {
            throw new IllegalStateException("ring " + name + ": no consumed request left to answer (rsp_prod_pvt="
                    + RingIdx.str(rspProdPvt) + " req_cons=" + RingIdx.str(reqCons) + ")");
        }
    }

    /** {@code RING_PUSH_RESPONSES}: publishes {@code rsp_prod_pvt} as {@code rsp_prod} (release store). */
    public void pushResponses() {
        int old = Sring.load(view, kernel, Sring.RSP_PROD);
        Sring.store(view, kernel, Sring.RSP_PROD, rspProdPvt);
        logPush("rsp", old, rspProdPvt, false);
    }

    /**
     * {@code RING_PUSH_RESPONSES_AND_CHECK_NOTIFY}: publishes {@code rsp_prod_pvt} (release store), full
     * fence, then reads {@code rsp_event}.
     *
     * @return whether the frontend must be notified: its {@code rsp_event} lies in {@code (old, new]}
     */
    public boolean pushResponsesAndCheckNotify() {
        return pushResponsesAndCheckNotify(view);
    }

    /**
     * {@link #pushResponsesAndCheckNotify()} through {@code page}, this ring's view held in the caller's local
     * ({@link Sring} says why a polling loop wants that).
     */
    public boolean pushResponsesAndCheckNotify(MemoryView page) {
        MemoryView v = ownView(page);
        Kernel k = kernel;
        int old = Sring.load(v, k, Sring.RSP_PROD);
        int nw = rspProdPvt;
        boolean notify = Sring.publishAndCheckNotify(v, k, Sring.RSP_PROD, Sring.RSP_EVENT, old, nw);
        logPush("rsp", old, nw, notify);
        return notify;
    }

    /**
     * {@code RING_FINAL_CHECK_FOR_REQUESTS}: if requests are pending, true; otherwise sets
     * {@code req_event = req_cons + 1}, full fence, and checks again.
     */
    public boolean finalCheckForRequests() {
        return finalCheckForRequests(view);
    }

    /** {@link #finalCheckForRequests()} through {@code page}, this ring's view held in the caller's local. */
    public boolean finalCheckForRequests(MemoryView page) {
        MemoryView v = ownView(page);
        Kernel k = kernel;
        return unconsumedRequests(Sring.load(v, k, Sring.REQ_PROD)) != 0
                || unconsumedRequests(Sring.setEventAndRecheck(v, k, Sring.REQ_EVENT, Sring.REQ_PROD, reqCons)) != 0;
    }

    /** Indices and live slots, for the debugger: unconsumed requests and unpushed/unread responses. */
    @Override
    public String toString() {
        Sring.Indices sh = sring.peek();
        StringBuilder sb = new StringBuilder();
        sb.append("BackRing ").append(name).append(" (").append(layout.name()).append(", size ").append(size)
                .append(", entry ").append(geometry.entrySize()).append(" B)")
                .append("\n  private rsp_prod_pvt=").append(RingIdx.str(rspProdPvt))
                .append(" req_cons=").append(RingIdx.str(reqCons))
                .append("\n  shared  ").append(sh);
        appendSlots(sb, "unconsumed requests", reqCons, sh.reqProd(), requestCodec);
        appendSlots(sb, "in service", rspProdPvt, reqCons, requestCodec);
        appendSlots(sb, "unpushed responses", sh.rspProd(), rspProdPvt, responseCodec);
        return sb.toString();
    }
}
