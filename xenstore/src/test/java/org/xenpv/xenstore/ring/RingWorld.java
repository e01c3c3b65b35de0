package org.xenpv.xenstore.ring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.daemon.XsTraceSink;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * Test world: a kernel, the platform, {@link Xenstored} on it, a dom0 toolstack client driven from the
 * controlling thread, and guests with their store rings set up as the toolstack builds them.
 */
final class RingWorld implements AutoCloseable {

    /** Where guests put their ring page. */
    static final long RING_GFN = 0x3fffe;

    final Kernel kernel;
    final Platform platform;
    final Xenstored xs;
    final TraceRecorder trace = new TraceRecorder();
    final Dom0 dom0;

    RingWorld(Kernel kernel, XenstoredConfig config) {
        this.kernel = kernel;
        this.platform = new Platform(kernel);
        this.xs = Xenstored.start(platform, config.withEngine(config.engine().andThen(b -> b.trace(trace))));
        this.dom0 = new Dom0("toolstack");
    }

    /** A deterministic world with preemption points on. */
    static RingWorld deterministic(long seed) {
        return deterministic(seed, XenstoredConfig.cxenstored417());
    }

    static RingWorld deterministic(long seed, XenstoredConfig config) {
        return new RingWorld(Kernel.create(KernelConfig.deterministic(seed).withPreemption(0.25)
                .withDefaultRunLimit(Duration.ofSeconds(60))), config);
    }

    /** A guest {@code domid} with its ring and one store port set up, not yet introduced. */
    GuestRingClient createGuest(int domid, int storePorts) {
        Domain d = platform.createDomain(DomainConfig.guest("guest" + domid).withDomid(domid));
        return GuestRingClient.setUp(kernel, d, RING_GFN, storePorts);
    }

    /**
     * A guest as the toolstack brings it up: {@code /local/domain/<domid>} owned by it, then
     * {@code INTRODUCE domid gfn port} over dom0.
     */
    GuestRingClient introducedGuest(int domid) {
        GuestRingClient g = createGuest(domid, 1);
        String home = "/local/domain/" + domid;
        dom0.ok(XsType.MKDIR, home);
        dom0.ok(XsType.SET_PERMS, home, "n" + domid);
        dom0.ok(XsType.INTRODUCE, Integer.toString(domid), Long.toString(g.gfn()), Integer.toString(g.port()));
        return g;
    }

    /** Spawns the guest's store actor running {@code body}. */
    Actor spawnGuest(GuestRingClient g, Consumer<GuestRingClient> body) {
        return kernel.spawn("d" + g.domid() + "/store", () -> body.accept(g));
    }

    void runUntilFinished(Actor... actors) {
        kernel.runUntil(() -> {
            for (Actor a : actors) {
                if (!a.finished()) {
                    return false;
                }
            }
            return true;
        });
    }

    @Override
    public void close() {
        kernel.close();
    }

    /** A dom0 client used from the controlling thread: each request runs the world until its reply. */
    final class Dom0 {
        final String name;
        final Dom0Client client;
        private final List<XsMessage> inbox = Collections.synchronizedList(new ArrayList<>());
        private int nextReqId = 1;

        Dom0(String name) {
            this.name = name;
            this.client = xs.connectDom0(name, inbox::add);
        }

        XsMessage request(XsType type, int txId, byte[] payload) {
            int id = nextReqId++;
            client.send(new XsMessage(type.code(), id, txId, payload));
            Predicate<XsMessage> mine = m -> m.type() != XsType.WATCH_EVENT.code() && m.reqId() == id;
            kernel.runUntil(() -> find(mine, false).isPresent());
            return find(mine, true).orElseThrow();
        }

        XsMessage request(XsType type, String... args) {
            return request(type, 0, XsPayload.strings(args));
        }

        /** A request that must be answered {@code OK}. */
        void ok(XsType type, String... args) {
            XsMessage r = request(type, args);
            if (r.type() != type.code()) {
                throw new AssertionError(name + ": " + type + " " + List.of(args) + " answered " + r);
            }
        }

        XsMessage write(String path, byte[] value) {
            return request(XsType.WRITE, 0, XsPayload.pathAndValue(path, value));
        }

        XsMessage write(String path, String value) {
            return write(path, value.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }

        /** Events received so far (removed). */
        List<XsMessage> takeEvents() {
            List<XsMessage> out = new ArrayList<>();
            synchronized (inbox) {
                for (Iterator<XsMessage> it = inbox.iterator(); it.hasNext();) {
                    XsMessage m = it.next();
                    if (m.type() == XsType.WATCH_EVENT.code()) {
                        it.remove();
                        out.add(m);
                    }
                }
            }
            return out;
        }

        private Optional<XsMessage> find(Predicate<XsMessage> which, boolean remove) {
            synchronized (inbox) {
                for (Iterator<XsMessage> it = inbox.iterator(); it.hasNext();) {
                    XsMessage m = it.next();
                    if (which.test(m)) {
                        if (remove) {
                            it.remove();
                        }
                        return Optional.of(m);
                    }
                }
            }
            return Optional.empty();
        }
    }

    /** Trace sink keeping cxenstored's free-form lines and the threads the engine ran on. */
    static final class TraceRecorder implements XsTraceSink {
        final List<String> notes = Collections.synchronizedList(new ArrayList<>());
        final java.util.Set<String> threads = Collections.synchronizedSet(new java.util.TreeSet<>());

        private void seen() {
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void in(XsConnection conn, XsMessage msg) {
            seen();
        }

        @Override
        public void out(XsConnection conn, XsMessage msg) {
            seen();
        }

        @Override
        public void create(Kind kind, long id, XsConnection owner) {
            seen();
        }

        @Override
        public void destroy(Kind kind, long id, XsConnection owner) {
            seen();
        }

        @Override
        public void note(String line) {
            seen();
            notes.add(line);
        }
    }
}
