package org.xenpv.xenstore.ring;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsInbox;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.client.XsTimeoutException;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.domain.XsQuotaConfig;
import org.xenpv.xenstore.script.XsDaemonConfig;
import org.xenpv.xenstore.script.XsEndpoint;
import org.xenpv.xenstore.script.XsEndpointFactory;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * Our daemon over simulated rings as an op-script endpoint: {@link Xenstored} on a deterministic kernel,
 * dom0 connections as in-process clients ({@link Dom0Client}, cxenstored's socket clients), and every
 * {@code conn g domain N} as a guest actor playing its ring byte for byte through a
 * {@link GuestRingClient}. The script's domains exist on the platform with their rings set up (grant ref
 * 1 for dom0, ports 1..4 unbound for dom0 so that any INTRODUCE port of the scripts can be bound); the
 * script's INTRODUCE then maps and binds them, as with the real cxenstored's guest rings.
 *
 * <p>The script runner waits with real-time timeouts; here every send runs the simulated world until it
 * is idle, after which nothing more can arrive, so a wait that finds nothing reports its timeout at once.
 */
public final class SimulatedRingEndpoint implements XsEndpoint {

    /** Ports each scripted guest allocates for dom0 (the scripts INTRODUCE on ports 1 to 3). */
    static final int STORE_PORTS = 4;
    private static final Duration IDLE_LIMIT = Duration.ofSeconds(600);

    private final Kernel kernel;
    private final Platform platform;
    private final Xenstored xs;
    private final Map<Integer, GuestRingClient> guests = new LinkedHashMap<>();
    private final List<GuestConn> guestConns = new ArrayList<>();

    private SimulatedRingEndpoint(XsDaemonConfig config, long seed, double preemption) {
        this.kernel = Kernel.create(KernelConfig.deterministic(seed).withPreemption(preemption)
                .withDefaultRunLimit(IDLE_LIMIT));
        this.platform = new Platform(kernel);
        for (String spec : config.domains().trim().split("\\s+")) {
            if (spec.contains(":")) {
                throw new UnsupportedOperationException("domain state '" + spec + "' is not modelled by this endpoint");
            }
            int domid = Integer.parseInt(spec);
            if (domid != 0) {
                platform.createDomain(DomainConfig.guest("guest" + domid).withDomid(domid));
                guests.put(domid, GuestRingClient.setUp(kernel, platform.domain(domid), RingWorld.RING_GFN, STORE_PORTS));
            }
        }
        XsQuotaConfig quotas = quotas(config);
        this.xs = Xenstored.start(platform, XenstoredConfig.cxenstored417().withEngine(b -> b.quotas(quotas)));
    }

    /** Endpoints on a deterministic kernel with this seed and preemption probability. */
    public static XsEndpointFactory factory(long seed, double preemption) {
        return config -> new SimulatedRingEndpoint(config, seed, preemption);
    }

    /** The script's quota names (cxenstored's options) as engine quotas. */
    static XsQuotaConfig quotas(XsDaemonConfig config) {
        XsQuotaConfig q = new XsQuotaConfig();
        for (Map.Entry<String, Long> e : config.quotas().entrySet()) {
            int n = Math.toIntExact(e.getValue());
            switch (e.getKey()) {
                case "entry-nb" -> q.set(XsQuota.NODES, n);
                case "entry-size" -> q.set(XsQuota.NODE_SIZE, n);
                case "watch-nb" -> q.set(XsQuota.WATCHES, n);
                case "transaction" -> q.set(XsQuota.TRANSACTIONS, n);
                case "perm-nb" -> q.set(XsQuota.PERMISSIONS, n);
                case "path-max" -> q.set(XsQuota.PATH_MAX, n);
                case "transaction-nodes" -> q.set(XsQuota.TRANSACTION_NODES, n);
                case "memory" -> q.set(XsQuota.MEMORY, n);
                case "outstanding" -> q.set(XsQuota.OUTSTANDING, n);
                case "soft-memory" -> q.set(XsQuota.MEMORY_SOFT, n);
                case "watch-event-timeout" -> q.set(XsQuota.WATCH_EVENT_TIMEOUT_MS, n * 1000);
                default -> throw new IllegalArgumentException("quota '" + e.getKey() + "' has no engine setting");
            }
        }
        return q;
    }

    public Kernel kernel() {
        return kernel;
    }

    public Platform platform() {
        return platform;
    }

    public Xenstored xenstored() {
        return xs;
    }

    /** Runs the world until nothing can move, then lets guests notice a released ring. */
    private void pump() {
        kernel.runUntilIdle(IDLE_LIMIT);
        for (GuestConn g : guestConns) {
            g.refresh();
        }
    }

    @Override
    public XsConnection dom0(String name) {
        Dom0Conn c = new Dom0Conn(name);
        pump();
        return c;
    }

    @Override
    public XsConnection guest(String name, int domid) {
        GuestRingClient client = guests.get(domid);
        if (client == null) {
            throw new IllegalArgumentException("domain " + domid + " is not among the script's domains " + guests.keySet());
        }
        GuestConn c = new GuestConn(name, client);
        guestConns.add(c);
        pump();
        return c;
    }

    @Override
    public String describe() {
        return "simulated xenstored over rings, seed " + kernel.seed() + ", preemption "
                + kernel.config().preemptionProbability();
    }

    @Override
    public void close() {
        try {
            for (GuestConn g : guestConns) {
                g.close();
            }
            if (!xs.stopped()) {
                xs.stop();
            }
        } finally {
            kernel.close();
        }
    }

    private static XsSocketMessage socketMessage(XsMessage m) {
        return XsSocketMessage.of(m.type(), m.reqId(), m.txId(), m.payload());
    }

    /** Shared by both kinds of connection: waits never block, the world is pumped first. */
    private abstract class SimConn implements XsConnection {
        final String name;
        final XsInbox inbox;
        private final AtomicInteger reqIds = new AtomicInteger(1);

        SimConn(String name) {
            this.name = name;
            this.inbox = new XsInbox(name);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public XsInbox inbox() {
            return inbox;
        }

        @Override
        public int nextReqId() {
            return reqIds.getAndIncrement();
        }

        @Override
        public Duration timeout() {
            return Duration.ofSeconds(2);
        }

        XsSocketMessage take(Predicate<XsSocketMessage> which, String what) throws XsClientException {
            pump();
            return inbox.take(which, what, Duration.ZERO);
        }

        @Override
        public XsSocketMessage next(Duration timeout) throws XsClientException {
            return take(m -> true, "any message");
        }

        @Override
        public XsSocketMessage nextReply(Duration timeout) throws XsClientException {
            return take(m -> !m.isWatchEvent(), "reply");
        }

        @Override
        public XsSocketMessage awaitReply(int reqId, Duration timeout) throws XsClientException {
            return take(m -> !m.isWatchEvent() && m.reqId() == reqId, "reply with req_id " + reqId);
        }

        @Override
        public XsSocketMessage nextEvent(Duration timeout) throws XsClientException {
            return take(XsSocketMessage::isWatchEvent, "WATCH_EVENT");
        }

        void checkOpen() throws XsClientException {
            XsClientException ended = inbox.endCause();
            if (ended != null) {
                throw ended;
            }
        }
    }

    /** A dom0 client: cxenstored's Unix-socket client, in process. */
    private final class Dom0Conn extends SimConn {
        private final Dom0Client client;

        Dom0Conn(String name) {
            super(name);
            this.client = xs.connectDom0(name, m -> inbox.add(socketMessage(m)));
        }

        @Override
        public void sendRaw(byte[] bytes) throws XsClientException {
            checkOpen();
            client.sendBytes(bytes);
            pump();
            if (client.isClosed()) {
                inbox.end(new XsClosedException(name, XsClosedException.Kind.RESET, null));
            }
        }

        @Override
        public void close() {
            if (inbox.endCause() == null && !xs.stopped()) {
                client.close();
                pump();
            }
            inbox.end(new XsClosedException(name, XsClosedException.Kind.LOCAL, null));
        }
    }

    /** A guest's connection: an actor playing the guest's side of its ring. */
    private final class GuestConn extends SimConn {
        private final GuestRingClient ring;
        private final ArrayDeque<byte[]> outbox = new ArrayDeque<>();
        private int outOff;
        private boolean stop;
        /** Set when the script hands over bytes; the actor clears it when it looks at the outbox. */
        private boolean newWork;
        private boolean mappedOnce;
        private final Actor actor;

        GuestConn(String name, GuestRingClient ring) {
            super(name);
            this.ring = ring;
            this.actor = kernel.spawn("d" + ring.domid() + "/store", this::run);
        }

        /** The guest's store actor: writes what the script sends, reads everything that arrives. */
        private void run() {
            while (!stop) {
                newWork = false;
                boolean progress = false;
                while (!outbox.isEmpty()) {
                    byte[] b = outbox.peek();
                    int n = ring.writeSome(b, outOff, b.length - outOff);
                    outOff += n;
                    progress |= n > 0;
                    if (outOff < b.length) {
                        break;
                    }
                    outbox.poll();
                    outOff = 0;
                }
                if (ring.drain() > 0) {
                    progress = true;
                    for (var m = ring.take(x -> true); m.isPresent(); m = ring.take(x -> true)) {
                        inbox.add(socketMessage(m.get()));
                    }
                }
                if (!progress) {
                    // Woken by the daemon's notifications (a reply, room in req) or by new bytes to send.
                    ring.awaitNotification(() -> stop || newWork);
                }
            }
        }

        /** Notices that dom0 unmapped the ring (RELEASE, destruction): the connection has ended. */
        void refresh() {
            if (ring.mappedByDom0()) {
                mappedOnce = true;
            } else if (mappedOnce) {
                inbox.end(new XsClosedException(name + " (domain " + ring.domid() + " released)",
                        XsClosedException.Kind.EOF, null));
            }
        }

        @Override
        public boolean isOpen() {
            refresh();
            return super.isOpen();
        }

        @Override
        public void sendRaw(byte[] bytes) throws XsClientException {
            refresh();
            checkOpen();
            if (!ring.mappedByDom0()) {
                throw new XsTimeoutException(name + ": domain " + ring.domid()
                        + " has no event channel bound in xenstored (was it INTRODUCEd?)");
            }
            outbox.add(bytes.clone());
            newWork = true;
            ring.domain().upcall().queue().wakeAll();
            pump();
        }

        @Override
        public void close() {
            stop = true;
            ring.domain().upcall().queue().wakeAll();
            if (!actor.finished()) {
                kernel.runUntil(actor::finished);
            }
            inbox.end(new XsClosedException(name, XsClosedException.Kind.LOCAL, null));
        }
    }
}
