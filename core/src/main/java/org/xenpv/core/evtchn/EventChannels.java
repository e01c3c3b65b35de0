package org.xenpv.core.evtchn;

import static org.xenpv.core.domain.DomId.DOMID_SELF;
import static org.xenpv.core.evtchn.Errno.EEXIST;
import static org.xenpv.core.evtchn.Errno.EINVAL;
import static org.xenpv.core.evtchn.Errno.ENOENT;
import static org.xenpv.core.evtchn.Errno.ENOSPC;
import static org.xenpv.core.evtchn.Errno.ENOSYS;
import static org.xenpv.core.evtchn.Errno.EOPNOTSUPP;
import static org.xenpv.core.evtchn.Errno.EPERM;
import static org.xenpv.core.evtchn.Errno.ESRCH;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.LongFunction;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.evtchn.Channel.State;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.EventLog;
import org.xenpv.core.mem.Page;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;

/**
 * One domain's event channels: its port table and the {@code EVTCHNOP_*} and {@code SCHEDOP_poll}
 * hypercalls it makes ({@code event_channel.h}, {@code sched.h}), with Xen's checks and error
 * numbers ({@code xen/common/event_channel.c}). Failures throw {@link EvtchnException} carrying the
 * negative errno Xen returns.
 *
 * <p>Besides the hypercalls, a few methods act on the guest's side of shared memory, as a guest
 * kernel does without a hypercall: {@link #mask}, {@link #pending}, {@link #testAndClearPending} and
 * the reference upcall handler {@link #dispatch}. They work for both ABIs, so simple consumers
 * (backends in dom0, tests) need not care which one the domain uses.
 *
 * <p>Ports are allocated lowest-first from 1 (port 0 is reserved), in buckets of
 * {@link #EVTCHNS_PER_BUCKET} as Xen does; a port inside an allocated bucket is "valid" even when
 * free, which decides between {@code -EINVAL} and {@code EVTCHNSTAT_closed} answers.
 *
 * <p>Created by the platform for each domain; {@code domains} resolves the other domains' tables
 * (returning {@code null} for a domid with no live domain).
 */
public final class EventChannels {

    /** Ports per allocation bucket ({@code EVTCHNS_PER_BUCKET}: a page of 64-byte {@code struct evtchn}). */
    public static final int EVTCHNS_PER_BUCKET = 64;
    /** Most ports one {@code SCHEDOP_poll} may wait on. */
    public static final int MAX_POLL_PORTS = 128;
    /** Rounds of the upcall loop one {@link #dispatch} call makes before returning. */
    private static final int DISPATCH_ROUNDS = 64;

    private final int domid;
    private final boolean privileged;
    private final int vcpus;
    private final int maxEvtchnPort;
    private final boolean fifoAllowed;
    private final Kernel kernel;
    private final EventLog log;
    private final SharedInfo shared;
    private final LongFunction<Page> frames;
    private final IntFunction<EventChannels> domains;
    private final Upcall[] upcalls;
    private final WaitQueue pollQueue;
    private final AtomicInteger pollers = new AtomicInteger();
    private final TwoLevel twoLevel;
    /** Xen's {@code d->event_lock}: serialises allocation and binding changes. */
    private final Object eventLock = new Object();
    /** Port table; its length is Xen's {@code valid_evtchns}. Replaced (grown) under the event lock. */
    private volatile Channel[] channels;
    private volatile PortOps ops;
    /** {@code v->virq_to_evtchn}, guarded by the event lock. */
    private final int[][] virqToPort;
    private volatile boolean dying;

    /**
     * @param domid         owning domain
     * @param privileged    whether it may act on other domains' channels (dom0)
     * @param maxEvtchnPort highest port it may allocate ({@code max_evtchn_port}; libxl's default is 1023)
     * @param fifoAllowed   whether {@code EVTCHNOP_init_control} is available (off: {@code -ENOSYS},
     *                      as on a Xen without the FIFO ABI)
     * @param kernel        for wait queues and the event log
     * @param shared        the domain's shared-info page (2-level state, upcall bytes)
     * @param frames        the domain's gfn -> page lookup ({@code null} for a bad gfn)
     * @param domains       domid -> that live domain's event channels, or {@code null}
     */
    public EventChannels(int domid, boolean privileged, int maxEvtchnPort, boolean fifoAllowed, Kernel kernel,
                         SharedInfo shared, LongFunction<Page> frames, IntFunction<EventChannels> domains) {
        this.domid = domid;
        this.privileged = privileged;
        this.vcpus = shared.vcpus();
        this.maxEvtchnPort = maxEvtchnPort;
        this.fifoAllowed = fifoAllowed;
        this.kernel = kernel;
        this.log = kernel.log();
        this.shared = shared;
        this.frames = frames;
        this.domains = domains;
        this.upcalls = new Upcall[vcpus];
        for (int v = 0; v < vcpus; v++) {
            upcalls[v] = new Upcall(kernel, shared, v);
        }
        this.pollQueue = kernel.waitQueue(DomId.name(domid) + " SCHEDOP_poll");
        this.twoLevel = new TwoLevel(this, shared);
        this.ops = twoLevel;
        this.virqToPort = new int[vcpus][Virq.NR_VIRQS];
        Channel[] first = new Channel[EVTCHNS_PER_BUCKET];
        for (int i = 0; i < first.length; i++) {
            first[i] = new Channel(this, i);
        }
        first[0].state = State.RESERVED;
        this.channels = first;
    }

    public int domid() {
        return domid;
    }

    public boolean privileged() {
        return privileged;
    }

    /** The ABI in use. */
    public EvtchnAbi abi() {
        return ops.abi();
    }

    /** The upcall of {@code vcpu}. */
    public Upcall upcall(int vcpu) {
        checkVcpuArg(vcpu);
        return upcalls[vcpu];
    }

    /** Number of ports in allocated buckets ({@code valid_evtchns}). */
    public int validPorts() {
        return channels.length;
    }

    // ---- internals shared with the ABIs ----------------------------------------------------------

    boolean markEventsPending(int vcpu) {
        return upcalls[vcpu].raise();
    }

    void delivered(Channel ch, boolean edge, boolean masked, boolean upcall) {
        if (edge) {
            ch.countDelivered();
        }
        if (upcall) {
            ch.countUpcall();
        }
        if (log.enabled()) {
            log.record(new Event.EvtchnDeliver(domid, ch.port, masked, upcall));
        }
    }

    void checkPollers() {
        if (pollers.get() != 0) {
            pollQueue.wakeAll();
        }
    }

    void fault(String what) {
        if (log.enabled()) {
            log.record(new Event.Fault("xen-evtchn", DomId.name(domid) + " " + what));
        }
    }

    private void note(String what) {
        if (log.enabled()) {
            log.note("xen-evtchn", DomId.name(domid) + " " + what);
        }
    }

    private EvtchnException error(String op, int port, int rc, String detail) {
        return new EvtchnException(op, domid, port, rc, detail);
    }

    private void checkVcpuArg(int vcpu) {
        if (vcpu < 0 || vcpu >= vcpus) {
            throw new IllegalArgumentException(DomId.name(domid) + " has no vCPU " + vcpu + " (has " + vcpus + ")");
        }
    }

    private boolean vcpuValid(int vcpu) {
        return vcpu >= 0 && vcpu < vcpus;
    }

    private boolean portValid(int port) {
        return port >= 0 && port < channels.length;
    }

    /** {@code port_is_valid} or {@code -EINVAL}. */
    private Channel channel(String op, int port) {
        Channel[] t = channels;
        if (port < 0 || port >= t.length) {
            throw error(op, port, -EINVAL, "port beyond the " + t.length + " allocated");
        }
        return t[port];
    }

    /** {@code get_free_port}; caller holds the event lock. Grows the table by a bucket when needed. */
    private int getFreePort(String op) {
        if (dying) {
            throw error(op, -1, -EINVAL, "domain is dying");
        }
        Channel[] t = channels;
        PortOps o = ops;
        int port;
        for (port = 0; port < t.length; port++) {
            if (port > maxEvtchnPort) {
                throw error(op, -1, -ENOSPC, "max_evtchn_port " + maxEvtchnPort + " reached");
            }
            Channel ch = t[port];
            if (ch.state == State.FREE && !o.isBusy(ch)) {
                return port;
            }
        }
        if (port > maxEvtchnPort) {
            throw error(op, -1, -ENOSPC, "max_evtchn_port " + maxEvtchnPort + " reached");
        }
        if (port >= o.maxPorts()) {
            throw error(op, -1, -ENOSPC, "all " + o.maxPorts() + " ports of the " + o.abi() + " ABI in use");
        }
        Channel[] grown = Arrays.copyOf(t, t.length + EVTCHNS_PER_BUCKET);
        for (int i = t.length; i < grown.length; i++) {
            grown[i] = new Channel(this, i);
        }
        channels = grown;
        return port;
    }

    /** {@code evtchn_port_init} plus the state change; caller holds the event lock and the channel. */
    private void initPort(Channel ch) {
        ch.resetCounters();
        ch.priority = EvtchnFifo.PRIORITY_DEFAULT;
        if (ops instanceof Fifo f && f.isBusy(ch)) {
            fault("port " + ch.port + " already on a queue when bound");
        }
    }

    private EventChannels resolve(String op, int dom) {
        if (dom == DOMID_SELF || dom == domid) {
            return this;
        }
        EventChannels d = domains.apply(dom);
        if (d == null) {
            throw error(op, -1, -ESRCH, "no domain " + DomId.name(dom));
        }
        return d;
    }

    private void bindLog(int port, String binding) {
        if (log.enabled()) {
            log.record(new Event.EvtchnBind(domid, port, binding));
        }
    }

    // ---- EVTCHNOP_alloc_unbound / bind_* -----------------------------------------------------------

    /** {@code EVTCHNOP_alloc_unbound} in this domain: a port {@code remoteDomid} may bind to. */
    public int allocUnbound(int remoteDomid) {
        return allocUnbound(DOMID_SELF, remoteDomid);
    }

    /**
     * {@code EVTCHNOP_alloc_unbound}: allocates a port in {@code dom} (only a privileged caller may
     * name another domain) that {@code remoteDomid} ({@code DOMID_SELF} = the caller) may bind to.
     */
    public int allocUnbound(int dom, int remoteDomid) {
        String op = "EVTCHNOP_alloc_unbound";
        EventChannels d = resolve(op, dom);
        if (d != this && !privileged) {
            throw error(op, -1, -EPERM, "unprivileged caller named " + DomId.name(dom));
        }
        int remote = remoteDomid == DOMID_SELF ? domid : remoteDomid;
        synchronized (d.eventLock) {
            int port = d.getFreePort(op);
            Channel ch = d.channels[port];
            synchronized (ch) {
                d.initPort(ch);
                ch.remoteDomid = remote;
                ch.state = State.UNBOUND;
            }
            d.bindLog(port, "unbound for " + DomId.name(remote));
            return port;
        }
    }

    /**
     * {@code EVTCHNOP_bind_interdomain}: connects a new local port to {@code remotePort} of
     * {@code remoteDomid}, which must be unbound and allocated for this domain. The new local port
     * is made pending at once, as Xen does, because notifications sent to the unbound remote end
     * were dropped.
     */
    public int bindInterdomain(int remoteDomid, int remotePort) {
        String op = "EVTCHNOP_bind_interdomain";
        EventChannels rd = remoteDomid == DOMID_SELF || remoteDomid == domid ? this : domains.apply(remoteDomid);
        if (rd == null) {
            throw error(op, -1, -ESRCH, "no domain " + DomId.name(remoteDomid));
        }
        EventChannels first = domid <= rd.domid ? this : rd;
        EventChannels second = first == this ? rd : this;
        Channel lch;
        synchronized (first.eventLock) {
            synchronized (second.eventLock) {
                int lport = getFreePort(op);
                lch = channels[lport];
                if (!rd.portValid(remotePort)) {
                    throw rd.error(op, remotePort, -EINVAL, "remote port beyond the " + rd.channels.length
                            + " allocated");
                }
                Channel rch = rd.channels[remotePort];
                if (rch == lch) {
                    throw rd.error(op, remotePort, -EINVAL, "port is the one being bound");
                }
                if (rch.state != State.UNBOUND || rch.remoteDomid != domid) {
                    throw rd.error(op, remotePort, -EINVAL, "remote port is " + rch.status().describe()
                            + ", not unbound for " + DomId.name(domid));
                }
                Channel a = order(lch, rch);
                Channel b = a == lch ? rch : lch;
                synchronized (a) {
                    synchronized (b) {
                        initPort(lch);
                        lch.remote = rd;
                        lch.remoteChannel = rch;
                        lch.remoteDomid = rd.domid;
                        lch.state = State.INTERDOMAIN;
                        rch.remote = this;
                        rch.remoteChannel = lch;
                        rch.remoteDomid = domid;
                        rch.state = State.INTERDOMAIN;
                    }
                }
                bindLog(lport, "interdomain <-> " + DomId.name(rd.domid) + " port " + remotePort);
                synchronized (lch) {
                    ops.setPending(lch);
                }
            }
        }
        return lch.port;
    }

    /** {@link #bindInterdomain(int, int)} to {@code remote}; returns this domain's end. */
    public EvtchnPort bindInterdomain(EvtchnPort remote) {
        return new EvtchnPort(domid, bindInterdomain(remote.domid(), remote.port()));
    }

    private static Channel order(Channel x, Channel y) {
        int c = Integer.compare(x.owner.domid, y.owner.domid);
        if (c == 0) {
            c = Integer.compare(x.port, y.port);
        }
        return c <= 0 ? x : y;
    }

    /** {@code EVTCHNOP_bind_virq}: a port for {@code virq}, notified on {@code vcpu} (0 for global VIRQs). */
    public int bindVirq(int virq, int vcpu) {
        String op = "EVTCHNOP_bind_virq";
        if (virq < 0 || virq >= Virq.NR_VIRQS) {
            throw error(op, -1, -EINVAL, "no VIRQ " + virq);
        }
        if (Virq.isGlobal(virq) && vcpu != 0) {
            throw error(op, -1, -EINVAL, Virq.name(virq) + " is global; bind it on vCPU 0");
        }
        if (!vcpuValid(vcpu)) {
            throw error(op, -1, -ENOENT, "no vCPU " + vcpu);
        }
        synchronized (eventLock) {
            if (virqToPort[vcpu][virq] != 0) {
                throw error(op, virqToPort[vcpu][virq], -EEXIST, Virq.name(virq) + " already bound on vCPU " + vcpu);
            }
            int port = getFreePort(op);
            Channel ch = channels[port];
            synchronized (ch) {
                initPort(ch);
                ch.notifyVcpu = vcpu;
                ch.virq = virq;
                ch.state = State.VIRQ;
            }
            virqToPort[vcpu][virq] = port;
            bindLog(port, Virq.name(virq) + " vcpu " + vcpu);
            return port;
        }
    }

    /** {@code EVTCHNOP_bind_ipi}: a port that notifies {@code vcpu} of this domain. */
    public int bindIpi(int vcpu) {
        String op = "EVTCHNOP_bind_ipi";
        if (!vcpuValid(vcpu)) {
            throw error(op, -1, -ENOENT, "no vCPU " + vcpu);
        }
        synchronized (eventLock) {
            int port = getFreePort(op);
            Channel ch = channels[port];
            synchronized (ch) {
                initPort(ch);
                ch.notifyVcpu = vcpu;
                ch.state = State.IPI;
            }
            bindLog(port, "ipi vcpu " + vcpu);
            return port;
        }
    }

    /** {@code EVTCHNOP_bind_vcpu}: notify {@code vcpu} for {@code port} from now on. */
    public void bindVcpu(int port, int vcpu) {
        String op = "EVTCHNOP_bind_vcpu";
        if (!vcpuValid(vcpu)) {
            throw error(op, port, -ENOENT, "no vCPU " + vcpu);
        }
        synchronized (eventLock) {
            Channel ch = channel(op, port);
            synchronized (ch) {
                switch (ch.state) {
                    case VIRQ -> {
                        if (!Virq.isGlobal(ch.virq)) {
                            throw error(op, port, -EINVAL, Virq.name(ch.virq) + " is per-vCPU");
                        }
                        ch.notifyVcpu = vcpu;
                    }
                    case UNBOUND, INTERDOMAIN -> ch.notifyVcpu = vcpu;
                    default -> throw error(op, port, -EINVAL, "port is " + ch.status().describe());
                }
            }
        }
        note("port " + port + " -> vCPU " + vcpu);
    }

    /** {@code EVTCHNOP_set_priority} (FIFO): queue {@code port}'s future events at {@code priority}. */
    public void setPriority(int port, int priority) {
        String op = "EVTCHNOP_set_priority";
        synchronized (eventLock) {
            Channel ch = channel(op, port);
            if (!(ops instanceof Fifo)) {
                throw error(op, port, -ENOSYS, "priorities need the FIFO ABI");
            }
            if (priority < 0 || priority > EvtchnFifo.PRIORITY_MIN) {
                throw error(op, port, -EINVAL, "priority " + priority + " outside 0.." + EvtchnFifo.PRIORITY_MIN);
            }
            ch.priority = priority;
        }
    }

    // ---- EVTCHNOP_close / reset --------------------------------------------------------------------

    /** {@code EVTCHNOP_close}. An interdomain peer's port falls back to unbound (for this domain). */
    public void close(int port) {
        close("EVTCHNOP_close", port);
    }

    private void close(String op, int port) {
        while (true) {
            Channel ch = channel(op, port);
            EventChannels peer;
            synchronized (ch) {
                peer = ch.state == State.INTERDOMAIN ? ch.remote : this;
            }
            EventChannels first = domid <= peer.domid ? this : peer;
            EventChannels second = first == this ? peer : this;
            synchronized (first.eventLock) {
                synchronized (second.eventLock) {
                    if (ch.state == State.INTERDOMAIN && ch.remote != peer) {
                        continue; // closed and re-bound meanwhile: take the right locks
                    }
                    closeLocked(op, ch);
                    return;
                }
            }
        }
    }

    /** {@code __evtchn_close}; caller holds this domain's event lock and, if interdomain, the peer's. */
    private void closeLocked(String op, Channel ch) {
        switch (ch.state) {
            case FREE, RESERVED -> throw error(op, ch.port, -EINVAL, "port is not bound");
            case VIRQ -> {
                for (int[] map : virqToPort) {
                    if (map[ch.virq] == ch.port) {
                        map[ch.virq] = 0;
                    }
                }
                free(ch);
            }
            case UNBOUND, IPI -> free(ch);
            case INTERDOMAIN -> {
                Channel rch = ch.remoteChannel;
                Channel a = order(ch, rch);
                Channel b = a == ch ? rch : ch;
                synchronized (a) {
                    synchronized (b) {
                        rch.state = State.UNBOUND;
                        rch.remoteDomid = domid;
                        rch.remote = null;
                        rch.remoteChannel = null;
                        freeLocked(ch);
                    }
                }
            }
        }
        if (log.enabled()) {
            log.record(new Event.EvtchnClose(domid, ch.port));
        }
    }

    private void free(Channel ch) {
        synchronized (ch) {
            freeLocked(ch);
        }
    }

    /** {@code free_evtchn}: pending is cleared so a re-bound port starts clean. */
    private void freeLocked(Channel ch) {
        ops.clearPending(ch);
        ch.state = State.FREE;
        ch.notifyVcpu = 0;
        ch.remote = null;
        ch.remoteChannel = null;
    }

    /** {@code EVTCHNOP_reset} of this domain (Windows' {@code EvtchnReset} on resume). */
    public void reset() {
        reset(DOMID_SELF);
    }

    /**
     * {@code EVTCHNOP_reset}: closes every port of {@code dom} (only a privileged caller may name
     * another domain). A domain resetting itself also leaves the FIFO ABI and is back on 2-level.
     */
    public void reset(int dom) {
        String op = "EVTCHNOP_reset";
        EventChannels d = resolve(op, dom);
        if (d != this && !privileged) {
            throw error(op, -1, -EPERM, "unprivileged caller named " + DomId.name(dom));
        }
        d.closeAll(op);
        if (d == this) {
            synchronized (eventLock) {
                if (ops instanceof Fifo f) {
                    f.destroy();
                    ops = twoLevel;
                }
            }
        }
        d.note("EVTCHNOP_reset" + (d == this ? "" : " by " + DomId.name(domid)) + ": all ports closed, ABI " + d.abi());
    }

    private void closeAll(String op) {
        for (int port = 1; port < channels.length; port++) {
            if (channels[port].bound()) {
                try {
                    close(op, port);
                } catch (EvtchnException raced) {
                    // closed by its peer meanwhile
                }
            }
        }
    }

    /** Domain destruction ({@code evtchn_destroy}): no new ports, every port closed, FIFO state dropped. */
    public void destroy() {
        dying = true;
        closeAll("evtchn_destroy");
        synchronized (eventLock) {
            ops.destroy();
            ops = twoLevel;
        }
    }

    // ---- EVTCHNOP_send / status / unmask -------------------------------------------------------------

    /**
     * {@code EVTCHNOP_send}: notify the other end (interdomain), this domain's vCPU (IPI) or nobody
     * (unbound: dropped). The hot path takes only this port's lock and does no allocation when the
     * event log is disabled.
     */
    public void send(int port) {
        Channel ch = channel("EVTCHNOP_send", port);
        synchronized (ch) {
            switch (ch.state) {
                case INTERDOMAIN -> {
                    ch.countSent();
                    Channel rch = ch.remoteChannel;
                    EventChannels rd = ch.remote;
                    if (log.enabled()) {
                        log.record(new Event.EvtchnSend(domid, port, rd.domid, rch.port));
                    }
                    rd.ops.setPending(rch);
                }
                case IPI -> {
                    ch.countSent();
                    if (log.enabled()) {
                        log.record(new Event.EvtchnSend(domid, port, domid, port));
                    }
                    ops.setPending(ch);
                }
                case UNBOUND -> {
                    ch.countSent();
                    note("send on unbound port " + port + " dropped");
                }
                default -> throw error("EVTCHNOP_send", port, -EINVAL, "port is " + ch.status().describe());
            }
        }
    }

    /** {@code EVTCHNOP_status} of one of this domain's ports. */
    public EvtchnStatus status(int port) {
        return status(DOMID_SELF, port);
    }

    /** {@code EVTCHNOP_status}: only a privileged caller may ask about another domain. */
    public EvtchnStatus status(int dom, int port) {
        String op = "EVTCHNOP_status";
        EventChannels d = resolve(op, dom);
        synchronized (d.eventLock) {
            Channel ch = d.channel(op, port);
            if (d != this && !privileged) {
                throw d.error(op, port, -EPERM, "unprivileged " + DomId.name(domid) + " asked");
            }
            synchronized (ch) {
                return ch.status();
            }
        }
    }

    /**
     * {@code EVTCHNOP_unmask}: clears the port's mask and, if it is still pending, delivers it again
     * (2-level: sets the selector bit and raises the upcall; FIFO: links it on its queue).
     */
    public void unmask(int port) {
        Channel ch = channel("EVTCHNOP_unmask", port);
        synchronized (ch) {
            ops.unmask(ch);
        }
        if (log.enabled()) {
            log.record(new Event.EvtchnMask(domid, port, false));
        }
    }

    // ---- FIFO ABI setup ------------------------------------------------------------------------------

    /**
     * {@code EVTCHNOP_init_control}: registers {@code vcpu}'s FIFO control block at {@code offset}
     * in guest frame {@code controlGfn}. The first call switches the domain to the FIFO ABI, carrying
     * the pending state of bound ports over. Returns {@code link_bits}.
     */
    public int initControl(long controlGfn, int offset, int vcpu) {
        String op = "EVTCHNOP_init_control";
        if (!fifoAllowed) {
            throw error(op, -1, -ENOSYS, "FIFO ABI disabled for this domain");
        }
        if (!vcpuValid(vcpu)) {
            throw error(op, -1, -ENOENT, "no vCPU " + vcpu);
        }
        if (offset < 0 || offset > Page.SIZE - EvtchnFifo.CONTROL_BLOCK_SIZE) {
            throw error(op, -1, -EINVAL, "control block at offset " + offset + " crosses the page");
        }
        if ((offset & 7) != 0) {
            throw error(op, -1, -EINVAL, "control block offset " + offset + " not 8-byte aligned");
        }
        synchronized (eventLock) {
            Page page = frames.apply(controlGfn);
            if (page == null) {
                throw error(op, -1, -EINVAL, "control gfn 0x" + Long.toHexString(controlGfn) + " is not guest memory");
            }
            if (ops instanceof Fifo f) {
                if (!f.mapControlBlock(vcpu, controlGfn, page, offset)) {
                    throw error(op, -1, -EINVAL, "vCPU " + vcpu + " already has a control block");
                }
            } else {
                Fifo f = new Fifo(this, vcpus);
                f.mapControlBlock(vcpu, controlGfn, page, offset);
                Channel[] t = channels;
                for (int port = 1; port < t.length; port++) {
                    Channel ch = t[port];
                    if (shared.evtchnPending(port)) {
                        ch.fifoPending = true;
                    }
                    ch.priority = EvtchnFifo.PRIORITY_DEFAULT;
                    ch.lastQueue = 0;
                }
                ops = f;
            }
        }
        note("EVTCHNOP_init_control vCPU " + vcpu + " gfn 0x" + Long.toHexString(controlGfn) + "+" + offset + ": FIFO ABI");
        return EvtchnFifo.LINK_BITS;
    }

    /**
     * {@code EVTCHNOP_expand_array}: adds guest frame {@code arrayGfn} as the next event-array page
     * (1024 more ports) and re-raises ports that became pending while they had no event word.
     */
    public void expandArray(long arrayGfn) {
        String op = "EVTCHNOP_expand_array";
        Fifo f;
        int from;
        int to;
        synchronized (eventLock) {
            if (!(ops instanceof Fifo fifo)) {
                throw error(op, -1, -EOPNOTSUPP, "FIFO ABI not initialised (EVTCHNOP_init_control first)");
            }
            f = fifo;
            if (f.eventArrayPages() >= EvtchnFifo.MAX_EVENT_ARRAY_PAGES) {
                throw error(op, -1, -ENOSPC, "event array already has " + EvtchnFifo.MAX_EVENT_ARRAY_PAGES + " pages");
            }
            Page page = frames.apply(arrayGfn);
            if (page == null) {
                throw error(op, -1, -EINVAL, "array gfn 0x" + Long.toHexString(arrayGfn) + " is not guest memory");
            }
            from = f.numEvtchns();
            f.addPage(page);
            to = f.numEvtchns();
        }
        note("EVTCHNOP_expand_array gfn 0x" + Long.toHexString(arrayGfn) + ": ports " + from + ".." + (to - 1));
        Channel[] t = channels;
        for (int port = from; port < to && port < t.length; port++) {
            Channel ch = t[port];
            if (ch.fifoPending) {
                ch.fifoPending = false;
                f.link(ch, false);
            }
        }
    }

    /** gfn of {@code vcpu}'s FIFO control block, or -1 (2-level, or not registered). */
    public long fifoControlGfn(int vcpu) {
        checkVcpuArg(vcpu);
        return ops instanceof Fifo f && f.controlBlock(vcpu) != null ? f.controlBlock(vcpu).gfn() : -1;
    }

    /** {@code port}'s FIFO event word, or -1 if the domain is on 2-level or the port has no word yet. */
    public int fifoEventWord(int port) {
        return ops instanceof Fifo f ? f.word(port) : -1;
    }

    // ---- guest side ----------------------------------------------------------------------------------

    /** Guest: sets {@code port}'s mask bit in shared memory (2-level bitmap or FIFO MASKED). */
    public void mask(int port) {
        Channel ch = channel("mask", port);
        ops.mask(ch);
        if (log.enabled()) {
            log.record(new Event.EvtchnMask(domid, port, true));
        }
    }

    /** Guest: whether {@code port} is masked. */
    public boolean masked(int port) {
        return ops.isMasked(channel("masked", port));
    }

    /** Whether {@code port} is pending (what {@code SCHEDOP_poll} waits for). */
    public boolean pending(int port) {
        Channel[] t = channels;
        return port >= 0 && port < t.length && ops.isPending(t[port]);
    }

    /** Guest: atomically clears {@code port}'s pending bit; returns whether it was set. */
    public boolean testAndClearPending(int port) {
        return ops.testAndClearPending(channel("clear pending", port));
    }

    /**
     * Guest: a reference upcall handler for {@code vcpu}. Clears {@code evtchn_upcall_pending}, then
     * consumes pending unmasked ports (2-level: selector then bitmap words; FIFO: queues by priority),
     * clearing each one's pending bit before calling {@code handler} with it; repeats while the upcall
     * was raised again (up to a bound, after which the upcall stays pending for the next call).
     *
     * @return number of ports handled
     */
    public int dispatch(int vcpu, IntConsumer handler) {
        checkVcpuArg(vcpu);
        Upcall u = upcalls[vcpu];
        int n = 0;
        for (int round = 0; round < DISPATCH_ROUNDS; round++) {
            u.testAndClear();
            n += ops.dispatch(vcpu, handler);
            if (!u.pending()) {
                break;
            }
        }
        return n;
    }

    /**
     * {@code SCHEDOP_poll} on one port: blocks the calling actor until {@code port} is pending (masked
     * or not) or {@code timeout} passes. Returns at once, from any thread, if it is pending already.
     *
     * @return whether the port is pending
     */
    public boolean poll(int port, Duration timeout) {
        checkPollPort(port);
        if (pending(port)) {
            return true;
        }
        if (timeout.isZero() || timeout.isNegative()) {
            return false;
        }
        pollers.incrementAndGet();
        try {
            return pollQueue.await(() -> pending(port), timeout);
        } finally {
            pollers.decrementAndGet();
        }
    }

    /** {@code SCHEDOP_poll} without timeout. */
    public void poll(int port) {
        checkPollPort(port);
        if (pending(port)) {
            return;
        }
        Channel[] t = channels;
        BooleanSupplier condition = port < t.length ? t[port].pendingCheck : () -> pending(port);
        pollers.incrementAndGet();
        try {
            pollQueue.await(condition);
        } finally {
            pollers.decrementAndGet();
        }
    }

    /**
     * {@code SCHEDOP_poll} on several ports (at most {@link #MAX_POLL_PORTS}).
     *
     * @return the first of {@code ports} that is pending, or -1 on timeout
     */
    public int poll(int[] ports, Duration timeout) {
        if (ports.length > MAX_POLL_PORTS) {
            throw error("SCHEDOP_poll", -1, -EINVAL, ports.length + " ports; at most " + MAX_POLL_PORTS);
        }
        for (int p : ports) {
            checkPollPort(p);
        }
        int first = firstPending(ports);
        if (first >= 0 || timeout.isZero() || timeout.isNegative()) {
            return first;
        }
        pollers.incrementAndGet();
        try {
            pollQueue.await(() -> firstPending(ports) >= 0, timeout);
            return firstPending(ports);
        } finally {
            pollers.decrementAndGet();
        }
    }

    private void checkPollPort(int port) {
        if (port < 0 || port >= ops.maxPorts()) {
            throw error("SCHEDOP_poll", port, -EINVAL, "port beyond " + ops.abi() + " range");
        }
    }

    private int firstPending(int[] ports) {
        for (int p : ports) {
            if (pending(p)) {
                return p;
            }
        }
        return -1;
    }

    // ---- Xen-side injection and accounting -----------------------------------------------------------

    /**
     * Raises {@code virq} in this domain: on vCPU 0's binding for a global VIRQ (delivered to the
     * port's notify vCPU), on {@code vcpu}'s for a per-vCPU one. Returns whether a port was bound.
     */
    public boolean raiseVirq(int virq, int vcpu) {
        if (virq < 0 || virq >= Virq.NR_VIRQS) {
            throw new IllegalArgumentException("no VIRQ " + virq);
        }
        checkVcpuArg(vcpu);
        Channel ch;
        synchronized (eventLock) {
            int port = virqToPort[Virq.isGlobal(virq) ? 0 : vcpu][virq];
            if (port == 0) {
                return false;
            }
            ch = channels[port];
        }
        synchronized (ch) {
            if (ch.state != State.VIRQ) {
                return false;
            }
            ops.setPending(ch);
        }
        return true;
    }

    /** Raises a global VIRQ (see {@link #raiseVirq(int, int)}). */
    public boolean raiseVirq(int virq) {
        return raiseVirq(virq, 0);
    }

    /**
     * Makes a bound port pending as if its other end had sent (QEMU's {@code xen-event-inject}); for
     * tests that play a misbehaving peer.
     */
    public void inject(int port) {
        Channel ch = channel("inject", port);
        synchronized (ch) {
            if (!ch.bound()) {
                throw error("inject", port, -EINVAL, "port is not bound");
            }
            ops.setPending(ch);
        }
    }

    /** Counters of {@code port} since it was bound. */
    public PortCounters counters(int port) {
        return channel("counters", port).counters();
    }

    /**
     * The consumer of {@code port} was woken but found no work (lateeoi's
     * {@code XEN_EOI_FLAG_SPURIOUS}); counted so storm tests can see it.
     */
    public void reportSpurious(int port) {
        channel("spurious", port).countSpurious();
    }

    /** Every bound port with its status, in port order (leak reports, debugging). */
    public SortedMap<Integer, EvtchnStatus> boundPorts() {
        TreeMap<Integer, EvtchnStatus> out = new TreeMap<>();
        synchronized (eventLock) {
            for (Channel ch : channels) {
                if (ch.bound()) {
                    synchronized (ch) {
                        out.put(ch.port, ch.status());
                    }
                }
            }
        }
        return Collections.unmodifiableSortedMap(out);
    }

    @Override
    public String toString() {
        return "EventChannels[" + DomId.name(domid) + ", " + abi() + ", " + boundPorts().size() + " bound of "
                + channels.length + "]";
    }
}
