package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.XenstoredIntroduceHook;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.store.StoreClient;
import org.xenpv.xenbus.store.StoreWatch;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.ring.Xenstored;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * XENBUS's store client (windows-pv-drivers.md §1.4, checklist §8 XENBUS-1..4) against the simulated
 * xenstored serving the guest's ring ({@link Xenstored}: INTRODUCE from the toolstack maps grant ref 1 and
 * binds the store port), with preemption points inside the ring protocol.
 */
@Seeds(count = 20)
@Tag("xenbus")
@Tag("store-client")
class XenbusStoreDaemonConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.4/§8";

    /** Builds a guest whose store is served by {@code xs}, runs {@code test}, then releases and stops the daemon. */
    private static void withGuest(Kernel kernel, Platform platform, int ringStart, Consumer<Booted> test) {
        Xenstored xs = Xenstored.start(platform);
        Toolstack ts = new Toolstack(platform, xs.call(s -> s), new XenstoredIntroduceHook(xs));
        GuestDomain g = ts.create("daemonguest");
        Domain d = platform.domain(g.domid());
        if (ringStart != 0) {
            XenbusClients.startRingAt(new XenstoreRing(d.memory().page(g.storeGfn())), ringStart);
        }
        StoreClient store = XenbusClients.acquireStore(Vm.of(platform, d));
        try {
            test.accept(new Booted(kernel, xs, g, store));
        } finally {
            store.close();
            xs.release(g.domid());
            xs.stop();
        }
    }

    private record Booted(Kernel kernel, Xenstored xs, GuestDomain guest, StoreClient store) {

        void runAll(Runnable... bodies) {
            List<Actor> actors = new ArrayList<>();
            for (int i = 0; i < bodies.length; i++) {
                actors.add(kernel.spawn("d" + guest.domid() + "/driver" + i, bodies[i]));
            }
            kernel.runUntil(() -> actors.stream().allMatch(Actor::finished), Duration.ofMinutes(10));
            for (Actor a : actors) {
                a.failure().ifPresent(t -> {
                    throw new AssertionError(a.name() + " failed", t);
                });
            }
        }

        XsMessage dom0(XsMessage request) {
            return xs.call(s -> {
                List<XsMessage> out = new ArrayList<>();
                XsConnection c = s.connect(0, true, out::add);
                c.handle(request);
                c.close();
                return out.stream().filter(m -> m.type() != XsType.WATCH_EVENT.code()).findFirst().orElseThrow();
            });
        }

        String value(String path) {
            XsMessage r = dom0(XsMessage.of(XsType.READ, 1, 0, path));
            return r.type() == XsType.ERROR.code() ? null : new String(r.payload(), StandardCharsets.ISO_8859_1);
        }
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-1", ref = REF)
    @Checks(id = "XENBUS-4", ref = REF)
    @DisplayName("Concurrent drivers share the ring: replies matched by req_id, conflicting transactions re-run on EAGAIN until the count is exact" + " (" + REF + ")")
    void concurrentDriversAndConflictingTransactions(Kernel kernel, Platform platform) {
        withGuest(kernel, platform, 0, b -> {
            StoreClient c = b.store();
            b.runAll(() -> c.write(null, "data", "counter", "0"));
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            Runnable incrementer = () -> {
                for (int i = 0; i < 4; i++) {
                    c.transaction(StoreClient.UNLIMITED, tx -> {
                        long v = c.readUnsigned(tx, "data", "counter", 10);
                        c.printf(tx, "data", "counter", "%d", v + 1);
                        return null;
                    });
                }
            };
            Runnable writer = () -> {
                for (int i = 0; i < 8; i++) {
                    String v = "value" + i;
                    c.write(null, "data/keys", "k" + i, v);
                    if (!v.equals(c.read(null, "data/keys", "k" + i))) {
                        problems.add("k" + i);
                    }
                }
            };
            b.runAll(incrementer, incrementer, writer);
            assertThat(problems).isEmpty();
            assertThat(b.value(b.guest().path() + "/data/counter")).isEqualTo("8");
            assertThat(c.spuriousResponses()).isZero();
            assertThat(c.fault()).isNull();
        });
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-2", ref = REF)
    @DisplayName("The daemon's initial watch event and later events carry the driver's token byte-exact and set the watch" + " (" + REF + ")")
    void daemonEchoesTokens(Kernel kernel, Platform platform) {
        withGuest(kernel, platform, 0, b -> {
            StoreClient c = b.store();
            AtomicReference<StoreWatch> w = new AtomicReference<>();
            AtomicReference<Boolean> initial = new AtomicReference<>();
            b.runAll(() -> {
                w.set(c.watchAdd("control", "shutdown"));
                initial.set(w.get().await(Duration.ofSeconds(5)));
            });
            assertThat(initial.get()).as("initial watch event").isTrue();
            b.dom0(XsMessage.write(2, 0, b.guest().path() + "/control/shutdown",
                    "reboot".getBytes(StandardCharsets.ISO_8859_1)));
            kernel.runFor(Duration.ofSeconds(1));
            assertThat(w.get().sets()).isEqualTo(2);
            assertThat(c.ignoredWatchEvents()).isZero();
            b.runAll(() -> c.watchRemove(w.get()));
        });
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-3", ref = REF)
    @DisplayName("Over the daemon's ring, indices near the u32 wrap and values larger than the ring round-trip" + " (" + REF + ")")
    void wrapAndSplitOverTheDaemon(Kernel kernel, Platform platform) {
        withGuest(kernel, platform, 0xFFFFFC00 + (int) Long.remainderUnsigned(kernel.seed(), 256) * 4, b -> {
            StoreClient c = b.store();
            byte[] big = new byte[1800];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) ('a' + i % 19);
            }
            AtomicReference<byte[]> back = new AtomicReference<>();
            b.runAll(() -> {
                c.writeBytes(null, "data", "big", big);
                back.set(c.readBytes(null, "data", "big"));
            });
            assertThat(back.get()).isEqualTo(big);
            assertThat(Integer.compareUnsigned(c.ring().req().prod(), 0x1000)).as("req_prod wrapped").isLessThan(0);
            assertThat(b.xs().ringStatus(b.guest().domid()).orElseThrow().ignored()).isFalse();
        });
    }
}
