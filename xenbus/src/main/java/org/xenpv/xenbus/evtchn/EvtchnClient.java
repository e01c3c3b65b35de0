package org.xenpv.xenbus.evtchn;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.evtchn.EvtchnAbi;
import org.xenpv.core.evtchn.EvtchnException;
import org.xenpv.core.evtchn.EvtchnFifo;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.evtchn.Upcall;
import org.xenpv.core.mem.Page;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;
import org.xenpv.xenbus.memory.GuestFrames;
import org.xenpv.xenbus.sync.ProcessorSync;

/**
 * XENBUS's EVTCHN interface for one guest ({@code [bus evtchn.c, evtchn_fifo.c, evtchn_2l.c]},
 * windows-pv-drivers.md §1.2): ABI acquisition (FIFO preferred, 2-level fallback), FIXED / UNBOUND /
 * INTER_DOMAIN / VIRQ channels, send, unmask, close, the interrupt and DPC path as kernel actors, and
 * {@code EvtchnReset} with the store and console rebinding.
 *
 * <p>Quirks reproduced (each also marked where it happens):
 * <ul>
 *   <li>A failed FIFO acquire runs {@code EvtchnReset} before falling back to 2-level, so the store
 *       and console ports are re-bound and their HVM params rewritten even on a first boot (§1.2).</li>
 *   <li>On 2-level every mask bit is set when the ABI is acquired, and new FIFO event-array pages
 *       start all MASKED (§1.1, §1.2): a port delivers nothing until its channel is opened.</li>
 *   <li>Auto-mask channels are masked before their callback runs and stay masked until the owner
 *       calls {@link #unmask}; an unmask that finds the port still pending either acks it locally and
 *       returns {@code true} ("poll again": one re-delivery, by the caller) or, in the upcall or with
 *       {@code force}, masks it again and uses {@code EVTCHNOP_unmask} so Xen re-raises it once (§1.2).</li>
 *   <li>FIXED channels are never {@code EVTCHNOP_close}d; send on an inactive channel (after
 *       {@link #suspendEarly}) is a no-op (§1.2, §1.5).</li>
 * </ul>
 *
 * <p>Suspend and restore (§1.2 "Suspend", §1.5): the client reaches the hypervisor through
 * {@link Vm#domain()} at every call, so after a restore into a new domain the same object goes on
 * working there. {@link #suspendEarly} (EARLY callback) deactivates every channel and moves the
 * interrupt actors to the new domain's upcalls; {@link #resumeLate} (LATE callback) runs
 * {@code EvtchnReset} against the new domain's HVM params and acquires the ABI again, re-initialising
 * the FIFO control blocks in the same (zeroed) frames. The ISR and DPC actors obey the guest's
 * {@link ProcessorSync}: no ISR while interrupts are off, no DPC callback while the processors are
 * captured. As in the driver, a channel's delivery count rises in the ISR
 * ({@code [bus evtchn.c EvtchnPoll]}: {@code Channel->Count++} before the callback), so
 * {@link #await} and the store's waits progress while DPCs are held during the LATE callbacks.
 *
 * <p>One difference from the driver: the port scan itself is the platform's reference
 * {@link EventChannels#dispatch} (FIFO: per-priority unlink; 2-level: selector then words), which
 * clears PENDING before handing the port over, so an auto-mask channel is masked just after the ack
 * rather than just before it. Nothing a peer can see depends on that order: the port is masked before
 * any callback runs.
 */
public final class EvtchnClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EvtchnClient.class);

    /** Registry knobs of {@code [bus evtchn.c]}. */
    public record Options(boolean useEvtchnFifoAbi) {
        /** {@code UseEvtchnFifoAbi} = 1, the driver's default. */
        public static final Options DEFAULT = new Options(true);
    }

    private final Vm vm;
    private final Kernel kernel;
    private final GuestFrames frames;
    private final Options options;
    private final ProcessorSync sync;
    private final int vcpus;
    private final Map<Integer, EvtchnChannel> byPort = new ConcurrentHashMap<>();
    private final WaitQueue deliveries;
    private final List<ArrayDeque<EvtchnChannel>> dpcQueues = new ArrayList<>();
    private final List<WaitQueue> dpcWake = new ArrayList<>();
    private final Runnable wakeUp = this::wakeActors;
    /** gfn of each vCPU's FIFO control block, -1 until first allocated; reused by every acquire. */
    private final long[] controlGfns;
    /** gfns of the event-array pages ever allocated, reused in order by later acquires. */
    private final List<Long> arrayGfns = new ArrayList<>();
    /** The event-array pages added since the last acquire, in the current domain. */
    private final List<Page> arrayPages = new ArrayList<>();
    private volatile EvtchnAbi abi;
    private volatile boolean acquired;
    private volatile boolean stopping;
    /** Bumped when the guest may have moved to another domain: the ISRs re-read their upcall. */
    private volatile long generation;
    private volatile Domain isrDomain;
    private int resets;

    /**
     * A client with a {@link ProcessorSync} of its own (nothing else of the guest synchronises with it).
     *
     * @param vm      the guest
     * @param frames  where control blocks and event-array pages come from
     * @param options registry knobs
     */
    public EvtchnClient(Vm vm, GuestFrames frames, Options options) {
        this(vm, frames, options, new ProcessorSync(vm));
    }

    /**
     * @param vm      the guest
     * @param frames  where control blocks and event-array pages come from
     * @param options registry knobs
     * @param sync    the guest's processors (shared with SUSPEND and STORE)
     */
    public EvtchnClient(Vm vm, GuestFrames frames, Options options, ProcessorSync sync) {
        this.vm = vm;
        this.kernel = vm.kernel();
        this.frames = frames;
        this.options = options;
        this.sync = sync;
        this.vcpus = vm.domain().vcpus();
        this.controlGfns = new long[vcpus];
        Arrays.fill(controlGfns, -1L);
        String name = name();
        this.deliveries = kernel.waitQueue(name + "/xenbus evtchn deliveries");
        for (int v = 0; v < vcpus; v++) {
            dpcQueues.add(new ArrayDeque<>());
            dpcWake.add(kernel.waitQueue(name + "/vcpu" + v + " xenbus dpc"));
        }
    }

    private String name() {
        return DomId.name(vm.domid());
    }

    private EventChannels ec() {
        return vm.domain().evtchn();
    }

    /** The guest's processors this client's ISR and DPC actors obey. */
    public ProcessorSync sync() {
        return sync;
    }

    /** The guest. */
    public Vm vm() {
        return vm;
    }

    // ---- ABI -------------------------------------------------------------------------------------

    /**
     * {@code EvtchnAcquire} + {@code EvtchnInterruptEnable}: picks the ABI and starts the interrupt
     * and DPC actors. FIFO: one control block per vCPU ({@code EVTCHNOP_init_control}); if any call
     * fails, {@link #reset} runs and the 2-level ABI is used with every mask bit set.
     */
    public synchronized void acquire() {
        if (acquired) {
            throw new IllegalStateException(name() + ": EVTCHN already acquired");
        }
        acquireAbi();
        stopping = false;
        isrDomain = vm.domain();
        sync.onChange(wakeUp);
        String name = name();
        for (int v = 0; v < vcpus; v++) {
            int vcpu = v;
            kernel.spawn(name + "/xenbus-isr" + v, () -> interruptLoop(vcpu));
            kernel.spawn(name + "/xenbus-dpc" + v, () -> dpcLoop(vcpu));
        }
        acquired = true;
    }

    private void acquireAbi() {
        arrayPages.clear();
        if (options.useEvtchnFifoAbi()) {
            try {
                for (int v = 0; v < vcpus; v++) {
                    if (controlGfns[v] < 0) {
                        controlGfns[v] = frames.allocRam();
                    }
                    // [bus evtchn_fifo.c]: a fresh zeroed page per acquire; here the same frame, zeroed again.
                    vm.domain().memory().page(controlGfns[v]).fill(0, Page.SIZE, (byte) 0);
                    ec().initControl(controlGfns[v], 0, v);
                }
                abi = EvtchnAbi.FIFO;
                LOG.debug("{}: FIFO event channel ABI", name());
                return;
            } catch (EvtchnException e) {
                // Quirk [bus evtchn_fifo.c EvtchnFifoAcquire]: a failed acquire resets, which re-binds store/console.
                LOG.info("{}: FIFO ABI unavailable ({}); EvtchnReset and 2-level fallback", name(), e.getMessage());
                reset();
            }
        }
        abi = EvtchnAbi.TWO_LEVEL;
        SharedInfo si = vm.domain().sharedInfo();
        // [bus shared_info.c]: after every map all 2-level mask bits are set.
        for (int port = 0; port < SharedInfo.EVTCHN_2L_NR_CHANNELS; port++) {
            si.testAndSetBit(SharedInfo.EVTCHN_MASK, port);
        }
    }

    /** The ABI in use. */
    public EvtchnAbi abi() {
        return abi;
    }

    /** How many times {@link #reset} ran. */
    public synchronized int resets() {
        return resets;
    }

    /** gfn of {@code vcpu}'s FIFO control block, or -1 if none was ever registered. */
    public long controlBlockGfn(int vcpu) {
        return controlGfns[vcpu];
    }

    /**
     * {@code EvtchnReset}: remembers the interdomain remote ends of the ports in
     * {@code HVM_PARAM_STORE_EVTCHN} and {@code HVM_PARAM_CONSOLE_EVTCHN}, does {@code EVTCHNOP_reset},
     * binds new local ports to the same remote ends and writes them back to the params. Channels this
     * client had open are gone afterwards (their owners re-open them).
     */
    public synchronized void reset() {
        Domain domain = vm.domain();
        EventChannels ec = domain.evtchn();
        HvmParam[] params = {HvmParam.STORE_EVTCHN, HvmParam.CONSOLE_EVTCHN};
        EvtchnStatus.Interdomain[] remotes = new EvtchnStatus.Interdomain[params.length];
        for (int i = 0; i < params.length; i++) {
            long port = domain.hvmParam(params[i]);
            if (port > 0 && port < ec.validPorts()) {
                if (ec.status((int) port) instanceof EvtchnStatus.Interdomain idc) {
                    remotes[i] = idc;
                }
            }
        }
        ec.reset();
        for (EvtchnChannel ch : byPort.values()) {
            ch.deactivate();
            ch.markClosed();
        }
        byPort.clear();
        for (int i = 0; i < params.length; i++) {
            if (remotes[i] != null) {
                int port = ec.bindInterdomain(remotes[i].remoteDomid(), remotes[i].remotePort());
                domain.setHvmParam(params[i], port);
                LOG.debug("{}: EvtchnReset re-bound {} to d{} port {} as port {}", name(), params[i],
                        remotes[i].remoteDomid(), remotes[i].remotePort(), port);
            }
        }
        resets++;
    }

    /** Makes sure the FIFO event array has a word for {@code port} ({@code EVTCHNOP_expand_array}, pages start MASKED). */
    private void expandFor(int port) {
        if (abi != EvtchnAbi.FIFO) {
            return;
        }
        while (arrayPages.size() * EvtchnFifo.WORDS_PER_PAGE <= port) {
            int index = arrayPages.size();
            if (index == arrayGfns.size()) {
                arrayGfns.add(frames.allocRam());
            }
            long gfn = arrayGfns.get(index);
            Page page = vm.domain().memory().page(gfn);
            for (int w = 0; w < EvtchnFifo.WORDS_PER_PAGE; w++) {
                page.putIntVolatile(w * 4, 1 << EvtchnFifo.MASKED);
            }
            ec().expandArray(gfn);
            arrayPages.add(page);
        }
    }

    // ---- open / close ----------------------------------------------------------------------------

    /** Opens the FIXED channel on an existing port (store, console). */
    public EvtchnChannel openFixed(int port, boolean mask, EvtchnCallback callback) {
        return register(new EvtchnChannel(EvtchnType.FIXED, port, -1, -1, mask, callback));
    }

    /** {@code EVTCHNOP_alloc_unbound} for {@code remoteDomid} (a backend). */
    public EvtchnChannel openUnbound(int remoteDomid, boolean mask, EvtchnCallback callback) {
        int port = ec().allocUnbound(remoteDomid);
        return register(new EvtchnChannel(EvtchnType.UNBOUND, port, remoteDomid, -1, mask, callback));
    }

    /** {@code EVTCHNOP_bind_interdomain} to {@code remotePort} of {@code remoteDomid}. */
    public EvtchnChannel openInterDomain(int remoteDomid, int remotePort, boolean mask, EvtchnCallback callback) {
        int port = ec().bindInterdomain(remoteDomid, remotePort);
        return register(new EvtchnChannel(EvtchnType.INTER_DOMAIN, port, remoteDomid, remotePort, mask, callback));
    }

    /** {@code EVTCHNOP_bind_virq} on {@code vcpu}. */
    public EvtchnChannel openVirq(int virq, int vcpu, EvtchnCallback callback) {
        int port = ec().bindVirq(virq, vcpu);
        EvtchnChannel ch = new EvtchnChannel(EvtchnType.VIRQ, port, -1, virq, false, callback);
        ch.cpu(vcpu);
        return register(ch);
    }

    private EvtchnChannel register(EvtchnChannel ch) {
        checkAcquired();
        synchronized (this) {
            expandFor(ch.localPort());
        }
        EvtchnChannel old = byPort.putIfAbsent(ch.localPort(), ch);
        if (old != null) {
            throw new IllegalStateException(name() + ": port " + ch.localPort() + " already open as " + old);
        }
        // [bus evtchn.c EvtchnOpen]: a new channel is unmasked; Xen re-raises it if it is already pending.
        ec().unmask(ch.localPort());
        return ch;
    }

    /** {@code EvtchnBind}: deliver {@code ch} on {@code vcpu} from now on ({@code EVTCHNOP_bind_vcpu}; not for FIXED on Xen's refusal). */
    public void bind(EvtchnChannel ch, int vcpu) {
        ec().bindVcpu(ch.localPort(), vcpu);
        ch.cpu(vcpu);
    }

    /** {@code EvtchnClose}: {@code EVTCHNOP_close}, except for FIXED channels, which are only forgotten. */
    public void close(EvtchnChannel ch) {
        if (ch.closed()) {
            return;
        }
        ch.markClosed();
        byPort.remove(ch.localPort(), ch);
        if (ch.type() != EvtchnType.FIXED) {
            ec().close(ch.localPort());
        } else {
            ec().mask(ch.localPort());
        }
    }

    /** {@code EvtchnSend}: {@code EVTCHNOP_send}, only while the channel is active. Returns whether it sent. */
    public boolean send(EvtchnChannel ch) {
        if (!ch.active()) {
            return false;
        }
        ec().send(ch.localPort());
        return true;
    }

    /**
     * {@code EvtchnUnmask(Channel, InUpcall, Force)}: clears the mask. If the port is still pending:
     * in the upcall or with {@code force}, masks it again and asks Xen ({@code EVTCHNOP_unmask}), which
     * re-raises it, and returns {@code false}; otherwise acks it locally and returns {@code true}, the
     * caller's cue to poll (run its handler) once more.
     */
    public boolean unmask(EvtchnChannel ch, boolean inUpcall, boolean force) {
        int port = ch.localPort();
        EventChannels ec = ec();
        clearMaskLocally(port);
        if (!ec.pending(port)) {
            return false;
        }
        if (inUpcall || force) {
            ec.mask(port);
            ec.unmask(port);
            return false;
        }
        ec.testAndClearPending(port);
        return true;
    }

    private void clearMaskLocally(int port) {
        if (abi == EvtchnAbi.FIFO) {
            Page page = arrayPages.get(port / EvtchnFifo.WORDS_PER_PAGE);
            int off = EvtchnFifo.wordOffset(port);
            while (true) {
                int w = page.getIntVolatile(off);
                if ((w & (1 << EvtchnFifo.MASKED)) == 0
                        || page.compareAndSetInt(off, w, w & ~(1 << EvtchnFifo.MASKED))) {
                    return;
                }
            }
        }
        vm.domain().sharedInfo().testAndClearBit(SharedInfo.EVTCHN_MASK, port);
    }

    /**
     * {@code EvtchnWait(Channel, Count, Timeout)}: blocks the calling actor until the channel has been
     * delivered at least {@code count} times. Returns whether it was.
     */
    public boolean await(EvtchnChannel ch, long count, Duration timeout) {
        return deliveries.await(() -> ch.count() >= count || ch.closed(), timeout) && ch.count() >= count;
    }

    /** The open channel on {@code port}, or null. */
    public EvtchnChannel channel(int port) {
        return byPort.get(port);
    }

    /** Every open channel. */
    public Collection<EvtchnChannel> channels() {
        return List.copyOf(byPort.values());
    }

    // ---- suspend / resume ------------------------------------------------------------------------

    /**
     * Suspend EARLY callback: every channel becomes inactive ({@link #send} is then a no-op), and the
     * interrupt actors move to the upcalls of the domain the guest now runs in (a new one after a
     * restore); interrupts are still off, so they deliver nothing until the processors let them.
     */
    public void suspendEarly() {
        for (EvtchnChannel ch : byPort.values()) {
            ch.deactivate();
        }
        followDomain();
    }

    /**
     * Suspend LATE callback: FIFO release (= {@link #reset}), then the ABI is acquired again. Owners
     * re-open their channels; the store and console re-open their FIXED ports from the new HVM params.
     */
    public synchronized void resumeLate() {
        followDomain();
        reset();
        acquireAbi();
    }

    private void followDomain() {
        Domain old = isrDomain;
        Domain now = vm.domain();
        if (old == now) {
            return;
        }
        isrDomain = now;
        generation++;
        for (int v = 0; v < vcpus; v++) {
            old.upcall(v).queue().wakeAll();
        }
        LOG.debug("{}: interrupt actors follow the guest from {} to {}", name(), old, now);
    }

    // ---- interrupt and DPC actors ----------------------------------------------------------------

    private void interruptLoop(int vcpu) {
        while (true) {
            Domain d = isrDomain;
            long gen = generation;
            Upcall upcall = d.upcall(vcpu);
            upcall.queue().await(() -> stopping || generation != gen || (upcall.pending() && sync.interruptsEnabled()));
            if (stopping) {
                return;
            }
            if (generation != gen || !sync.tryEnterInterrupt()) {
                continue;
            }
            try {
                // The ISR: swap evtchn_upcall_pending to 0 and poll until none is pending (dispatch loops).
                d.evtchn().dispatch(vcpu, port -> onPending(d, vcpu, port));
            } finally {
                sync.exitInterrupt();
            }
        }
    }

    private void onPending(Domain d, int vcpu, int port) {
        EvtchnChannel ch = byPort.get(port);
        if (ch == null || ch.closed()) {
            // No owner: keep it masked so a stray port cannot storm the upcall.
            d.evtchn().mask(port);
            LOG.debug("{}: event on port {} with no channel; masked", name(), port);
            return;
        }
        if (ch.autoMask()) {
            d.evtchn().mask(port);
        }
        // [bus evtchn.c EvtchnPoll]: Count++ in the ISR, after the ack, before the callback.
        ch.countDelivery();
        deliveries.wakeAll();
        int cpu = ch.cpu() < dpcQueues.size() ? ch.cpu() : vcpu;
        ArrayDeque<EvtchnChannel> q = dpcQueues.get(cpu);
        synchronized (q) {
            q.add(ch);
        }
        dpcWake.get(cpu).wakeAll();
    }

    private void dpcLoop(int vcpu) {
        ArrayDeque<EvtchnChannel> q = dpcQueues.get(vcpu);
        WaitQueue wake = dpcWake.get(vcpu);
        while (true) {
            wake.await(() -> stopping || (nonEmpty(q) && !sync.captured()));
            if (stopping) {
                return;
            }
            if (!sync.tryEnterDispatch()) {
                continue;
            }
            try {
                EvtchnChannel ch;
                synchronized (q) {
                    ch = q.poll();
                }
                if (ch == null || ch.closed()) {
                    continue;
                }
                ch.callback().fired(ch);
            } finally {
                sync.exitDispatch();
            }
        }
    }

    private static boolean nonEmpty(ArrayDeque<EvtchnChannel> q) {
        synchronized (q) {
            return !q.isEmpty();
        }
    }

    /** Interrupts back on or capture over: every ISR and DPC actor re-checks. */
    private void wakeActors() {
        Domain d = isrDomain;
        if (d != null) {
            for (int v = 0; v < vcpus; v++) {
                d.upcall(v).queue().wakeAll();
            }
        }
        for (WaitQueue w : dpcWake) {
            w.wakeAll();
        }
    }

    private void checkAcquired() {
        if (!acquired) {
            throw new IllegalStateException(name() + ": EVTCHN not acquired");
        }
    }

    /** Stops the interrupt and DPC actors and closes every non-FIXED channel still open. */
    @Override
    public synchronized void close() {
        for (EvtchnChannel ch : List.copyOf(byPort.values())) {
            close(ch);
        }
        stopping = true;
        sync.removeOnChange(wakeUp);
        wakeActors();
        acquired = false;
    }
}
