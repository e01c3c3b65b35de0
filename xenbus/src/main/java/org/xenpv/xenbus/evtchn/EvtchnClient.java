package org.xenpv.xenbus.evtchn;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;
import org.xenpv.xenbus.memory.GuestFrames;

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

    private final Domain domain;
    private final Kernel kernel;
    private final EventChannels ec;
    private final GuestFrames frames;
    private final Options options;
    private final String name;
    private final Map<Integer, EvtchnChannel> byPort = new ConcurrentHashMap<>();
    private final WaitQueue deliveries;
    private final List<ArrayDeque<EvtchnChannel>> dpcQueues = new ArrayList<>();
    private final List<WaitQueue> dpcWake = new ArrayList<>();
    private final List<Actor> actors = new ArrayList<>();
    private final List<Page> arrayPages = new ArrayList<>();
    private volatile EvtchnAbi abi;
    private volatile boolean acquired;
    private volatile boolean stopping;
    private int resets;

    /**
     * @param kernel  the platform's kernel (the actors run there)
     * @param domain  the guest
     * @param frames  where control blocks and event-array pages come from
     * @param options registry knobs
     */
    public EvtchnClient(Kernel kernel, Domain domain, GuestFrames frames, Options options) {
        this.domain = domain;
        this.kernel = kernel;
        this.ec = domain.evtchn();
        this.frames = frames;
        this.options = options;
        this.name = DomId.name(domain.domid());
        this.deliveries = kernel.waitQueue(name + "/xenbus evtchn deliveries");
        for (int v = 0; v < domain.vcpus(); v++) {
            dpcQueues.add(new ArrayDeque<>());
            dpcWake.add(kernel.waitQueue(name + "/vcpu" + v + " xenbus dpc"));
        }
    }

    // ---- ABI -------------------------------------------------------------------------------------

    /**
     * {@code EvtchnAcquire} + {@code EvtchnInterruptEnable}: picks the ABI and starts the interrupt
     * and DPC actors. FIFO: one control block per vCPU ({@code EVTCHNOP_init_control}); if any call
     * fails, {@link #reset} runs and the 2-level ABI is used with every mask bit set.
     */
    public synchronized void acquire() {
        if (acquired) {
            throw new IllegalStateException(name + ": EVTCHN already acquired");
        }
        acquireAbi();
        stopping = false;
        for (int v = 0; v < domain.vcpus(); v++) {
            int vcpu = v;
            actors.add(kernel.spawn(name + "/xenbus-isr" + v, () -> interruptLoop(vcpu)));
            actors.add(kernel.spawn(name + "/xenbus-dpc" + v, () -> dpcLoop(vcpu)));
        }
        acquired = true;
    }

    private void acquireAbi() {
        if (options.useEvtchnFifoAbi()) {
            try {
                for (int v = 0; v < domain.vcpus(); v++) {
                    ec.initControl(frames.allocRam(), 0, v);
                }
                abi = EvtchnAbi.FIFO;
                arrayPages.clear();
                LOG.debug("{}: FIFO event channel ABI", name);
                return;
            } catch (EvtchnException e) {
                // Quirk [bus evtchn_fifo.c EvtchnFifoAcquire]: a failed acquire resets, which re-binds store/console.
                LOG.info("{}: FIFO ABI unavailable ({}); EvtchnReset and 2-level fallback", name, e.getMessage());
                reset();
            }
        }
        abi = EvtchnAbi.TWO_LEVEL;
        SharedInfo si = domain.sharedInfo();
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

    /**
     * {@code EvtchnReset}: remembers the interdomain remote ends of the ports in
     * {@code HVM_PARAM_STORE_EVTCHN} and {@code HVM_PARAM_CONSOLE_EVTCHN}, does {@code EVTCHNOP_reset},
     * binds new local ports to the same remote ends and writes them back to the params. Channels this
     * client had open are gone afterwards (their owners re-open them).
     */
    public synchronized void reset() {
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
                LOG.debug("{}: EvtchnReset re-bound {} to d{} port {} as port {}", name, params[i],
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
            long gfn = frames.allocRam();
            Page page = domain.memory().page(gfn);
            for (int w = 0; w < EvtchnFifo.WORDS_PER_PAGE; w++) {
                page.putIntVolatile(w * 4, 1 << EvtchnFifo.MASKED);
            }
            ec.expandArray(gfn);
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
        int port = ec.allocUnbound(remoteDomid);
        return register(new EvtchnChannel(EvtchnType.UNBOUND, port, remoteDomid, -1, mask, callback));
    }

    /** {@code EVTCHNOP_bind_interdomain} to {@code remotePort} of {@code remoteDomid}. */
    public EvtchnChannel openInterDomain(int remoteDomid, int remotePort, boolean mask, EvtchnCallback callback) {
        int port = ec.bindInterdomain(remoteDomid, remotePort);
        return register(new EvtchnChannel(EvtchnType.INTER_DOMAIN, port, remoteDomid, remotePort, mask, callback));
    }

    /** {@code EVTCHNOP_bind_virq} on {@code vcpu}. */
    public EvtchnChannel openVirq(int virq, int vcpu, EvtchnCallback callback) {
        int port = ec.bindVirq(virq, vcpu);
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
            throw new IllegalStateException(name + ": port " + ch.localPort() + " already open as " + old);
        }
        // [bus evtchn.c EvtchnOpen]: a new channel is unmasked; Xen re-raises it if it is already pending.
        ec.unmask(ch.localPort());
        return ch;
    }

    /** {@code EvtchnBind}: deliver {@code ch} on {@code vcpu} from now on ({@code EVTCHNOP_bind_vcpu}; not for FIXED on Xen's refusal). */
    public void bind(EvtchnChannel ch, int vcpu) {
        ec.bindVcpu(ch.localPort(), vcpu);
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
            ec.close(ch.localPort());
        } else {
            ec.mask(ch.localPort());
        }
    }

    /** {@code EvtchnSend}: {@code EVTCHNOP_send}, only while the channel is active. Returns whether it sent. */
    public boolean send(EvtchnChannel ch) {
        if (!ch.active()) {
            return false;
        }
        ec.send(ch.localPort());
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
        domain.sharedInfo().testAndClearBit(SharedInfo.EVTCHN_MASK, port);
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

    /** Suspend EARLY callback: every channel becomes inactive ({@link #send} is then a no-op). */
    public void suspendEarly() {
        for (EvtchnChannel ch : byPort.values()) {
            ch.deactivate();
        }
    }

    /**
     * Suspend LATE callback: FIFO release (= {@link #reset}), then the ABI is acquired again. Owners
     * re-open their channels; the store and console re-open their FIXED ports from the new HVM params.
     */
    public synchronized void resumeLate() {
        reset();
        acquireAbi();
    }

    // ---- interrupt and DPC actors ----------------------------------------------------------------

    private void interruptLoop(int vcpu) {
        Upcall upcall = domain.upcall(vcpu);
        while (true) {
            upcall.queue().await(() -> stopping || upcall.pending());
            if (stopping) {
                return;
            }
            // The ISR: swap evtchn_upcall_pending to 0 and poll until none is pending (dispatch loops).
            ec.dispatch(vcpu, port -> onPending(vcpu, port));
        }
    }

    private void onPending(int vcpu, int port) {
        EvtchnChannel ch = byPort.get(port);
        if (ch == null) {
            // No owner: keep it masked so a stray port cannot storm the upcall.
            ec.mask(port);
            LOG.debug("{}: event on port {} with no channel; masked", name, port);
            return;
        }
        if (ch.autoMask()) {
            ec.mask(port);
        }
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
            wake.await(() -> stopping || nonEmpty(q));
            if (stopping) {
                return;
            }
            EvtchnChannel ch;
            synchronized (q) {
                ch = q.poll();
            }
            if (ch == null || ch.closed()) {
                continue;
            }
            ch.countDelivery();
            ch.callback().fired(ch);
            deliveries.wakeAll();
        }
    }

    private static boolean nonEmpty(ArrayDeque<EvtchnChannel> q) {
        synchronized (q) {
            return !q.isEmpty();
        }
    }

    private void checkAcquired() {
        if (!acquired) {
            throw new IllegalStateException(name + ": EVTCHN not acquired");
        }
    }

    /** Stops the interrupt and DPC actors and closes every non-FIXED channel still open. */
    @Override
    public synchronized void close() {
        for (EvtchnChannel ch : List.copyOf(byPort.values())) {
            close(ch);
        }
        stopping = true;
        for (int v = 0; v < domain.vcpus(); v++) {
            domain.upcall(v).queue().wakeAll();
            dpcWake.get(v).wakeAll();
        }
        acquired = false;
    }
}
