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

    private void preempt() {
        if (kernel != null) {
            kernel.preemptionPoint();
        }
    }

    /**
     * {@code SHARED_RING_INIT}: producers 0, event indices 1, {@code pvt} and {@code __pad} zeroed. Only the
     * frontend initialises the shared ring.
     */
    public void init() {
        preempt();
        view.putIntRelease(REQ_PROD, 0);
        view.putIntRelease(RSP_PROD, 0);
        view.putIntRelease(REQ_EVENT, 1);
        view.putIntRelease(RSP_EVENT, 1);
        view.fill(PVT, PVT_SIZE, (byte) 0);
        view.fill(PAD, PAD_SIZE, (byte) 0);
    }

    public int reqProd() {
        preempt();
        return view.getIntAcquire(REQ_PROD);
    }

    public void setReqProd(int value) {
        preempt();
        view.putIntRelease(REQ_PROD, value);
    }

    public int reqEvent() {
        preempt();
        return view.getIntAcquire(REQ_EVENT);
    }

    public void setReqEvent(int value) {
        preempt();
        view.putIntRelease(REQ_EVENT, value);
    }

    public int rspProd() {
        preempt();
        return view.getIntAcquire(RSP_PROD);
    }

    public void setRspProd(int value) {
        preempt();
        view.putIntRelease(RSP_PROD, value);
    }

    public int rspEvent() {
        preempt();
        return view.getIntAcquire(RSP_EVENT);
    }

    public void setRspEvent(int value) {
        preempt();
        view.putIntRelease(RSP_EVENT, value);
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
