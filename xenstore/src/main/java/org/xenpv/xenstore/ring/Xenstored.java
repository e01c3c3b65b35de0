package org.xenpv.xenstore.ring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.evtchn.EvtchnException;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.grant.GrantException;
import org.xenpv.core.grant.GrantMapping;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.LeakReport;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.WaitQueue;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.store.Errno;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * The simulated xenstored: the cxenstored 4.17 engine ({@link XenStore}) running as a kernel actor in
 * dom0 ({@code d0/xenstored}) and serving every introduced guest over its {@code struct
 * xenstore_domain_interface} page, as cxenstored does on Xen (reference §1.10, §3.5).
 *
 * <p>INTRODUCE (a dom0 request from the toolstack, or {@link #introduce}) maps the guest's grant ref 1
 * ({@code GNTTAB_RESERVED_XENSTORE}; 4.17 ignores the gfn) read-write as dom0, binds an interdomain event
 * channel to the guest's port and fires {@code @introduceDomain}. The actor sleeps in
 * {@code SCHEDOP_poll} on its (masked) ports, and on any event services every ring with work, one
 * request per ring per turn, until none moves. RELEASE, a destroyed domain ({@code VIRQ_DOM_EXC}) or
 * {@link #release} unbind the channel, unmap the page, delete the domain's nodes and fire
 * {@code @releaseDomain}. Grant, event-channel and ring actions are in the kernel's event log.
 *
 * <p>The engine is single-threaded: every engine call happens on the daemon's actor. Other actors, the
 * controlling thread of a deterministic kernel and plain threads (concurrent kernel) hand work over with
 * {@link #call}/{@link #execute} and in-process dom0 clients ({@link #connectDom0}); the daemon is woken
 * through an event channel of its own (an IPI port), so it never polls. Output consumers of dom0
 * clients run on the daemon's actor.
 *
 * <pre>{@code
 * Xenstored xs = Xenstored.start(platform, XenstoredConfig.cxenstored417());
 * xs.introduce(guest.domid(), ringGfn, guestPort);   // or INTRODUCE over a dom0 client
 * ...
 * xs.release(guest.domid());
 * xs.stop();
 * }</pre>
 */
public final class Xenstored {

    private static final Logger LOG = LoggerFactory.getLogger(Xenstored.class);
    /** An untimed {@code SCHEDOP_poll} (the kernels treat the largest timeout as none). */
    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);
    /** Poll slice per window when more ports are bound than one {@code SCHEDOP_poll} takes. */
    private static final Duration WINDOW_SLICE = Duration.ofMillis(1);

    private final Platform platform;
    private final Kernel kernel;
    private final XenstoredConfig config;
    private final Domain dom0;
    private final EventChannels evtchn;
    /** Built and used only on the daemon's actor. */
    private XenStore store;
    private final Map<Integer, DomainRing> rings = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<Command<?>> commands = new ConcurrentLinkedQueue<>();
    private final WaitQueue callsDone;
    private final int commandPort;
    private final int virqPort;
    private volatile boolean stopping;
    private volatile boolean stopped;
    private int window;
    private final Actor actor;

    private Xenstored(Platform platform, XenstoredConfig config) {
        this.platform = platform;
        this.kernel = platform.kernel();
        this.config = config;
        this.dom0 = platform.dom0();
        this.evtchn = dom0.evtchn();
        this.callsDone = kernel.waitQueue(config.actorName() + " calls");
        this.commandPort = evtchn.bindIpi(0);
        evtchn.mask(commandPort);
        this.virqPort = bindDomExc();
        note("started: command port " + commandPort + (virqPort > 0 ? ", VIRQ_DOM_EXC port " + virqPort : "")
                + ", server_features " + config.serverFeatures());
        this.actor = kernel.spawn(config.actorName(), this::main);
    }

    /**
     * Starts the daemon on {@code platform}'s kernel. Call from the controlling thread or an actor.
     * dom0 is introduced from the start (its own ring is not served: dom0's clients are in-process).
     */
    public static Xenstored start(Platform platform, XenstoredConfig config) {
        return new Xenstored(platform, config);
    }

    /** {@link #start} with cxenstored 4.17's defaults. */
    public static Xenstored start(Platform platform) {
        return start(platform, XenstoredConfig.cxenstored417());
    }

    private int bindDomExc() {
        try {
            int port = evtchn.bindVirq(Virq.DOM_EXC, 0);
            evtchn.mask(port);
            return port;
        } catch (EvtchnException e) {
            // Someone else in dom0 took it; destroyed domains are then noticed on checkDomains() only.
            LOG.warn("xenstored: cannot bind VIRQ_DOM_EXC: {}", e.getMessage());
            return 0;
        }
    }

    public Platform platform() {
        return platform;
    }

    public XenstoredConfig config() {
        return config;
    }

    /** The daemon's actor. */
    public Actor actor() {
        return actor;
    }

    /** dom0's IPI port that wakes the daemon for handed-over work. */
    public int commandPort() {
        return commandPort;
    }

    /** dom0's port bound to {@code VIRQ_DOM_EXC}, 0 if another dom0 component holds it. */
    public int virqPort() {
        return virqPort;
    }

    public boolean stopped() {
        return stopped;
    }

    // ---------------------------------------------------------------- handing work to the actor

    private final class Command<T> {
        final Function<XenStore, T> body;
        volatile boolean done;
        T result;
        RuntimeException failure;

        Command(Function<XenStore, T> body) {
            this.body = body;
        }

        void run() {
            try {
                result = body.apply(store);
            } catch (RuntimeException e) {
                failure = e;
            }
            done = true;
        }
    }

    private <T> Command<T> submit(Function<XenStore, T> body) {
        if (stopping) {
            throw new IllegalStateException(config.actorName() + " is stopped");
        }
        Command<T> c = new Command<>(body);
        commands.add(c);
        evtchn.send(commandPort);
        return c;
    }

    private boolean onDaemon() {
        return kernel.currentActor() == actor;
    }

    /**
     * Runs {@code body} on the daemon's actor with the engine and returns its result, waiting as the
     * caller can: an actor blocks on a kernel wait queue, the controlling thread of a deterministic
     * kernel runs the world until it is done, another thread (concurrent kernel) waits for it. On the
     * daemon's own actor it runs at once. An exception thrown by {@code body} is rethrown here.
     */
    public <T> T call(Function<XenStore, T> body) {
        if (onDaemon()) {
            return body.apply(store);
        }
        Command<T> c = submit(body);
        await(() -> c.done);
        if (c.failure != null) {
            throw c.failure;
        }
        return c.result;
    }

    /** Hands {@code body} to the daemon's actor without waiting (runs at once on the actor itself). */
    public void execute(Consumer<XenStore> body) {
        if (onDaemon()) {
            body.accept(store);
            return;
        }
        submit(s -> {
            body.accept(s);
            return null;
        });
    }

    private void await(BooleanSupplier done) {
        if (done.getAsBoolean()) {
            return;
        }
        if (kernel.currentActor() != null) {
            callsDone.await(() -> done.getAsBoolean() || actor.finished());
        } else if (kernel.mode() == Kernel.Mode.DETERMINISTIC) {
            kernel.runUntil(() -> done.getAsBoolean() || actor.finished());
        } else {
            while (!done.getAsBoolean() && !actor.finished()) {
                callsDone.await(() -> done.getAsBoolean() || actor.finished(), Duration.ofMillis(100));
            }
        }
        if (!done.getAsBoolean()) {
            throw new IllegalStateException(config.actorName() + " ended before the call completed"
                    + actor.failure().map(t -> ": " + t).orElse(""));
        }
    }

    // ---------------------------------------------------------------- public operations

    /**
     * INTRODUCE {@code domid gfn evtchn} as the toolstack sends it (cxenstored 4.17 {@code do_introduce()}):
     * a new domain's ring page (grant ref 1) is mapped and {@code evtchn} bound, {@code @introduceDomain}
     * fires; an introduced one gets its channel re-bound. Either way the ring indices are reset.
     *
     * @param gfn ignored, as by cxenstored 4.17 for a domU (kept for the toolstack's benefit)
     * @throws IntroduceException when the ring cannot be mapped or the channel not bound (no domain,
     *                            no grant ref 1 for dom0, port not unbound for dom0, ...)
     */
    public void introduce(int domid, long gfn, int evtchnPort) {
        call(s -> {
            if (evtchnPort <= 0) {
                throw new IntroduceException(domid, Errno.EINVAL, "event channel port " + evtchnPort);
            }
            if (!s.isIntroduced(domid)) {
                try {
                    attach(domid, evtchnPort);
                } catch (XsDomainPlatform.PlatformException e) {
                    throw new IntroduceException(domid, e.errno(), e.getMessage());
                }
            }
            s.introduce(domid, evtchnPort, null);
            return null;
        });
    }

    /** RELEASE {@code domid}: the domain's connection ends, its nodes go, {@code @releaseDomain} fires. */
    public void release(int domid) {
        call(s -> {
            s.domainConnection(domid).ifPresentOrElse(XsConnection::close, () -> {
                throw new IllegalArgumentException("domain " + domid + " is not introduced");
            });
            return null;
        });
    }

    /** What cxenstored does on {@code VIRQ_DOM_EXC}: forgets dying or vanished domains. */
    public void checkDomains() {
        call(s -> {
            s.checkDomains();
            return null;
        });
    }

    /**
     * A new in-process dom0 client (cxenstored treats it like a Unix-socket client: privileged, domid 0).
     * Its connection is created on the daemon's actor after the calls handed over before; replies and
     * watch events go to {@code output}, called on the daemon's actor.
     */
    public Dom0Client connectDom0(String name, Consumer<XsMessage> output) {
        Dom0Client client = new Dom0Client(this, name);
        execute(s -> client.connected(s.connect(0, true, output)));
        return client;
    }

    /**
     * Whether a leak is the daemon's own plumbing, which it keeps until it stops: its mapping of
     * guests' store rings (dom0 mapping grant ref 1) and its command and {@code VIRQ_DOM_EXC} ports.
     */
    public boolean owns(LeakReport.Leak leak) {
        return switch (leak) {
            case LeakReport.LiveMapping m -> m.mapper() == 0 && m.ref() == GrantTable.RESERVED_XENSTORE;
            case LeakReport.BoundChannel c -> c.domid() == 0 && (c.port() == commandPort() || c.port() == virqPort());
            default -> false;
        };
    }

    /** State of a served ring, for tests and the debugger; empty if the domain has none. */
    public Optional<RingStatus> ringStatus(int domid) {
        return call(s -> {
            DomainRing r = rings.get(domid);
            if (r == null) {
                return Optional.empty();
            }
            XsConnection c = r.connection();
            return Optional.of(new RingStatus(domid, r.localPort(), r.remotePort(), r.mapping().handle(),
                    c != null && c.isIgnored(), r.inputInFlight(), r.outputBacklog(), c == null ? 0 : c.pendingOutput()));
        });
    }

    /**
     * A served ring as the daemon sees it.
     *
     * @param localPort      dom0's port of the channel (0 if a re-bind failed)
     * @param remotePort     the guest's port
     * @param grantHandle    dom0's maptrack handle of the ring page
     * @param ignored        the connection is ignored after a ring or protocol error
     * @param inputInFlight  part of a request has been read
     * @param outputBacklog  bytes of the message being written that are not in the ring yet
     * @param queuedMessages replies and events queued in the engine (the one being written included)
     */
    public record RingStatus(int domid, int localPort, int remotePort, int grantHandle, boolean ignored,
                             boolean inputInFlight, int outputBacklog, int queuedMessages) { }

    /** Domains whose rings are served now, in introduction order. */
    public List<Integer> servedDomains() {
        return call(s -> List.copyOf(rings.keySet()));
    }

    /**
     * Stops the daemon: every ring is unmapped and its channel unbound (the engine's state is kept but no
     * longer served), the daemon's own ports are closed and its actor ends. Waits as {@link #call} does.
     */
    public void stop() {
        if (stopping) {
            return;
        }
        if (onDaemon()) {
            stopping = true;
            return;
        }
        Command<Void> c = submit(s -> {
            stopping = true;
            return null;
        });
        await(() -> c.done && stopped);
    }

    // ---------------------------------------------------------------- the actor

    private void main() {
        try {
            XenStore.Builder b = XenStore.builder();
            config.engine().accept(b);
            store = b.platform(new RingPlatform()).clock(() -> kernel.nanoTime() / 1_000_000).build();
            while (!stopping) {
                // xenevtchn_pending() + unmask: clear first, then look at everything, so that a kick
                // arriving meanwhile leaves its port pending for the next poll.
                evtchn.testAndClearPending(commandPort);
                boolean domExc = virqPort > 0 && evtchn.testAndClearPending(virqPort);
                for (DomainRing r : ringsSnapshot()) {
                    if (r.localPort() > 0) {
                        evtchn.testAndClearPending(r.localPort());
                    }
                }
                runCommands();
                if (domExc && !stopping) {
                    store.checkDomains();
                }
                boolean progress = true;
                while (progress && !stopping) {
                    progress = false;
                    for (DomainRing r : ringsSnapshot()) {
                        progress |= r.service(config.reconnection());
                    }
                    runCommands();
                }
                if (!stopping) {
                    waitForEvent();
                }
            }
        } finally {
            shutdown();
        }
    }

    private List<DomainRing> ringsSnapshot() {
        return new ArrayList<>(rings.values());
    }

    private void runCommands() {
        Command<?> c;
        boolean any = false;
        while ((c = commands.poll()) != null) {
            c.run();
            any = true;
        }
        if (any) {
            callsDone.wakeAll();
        }
    }

    /** Sleeps in {@code SCHEDOP_poll} until one of the daemon's ports is pending. */
    private void waitForEvent() {
        List<Integer> ports = new ArrayList<>();
        ports.add(commandPort);
        if (virqPort > 0) {
            ports.add(virqPort);
        }
        for (DomainRing r : rings.values()) {
            if (r.localPort() > 0) {
                ports.add(r.localPort());
            }
        }
        int[] all = ports.stream().mapToInt(Integer::intValue).toArray();
        if (all.length <= EventChannels.MAX_POLL_PORTS) {
            evtchn.poll(all, FOREVER);
            return;
        }
        // More rings than one SCHEDOP_poll covers: poll windows of them in turn (the command and VIRQ
        // ports are in every window), a slice each.
        int fixed = virqPort > 0 ? 2 : 1;
        int per = EventChannels.MAX_POLL_PORTS - fixed;
        int windows = (all.length - fixed + per - 1) / per;
        while (true) {
            window = (window + 1) % windows;
            int from = fixed + window * per;
            int to = Math.min(all.length, from + per);
            int[] w = new int[fixed + to - from];
            System.arraycopy(all, 0, w, 0, fixed);
            System.arraycopy(all, from, w, fixed, to - from);
            if (evtchn.poll(w, WINDOW_SLICE) >= 0) {
                return;
            }
        }
    }

    private void shutdown() {
        for (DomainRing r : ringsSnapshot()) {
            r.release();
        }
        rings.clear();
        closePort(commandPort);
        closePort(virqPort);
        note("stopped");
        stopped = true;
        runCommands();
        callsDone.wakeAll();
    }

    private void closePort(int port) {
        if (port <= 0) {
            return;
        }
        try {
            evtchn.close(port);
        } catch (EvtchnException e) {
            LOG.warn("xenstored: closing its port {} failed: {}", port, e.getMessage());
        }
    }

    private void note(String what) {
        if (kernel.log().enabled()) {
            kernel.log().note("xenstored", what);
        }
    }

    // ---------------------------------------------------------------- the hypervisor side of the engine

    /**
     * {@code map_interface()} + {@code new_domain()}'s bind: maps the guest's grant ref 1 read-write as
     * dom0, then binds the interdomain channel (unmapping again if that fails).
     */
    private DomainRing attach(int domid, int port) throws XsDomainPlatform.PlatformException {
        GrantMapping m;
        try {
            m = dom0.grants().map(domid, GrantTable.RESERVED_XENSTORE, false);
        } catch (GrantException e) {
            // Linux's gntdev fails the mapping with EINVAL whatever the GNTST_* status was.
            throw new XsDomainPlatform.PlatformException(Errno.EINVAL, "INTRODUCE " + domid
                    + ": cannot map its grant ref " + GrantTable.RESERVED_XENSTORE + " (GNTTAB_RESERVED_XENSTORE): "
                    + e.getMessage());
        }
        int local;
        try {
            local = evtchn.bindInterdomain(domid, port);
        } catch (EvtchnException e) {
            dom0.grants().unmap(m);
            throw new XsDomainPlatform.PlatformException(-e.rc(), "INTRODUCE " + domid + ": cannot bind its event channel "
                    + port + ": " + e.getMessage());
        }
        evtchn.mask(local);
        DomainRing r = new DomainRing(domid, kernel, evtchn, dom0.grants(), m, local, port);
        r.advertise(config.serverFeatures());
        rings.put(domid, r);
        note("d" + domid + " introduced: ring = grant ref " + GrantTable.RESERVED_XENSTORE + " (handle " + m.handle()
                + "), d0 port " + local + " <-> d" + domid + " port " + port);
        return r;
    }

    /** {@link XsDomainPlatform} over the simulated platform. Called by the engine on the daemon's actor. */
    private final class RingPlatform implements XsDomainPlatform {

        @Override
        public DomainInfo domainInfo(int domid) {
            // A destroyed domain is gone for xc_domain_getinfo() even while our mapping keeps it a zombie.
            return platform.findDomain(domid).isPresent() ? DomainInfo.RUNNING : null;
        }

        @Override
        public Consumer<XsMessage> introduce(int domid, String gfn, int port) throws PlatformException {
            attach(domid, port);
            // Pull mode: DomainRing takes replies and events from the connection as the ring has room.
            return null;
        }

        @Override
        public void domainConnected(int domid) {
            DomainRing r = rings.get(domid);
            if (r != null) {
                store.domainConnection(domid).ifPresent(r::attach);
            }
        }

        @Override
        public void rebind(int domid, int port) {
            DomainRing r = rings.get(domid);
            if (r == null) {
                note("INTRODUCE of d" + domid + " (not served over a ring here): nothing to re-bind");
                return;
            }
            r.rebind(port);
        }

        @Override
        public void resetRing(int domid) {
            DomainRing r = rings.get(domid);
            if (r != null) {
                r.introduced(config.serverFeatures());
            }
        }

        @Override
        public void ringError(int domid, int reason) {
            DomainRing r = rings.get(domid);
            if (r != null) {
                r.ringError(reason);
            }
        }

        @Override
        public void domainReleased(int domid) {
            DomainRing r = rings.remove(domid);
            if (r != null) {
                r.release();
            }
        }
    }

    @Override
    public String toString() {
        return "Xenstored[" + config.actorName() + (stopped ? ", stopped" : "") + "]";
    }
}
