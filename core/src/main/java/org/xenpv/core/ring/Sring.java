package org.xenpv.core.ring;

import java.util.Objects;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.sim.Kernel;

/**
 * The shared header of a ring ({@code struct <name>_sring} in {@code io/ring.h}):
 * {@code req_prod}@0, {@code req_event}@4, {@code rsp_prod}@8, {@code rsp_event}@12, the {@code pvt}
 * union@16 (4 bytes: {@code netif.smartpoll_active}, {@code tapif_user.msg}, {@code pvt_pad[4]}),
 * {@code __pad[44]}@20, and the entries from offset 64.
 *
 * <p>Index loads have acquire semantics and index stores release semantics ({@code x = idx; xen_rmb()} and
 * {@code xen_wmb(); idx = x}). With a {@link Kernel}, each index access is first a
 * {@link Kernel#preemptionPoint()}, so a sweep of seeds explores a peer acting between any two index
 * accesses; without one (benchmarks) the cost is a null check.
 *
 * <p>The static methods are the same accesses, and the shared-memory halves of {@code io/ring.h}'s
 * {@code RING_PUSH_*_AND_CHECK_NOTIFY} and {@code RING_FINAL_CHECK_FOR_*}, over a view passed in. They are what
 * {@link FrontRing} and {@link BackRing} run, and what a loop that polls a ring uses to keep the page in a local:
 * compiled Java reloads every field it reads after each full fence, so an access through
 * {@code ring.sring.view} waits for that chain of loads where C, whose ring struct is a local, has the address in
 * a register. In {@code xenpv bench ring --mode spin} that chain is worth a few percent of the round trips.
 *
 * <p>The memory behind this header belongs to two domains: nothing here trusts what it reads.
 */
public final class Sring {

    public static final int REQ_PROD = 0;
    public static final int REQ_EVENT = 4;
    public static final int RSP_PROD = 8;
    public static final int RSP_EVENT = 12;
    /** {@code pvt}: a 4-byte union. */
    public static final int PVT = 16;
    public static final int PVT_SIZE = 4;
    /** {@code __pad[44]}. */
    public static final int PAD = 20;
    public static final int PAD_SIZE = 44;
    /** {@code offsetof(struct sring, ring)}. */
    public static final int HEADER_SIZE = 64;

    private final MemoryView view;
    private final Kernel kernel;

    /** A header over {@code view} without instrumentation. */
    public Sring(MemoryView view) {
        this(view, null);
    }

    /**
     * A header over {@code view}.
     *
     * @param kernel the simulation kernel whose preemption points index accesses become, or {@code null}
     */
    public Sring(MemoryView view, Kernel kernel) {
        this.view = Objects.requireNonNull(view, "view");
        if (view.size() < HEADER_SIZE) {
            throw new IllegalArgumentException("a shared ring needs at least " + HEADER_SIZE + " bytes, view has "
                    + view.size());
        }
        this.kernel = kernel;
    }

    public MemoryView view() {
        return view;
    }

    private static void preempt(Kernel kernel) {
        if (kernel != null) {
            kernel.preemptionPoint();
        }
    }

    /**
     * The index at {@code offset} ({@link #REQ_PROD} ... {@link #RSP_EVENT}) of the header in {@code view}, an
     * acquire load after a preemption point of {@code kernel} ({@code null}: none).
     */
    public static int load(MemoryView view, Kernel kernel, int offset) {
        preempt(kernel);
        return view.getIntAcquire(offset);
    }

    /** Stores {@code value} to the index at {@code offset} (release), after a preemption point of {@code kernel}. */
    public static void store(MemoryView view, Kernel kernel, int offset, int value) {
        preempt(kernel);
        view.putIntRelease(offset, value);
    }

    /**
     * The shared half of {@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY} / {@code RING_PUSH_RESPONSES_AND_CHECK_NOTIFY}:
     * publishes {@code nw} as the producer index at {@code prodOffset} (release), {@code xen_mb()}, and reads the
     * peer's event index at {@code eventOffset}.
     *
     * @param old the producer index before this push
     * @return whether the peer must be notified: its event index lies in {@code (old, nw]}
     */
    public static boolean publishAndCheckNotify(MemoryView view, Kernel kernel, int prodOffset, int eventOffset,
                                                int old, int nw) {
        store(view, kernel, prodOffset, nw);
        MemoryView.fullFence();
        return RingIdx.needsNotify(old, nw, load(view, kernel, eventOffset));
    }

    /**
     * The second half of {@code RING_FINAL_CHECK_FOR_REQUESTS} / {@code RING_FINAL_CHECK_FOR_RESPONSES}, for a
     * consumer that found nothing: sets its event index at {@code eventOffset} to {@code cons + 1} (release),
     * {@code xen_mb()}, and reads the producer index at {@code prodOffset} again, which closes the race with a
     * producer that pushed before it could see the new event index.
     *
     * @return the producer index read after the fence
     */
    public static int setEventAndRecheck(MemoryView view, Kernel kernel, int eventOffset, int prodOffset, int cons) {
        store(view, kernel, eventOffset, cons + 1);
        MemoryView.fullFence();
        return load(view, kernel, prodOffset);
    }

    /**
     * {@code SHARED_RING_INIT}: producers 0, event indices 1, {@code pvt} and {@code __pad} zeroed. Only the
     * frontend initialises the shared ring.
     */
    public void init() {
        preempt(kernel);
        view.putIntRelease(REQ_PROD, 0);
        view.putIntRelease(RSP_PROD, 0);
        view.putIntRelease(REQ_EVENT, 1);
        view.putIntRelease(RSP_EVENT, 1);
        view.fill(PVT, PVT_SIZE, (byte) 0);
        view.fill(PAD, PAD_SIZE, (byte) 0);
    }

    public int reqProd() {
        return load(view, kernel, REQ_PROD);
    }

    public void setReqProd(int value) {
        store(view, kernel, REQ_PROD, value);
    }

    public int reqEvent() {
        return load(view, kernel, REQ_EVENT);
    }

    public void setReqEvent(int value) {
        store(view, kernel, REQ_EVENT, value);
    }

    public int rspProd() {
        return load(view, kernel, RSP_PROD);
    }

    public void setRspProd(int value) {
        store(view, kernel, RSP_PROD, value);
    }

    public int rspEvent() {
        return load(view, kernel, RSP_EVENT);
    }

    public void setRspEvent(int value) {
        store(view, kernel, RSP_EVENT, value);
    }

    /** The {@code pvt} union as a little-endian u32 ({@code pvt_pad[0..3]}). */
    public int pvt() {
        return view.getInt(PVT);
    }

    public void setPvt(int value) {
        view.putInt(PVT, value);
    }

    /** {@code pvt.netif.smartpoll_active}. */
    public int smartpollActive() {
        return view.getUnsignedByte(PVT);
    }

    /** The four indices read with plain loads and no preemption point (for debugging output). */
    public Indices peek() {
        return new Indices(view.getInt(REQ_PROD), view.getInt(REQ_EVENT), view.getInt(RSP_PROD),
                view.getInt(RSP_EVENT));
    }

    @Override
    public String toString() {
        return peek().toString();
    }

    /** A snapshot of the shared indices. */
    public record Indices(int reqProd, int reqEvent, int rspProd, int rspEvent) {
        @Override
        public String toString() {
            return "req_prod=" + RingIdx.str(reqProd) + " req_event=" + RingIdx.str(reqEvent)
                    + " rsp_prod=" + RingIdx.str(rspProd) + " rsp_event=" + RingIdx.str(rspEvent);
        }
    }
}
