package org.xenpv.core.evtchn;

import static org.xenpv.core.evtchn.EvtchnFifo.BUSY;
import static org.xenpv.core.evtchn.EvtchnFifo.CB_READY;
import static org.xenpv.core.evtchn.EvtchnFifo.LINKED;
import static org.xenpv.core.evtchn.EvtchnFifo.LINK_MASK;
import static org.xenpv.core.evtchn.EvtchnFifo.MASKED;
import static org.xenpv.core.evtchn.EvtchnFifo.MAX_QUEUES;
import static org.xenpv.core.evtchn.EvtchnFifo.PENDING;
import static org.xenpv.core.evtchn.EvtchnFifo.WORDS_PER_PAGE;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntConsumer;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;

/**
 * The FIFO ABI ({@code event_fifo.c}): a 32-bit event word per port in guest-provided event-array
 * pages (PENDING, MASKED, LINKED, BUSY and a 17-bit link), and per vCPU a guest-provided control
 * block with a {@code ready} bitmap and a head port for each of the 16 priority queues. Xen appends
 * a newly pending, unmasked event to its queue by linking the queue's tail word to it (or, if the
 * queue is empty, writing the head) and sets the queue's ready bit; the guest unlinks events from
 * the head. Xen's private queue state is the tail port, kept under a per-queue lock.
 */
final class Fifo implements PortOps {

    /** Xen's {@code struct evtchn_fifo_queue}: guarded by its own monitor. */
    static final class Queue {
        final int id;
        final int vcpu;
        final int priority;
        int tail;

        Queue(int vcpu, int priority) {
            this.vcpu = vcpu;
            this.priority = priority;
            this.id = vcpu * MAX_QUEUES + priority;
        }
    }

    /** Where a vCPU's {@code evtchn_fifo_control_block} sits in guest memory. */
    record ControlBlock(long gfn, Page page, int offset) {
        int ready() {
            return offset + CB_READY;
        }

        int head(int priority) {
            return offset + EvtchnFifo.head(priority);
        }
    }

    private final EventChannels d;
    private final Queue[] queues;
    private final AtomicReferenceArray<ControlBlock> blocks;
    /** Event-array pages; grown under the domain's event lock, published by {@link #numEvtchns}. */
    private volatile Page[] eventArray = new Page[0];
    private volatile int numEvtchns;
    /** Guest side (the reference dispatcher): per vCPU and queue, the next head to consume. */
    private final int[][] localHead;

    Fifo(EventChannels d, int vcpus) {
        this.d = d;
        this.queues = new Queue[vcpus * MAX_QUEUES];
        for (int v = 0; v < vcpus; v++) {
            for (int p = 0; p < MAX_QUEUES; p++) {
                queues[v * MAX_QUEUES + p] = new Queue(v, p);
            }
        }
        this.blocks = new AtomicReferenceArray<>(vcpus);
        this.localHead = new int[vcpus][MAX_QUEUES];
    }

    @Override
    public EvtchnAbi abi() {
        return EvtchnAbi.FIFO;
    }

    @Override
    public int maxPorts() {
        return EvtchnFifo.NR_CHANNELS;
    }

    /** Ports that have an event word so far. */
    int numEvtchns() {
        return numEvtchns;
    }

    int eventArrayPages() {
        return eventArray.length;
    }

    ControlBlock controlBlock(int vcpu) {
        return blocks.get(vcpu);
    }

    /** {@code map_control_block}; caller holds the event lock. Returns false if already mapped. */
    boolean mapControlBlock(int vcpu, long gfn, Page page, int offset) {
        return blocks.compareAndSet(vcpu, null, new ControlBlock(gfn, page, offset));
    }

    /** {@code add_page_to_event_array}; caller holds the event lock and checked the limit. */
    void addPage(Page page) {
        Page[] grown = Arrays.copyOf(eventArray, eventArray.length + 1);
        grown[grown.length - 1] = page;
        eventArray = grown;
        numEvtchns = grown.length * WORDS_PER_PAGE;
    }

    /** The event-array page holding {@code port}'s word, or {@code null} if not added yet. */
    Page wordPage(int port) {
        if (port >= numEvtchns) {
            return null;
        }
        return eventArray[port / WORDS_PER_PAGE];
    }

    /** The current event word of {@code port}, or -1 if it has none (tests, traces). */
    int word(int port) {
        Page p = wordPage(port);
        return p == null ? -1 : p.getIntVolatile(EvtchnFifo.wordOffset(port));
    }

    private Queue queue(int id) {
        return queues[id];
    }

    private static boolean testAndSet(Page p, int off, int bit) {
        int mask = 1 << bit;
        while (true) {
            int w = p.getIntVolatile(off);
            if ((w & mask) != 0) {
                return true;
            }
            if (p.compareAndSetInt(off, w, w | mask)) {
                return false;
            }
        }
    }

    private static boolean testAndClear(Page p, int off, int bit) {
        int mask = 1 << bit;
        while (true) {
            int w = p.getIntVolatile(off);
            if ((w & mask) == 0) {
                return false;
            }
            if (p.compareAndSetInt(off, w, w & ~mask)) {
                return true;
            }
        }
    }

    private static boolean test(Page p, int off, int bit) {
        return (p.getIntVolatile(off) & (1 << bit)) != 0;
    }

    /** {@code try_set_link}: 0 = not linked, 1 = set, -1 = the word changed under us. */
    private static int trySetLink(Page p, int off, int link) {
        int w = p.getIntVolatile(off);
        if ((w & (1 << LINKED)) == 0) {
            return 0;
        }
        int updated = (w & ~((1 << BUSY) | LINK_MASK)) | link;
        return p.compareAndSetInt(off, w, updated) ? 1 : -1;
    }

    /**
     * {@code evtchn_fifo_set_link}: link the tail word to {@code link} iff it is still LINKED. A guest
     * may keep changing the word, so after one failure the word is marked BUSY (which the guest's
     * unmask respects) and only four more attempts are made.
     */
    private boolean setLink(Page p, int off, int tailPort, int link) {
        int r = trySetLink(p, off, link);
        if (r >= 0) {
            return r == 1;
        }
        testAndSet(p, off, BUSY);
        for (int attempt = 0; attempt < 4; attempt++) {
            r = trySetLink(p, off, link);
            if (r >= 0) {
                if (r == 0) {
                    testAndClear(p, off, BUSY);
                }
                return r == 1;
            }
        }
        d.fault("port " + tailPort + " event word unstable: could not link port " + link + " after it");
        testAndClear(p, off, BUSY);
        return true;
    }

    @Override
    public void setPending(Channel ch) {
        link(ch, true);
    }

    /**
     * {@code evtchn_fifo_set_pending}: sets PENDING and, if the event is unmasked and not linked
     * yet, links it on its queue and raises the upcall if the queue was empty.
     *
     * @param notification a new notification (send, VIRQ, inject), counted as delivered or
     *                     coalesced; false for a re-delivery (unmask, expand_array), which is not
     */
    void link(Channel ch, boolean notification) {
        int port = ch.port;
        Page p = wordPage(port);
        if (p == null) {
            // No event word yet: remember it; expand_array re-raises it.
            boolean had = ch.fifoPending;
            ch.fifoPending = true;
            if (notification) {
                if (had) {
                    ch.countCoalesced();
                } else {
                    d.delivered(ch, true, true, false);
                }
            }
            return;
        }
        int off = EvtchnFifo.wordOffset(port);
        int vcpu = ch.notifyVcpu;
        boolean wasPending = false;
        boolean linked = true;
        boolean masked = false;
        ControlBlock cb = null;
        Queue q = null;
        boolean locked = false;
        for (int attempt = 0; attempt < 3 && !locked; attempt++) {
            q = queues[vcpu * MAX_QUEUES + ch.priority];
            Queue old = queue(ch.lastQueue);
            Queue first = q.id <= old.id ? q : old;
            Queue second = q.id <= old.id ? old : q;
            synchronized (first) {
                synchronized (second) {
                    if (q != queues[vcpu * MAX_QUEUES + ch.priority] || old != queue(ch.lastQueue)) {
                        continue;
                    }
                    locked = true;
                    wasPending = testAndSet(p, off, PENDING);
                    masked = test(p, off, MASKED);
                    cb = blocks.get(vcpu);
                    if (cb == null) {
                        d.fault("vCPU " + vcpu + " has no FIFO control block; port " + port + " left unlinked");
                    } else if (!masked && !testAndSet(p, off, LINKED)) {
                        // If this port was the old queue's tail, that queue is now empty.
                        if (old.tail == port) {
                            old.tail = 0;
                        }
                        if (old != q) {
                            ch.lastQueue = q.id;
                        }
                        linked = false;
                        if (q.tail != 0) {
                            Page tp = wordPage(q.tail);
                            linked = tp != null && setLink(tp, EvtchnFifo.wordOffset(q.tail), q.tail, port);
                        }
                        if (!linked) {
                            cb.page().putIntVolatile(cb.head(q.priority), port);
                        }
                        q.tail = port;
                    }
                }
            }
        }
        if (!locked) {
            wasPending = testAndSet(p, off, PENDING);
            d.fault("port " + port + " lost event (queue changed three times while linking)");
        }
        boolean upcall = false;
        if (!linked && !testAndSet(cb.page(), cb.ready(), q.priority)) {
            upcall = d.markEventsPending(vcpu);
        }
        if (notification && wasPending) {
            ch.countCoalesced();
        }
        if (!wasPending || upcall) {
            d.delivered(ch, notification && !wasPending, masked, upcall);
        }
        if (!wasPending) {
            d.checkPollers();
        }
    }

    @Override
    public void clearPending(Channel ch) {
        ch.fifoPending = false;
        Page p = wordPage(ch.port);
        if (p != null) {
            // Only P: the guest unlinks and ignores events that are no longer pending.
            testAndClear(p, EvtchnFifo.wordOffset(ch.port), PENDING);
        }
    }

    @Override
    public void unmask(Channel ch) {
        Page p = wordPage(ch.port);
        if (p == null) {
            return;
        }
        int off = EvtchnFifo.wordOffset(ch.port);
        testAndClear(p, off, MASKED);
        if (test(p, off, PENDING)) {
            link(ch, false);
        }
    }

    @Override
    public boolean isPending(Channel ch) {
        Page p = wordPage(ch.port);
        return p != null && test(p, EvtchnFifo.wordOffset(ch.port), PENDING);
    }

    @Override
    public boolean isMasked(Channel ch) {
        Page p = wordPage(ch.port);
        return p == null || test(p, EvtchnFifo.wordOffset(ch.port), MASKED);
    }

    @Override
    public boolean isBusy(Channel ch) {
        Page p = wordPage(ch.port);
        return p != null && test(p, EvtchnFifo.wordOffset(ch.port), LINKED);
    }

    @Override
    public void mask(Channel ch) {
        Page p = wordPage(ch.port);
        if (p == null) {
            throw new IllegalStateException("d" + d.domid() + " port " + ch.port + " has no FIFO event word (event array covers "
                    + numEvtchns + " ports; EVTCHNOP_expand_array first)");
        }
        testAndSet(p, EvtchnFifo.wordOffset(ch.port), MASKED);
    }

    @Override
    public boolean testAndClearPending(Channel ch) {
        Page p = wordPage(ch.port);
        return p != null && testAndClear(p, EvtchnFifo.wordOffset(ch.port), PENDING);
    }

    /** Guest: clear LINKED and the link in one CAS, returning the old link (Linux {@code clear_linked}). */
    private static int clearLinked(Page p, int off) {
        while (true) {
            int w = p.getIntVolatile(off);
            int updated = w & ~((1 << LINKED) | LINK_MASK);
            if (p.compareAndSetInt(off, w, updated)) {
                return w & LINK_MASK;
            }
        }
    }

    private static int swapZero(Page p, int off) {
        while (true) {
            int w = p.getIntVolatile(off);
            if (w == 0 || p.compareAndSetInt(off, w, 0)) {
                return w;
            }
        }
    }

    /**
     * A guest's FIFO upcall handler: swap {@code ready} to 0, then serve queues from the highest
     * priority (0) down, unlinking each head word and handling it if it is pending and unmasked. The
     * next head of a partly drained queue is kept per vCPU, as Xen rewrites the control block's
     * head only when it finds the queue empty.
     */
    @Override
    public int dispatch(int vcpu, IntConsumer handler) {
        ControlBlock cb = blocks.get(vcpu);
        if (cb == null) {
            return 0;
        }
        int[] heads = localHead[vcpu];
        int handled = 0;
        int ready = swapZero(cb.page(), cb.ready());
        // A guest's own words are under its control; bound the walk so corrupt links cannot loop forever.
        long budget = 2L * Math.max(numEvtchns, WORDS_PER_PAGE);
        while (ready != 0 && budget-- > 0) {
            int q = Integer.numberOfTrailingZeros(ready);
            int head = heads[q];
            if (head == 0) {
                MemoryView.loadFence();
                head = cb.page().getIntVolatile(cb.head(q));
            }
            Page p = head == 0 ? null : wordPage(head);
            if (p == null) {
                heads[q] = 0;
                ready &= ~(1 << q);
                continue;
            }
            int off = EvtchnFifo.wordOffset(head);
            int next = clearLinked(p, off);
            heads[q] = next;
            if (next == 0) {
                ready &= ~(1 << q);
            }
            if (!test(p, off, MASKED) && testAndClear(p, off, PENDING)) {
                handler.accept(head);
                handled++;
            }
        }
        return handled;
    }

    @Override
    public void destroy() {
        eventArray = new Page[0];
        numEvtchns = 0;
        for (int v = 0; v < blocks.length(); v++) {
            blocks.set(v, null);
        }
    }
}
