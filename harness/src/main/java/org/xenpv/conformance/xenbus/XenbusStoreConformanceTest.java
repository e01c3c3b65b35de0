package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.store.FaultyStoreHook;
import org.xenpv.xenstore.ring.FaultyRingStore;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.store.StoreClient;
import org.xenpv.xenbus.store.StoreException;
import org.xenpv.xenbus.store.StorePermission;
import org.xenpv.xenbus.store.StoreStatus;
import org.xenpv.xenbus.store.StoreTransaction;
import org.xenpv.xenbus.store.StoreWatch;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * XENBUS's store client (windows-pv-drivers.md §1.4, checklist §8 XENBUS-1..4) on a guest built by the
 * toolstack, its ring served by a {@link FaultyRingStore} in front of the engine: honest, then broken on
 * purpose (no initial watch event, EAGAIN storms, reversed replies, replies and consumption delayed past
 * the watchdog). Everything runs in virtual time.
 */
@Seeds(count = 20)
@Tag("xenbus")
@Tag("store-client")
class XenbusStoreConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.4/§8";

    /** A booted guest: toolstack-built, XENBUS EVTCHN + GNTTAB + STORE acquired. */
    private record Guest(Kernel kernel, GuestDomain built, Domain domain, FaultyRingStore server, StoreClient store) {

        void run(Runnable body) {
            Actor a = kernel.spawn(domain.name() + "/driver", body);
            kernel.runUntil(a::finished, Duration.ofMinutes(10));
            a.failure().ifPresent(t -> {
                throw new AssertionError("driver actor failed", t);
            });
        }

        void runAll(Runnable... bodies) {
            List<Actor> actors = new ArrayList<>();
            for (int i = 0; i < bodies.length; i++) {
                actors.add(kernel.spawn(domain.name() + "/driver" + i, bodies[i]));
            }
            kernel.runUntil(() -> actors.stream().allMatch(Actor::finished), Duration.ofMinutes(10));
            for (Actor a : actors) {
                a.failure().ifPresent(t -> {
                    throw new AssertionError(a.name() + " failed", t);
                });
            }
        }
    }

    private static Guest boot(Kernel kernel, Platform platform, XenStore engine, int ringStart) {
        Map<Integer, FaultyRingStore> servers = new HashMap<>();
        Toolstack ts = new Toolstack(platform, engine, FaultyStoreHook.introduceHook(servers));
        GuestDomain g = ts.create("storeguest");
        Domain d = platform.domain(g.domid());
        if (ringStart != 0) {
            XenbusClients.startRingAt(servers.get(g.domid()).ring(), ringStart);
        }
        StoreClient store = XenbusClients.acquireStore(Vm.of(platform, d));
        return new Guest(kernel, g, d, servers.get(g.domid()), store);
    }

    private static String text(XsMessage m) {
        return new String(m.payload(), StandardCharsets.ISO_8859_1);
    }

    private static String value(XenStore engine, String path) {
        return engine.node(path).map(n -> new String(n.data(), StandardCharsets.ISO_8859_1)).orElse(null);
    }

    // ---- XENBUS-1 -------------------------------------------------------------------------------

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-1", ref = REF)
    @DisplayName("Store payloads are exact: WRITE path\\0value without NUL, TRANSACTION_START \\0, END T\\0/F\\0, SET_PERMS <letter><domid>\\0 each" + " (" + REF + ")")
    void exactPayloads(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        StoreClient c = g.store();
        int id = g.domain().domid();
        g.run(() -> {
            c.write(null, "data", "a", "v1");
            StoreTransaction t = c.transactionStart();
            c.printf(t, "data", "b", "%d", 7);
            c.transactionEnd(t, false);
            StoreTransaction u = c.transactionStart();
            c.write(u, "data", "b", "8");
            c.transactionEnd(u, true);
            c.permissionsSet(null, "data", "a", new StorePermission(id, StorePermission.Mask.NONE),
                    new StorePermission(0, StorePermission.Mask.BOTH), new StorePermission(3, StorePermission.Mask.WRITE));
        });
        List<String> wire = g.server().requests.stream().map(XenbusStoreConformanceTest::text).toList();
        assertThat(wire).containsExactly("data/a\0v1", "\0", "data/b\0" + "7", "F\0", "\0", "data/b\0" + "8", "T\0",
                "data/a\0n" + id + "\0b0\0w3\0");
        assertThat(value(engine, g.built().path() + "/data/b")).isEqualTo("8");
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-1", ref = REF)
    @DisplayName("Concurrent requests are matched by req_id: replies sent in reverse order reach their own callers" + " (" + REF + ")")
    void reorderedReplies(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        StoreClient c = g.store();
        g.run(() -> {
            for (int i = 0; i < 4; i++) {
                c.write(null, "data", "k" + i, "value-" + i);
            }
        });
        g.server().reorderBatch = 4;
        String[] got = new String[4];
        Runnable[] callers = new Runnable[4];
        for (int i = 0; i < 4; i++) {
            int k = i;
            callers[i] = () -> got[k] = c.read(null, "data", "k" + k);
        }
        g.runAll(callers);
        assertThat(got).containsExactly("value-0", "value-1", "value-2", "value-3");
        assertThat(c.spuriousResponses()).isZero();
    }

    // ---- XENBUS-2 -------------------------------------------------------------------------------

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-2", ref = REF)
    @DisplayName("Watch tokens are TOK|<16 hex>|<4 hex>, echoed byte-exact; the initial event at registration sets the watch" + " (" + REF + ")")
    void tokensAndInitialEvent(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        StoreClient c = g.store();
        AtomicReference<StoreWatch> w = new AtomicReference<>();
        AtomicInteger wakes = new AtomicInteger();
        g.run(() -> {
            w.set(c.watchAdd("device", "vbd"));
            if (w.get().await(Duration.ofSeconds(1))) {
                wakes.incrementAndGet();
            }
        });
        assertThat(w.get().token()).matches("TOK\\|[0-9A-F]{16}\\|[0-9A-F]{4}");
        assertThat(g.server().requests(XsType.WATCH)).extracting(XenbusStoreConformanceTest::text)
                .containsExactly("device/vbd\0" + w.get().token() + "\0");
        assertThat(wakes.get()).as("initial watch event").isEqualTo(1);
    }

    @XenpvTest
    @Checks(id = "XENBUS-2", ref = REF)
    @DisplayName("Watch events that are malformed, carry a changed token or an unknown id are ignored" + " (" + REF + ")")
    void badTokensIgnored(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        StoreClient c = g.store();
        AtomicReference<StoreWatch> w = new AtomicReference<>();
        g.run(() -> w.set(c.watchAdd("data", "x", 0xABCDL)));
        kernel.runFor(Duration.ofSeconds(1));
        String tok = w.get().token();
        long sets = w.get().sets();
        String[] bad = {
            "data/x\0" + tok,                                           // no final NUL
            "data/x\0" + tok + "\0junk\0",                              // trailing data
            "data/x\0" + tok.substring(0, 4) + tok.substring(4, 20).toLowerCase() + tok.substring(20) + "\0", // caller case changed
            "data/x\0" + tok.substring(0, 21) + String.format("%04X", (w.get().id() + 1) & 0xffff) + "\0",
        };
        for (String b : bad) {
            g.server().inject(new XsMessage(XsType.WATCH_EVENT.code(), 0, 0, b.getBytes(StandardCharsets.ISO_8859_1))
                    .encode());
            kernel.runFor(Duration.ofMillis(200));
        }
        assertThat(w.get().sets()).isEqualTo(sets);
        assertThat(c.ignoredWatchEvents()).isEqualTo(bad.length);
    }

    @XenpvTest
    @Checks(id = "XENBUS-2", ref = REF)
    @DisplayName("Broken store without the initial watch event: detected, the watch stays unset (what a VBD would hang on)" + " (" + REF + ")")
    void missingInitialEventDetected(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        g.server().dropInitialWatchEvent = true;
        StoreClient c = g.store();
        AtomicReference<Boolean> fired = new AtomicReference<>();
        AtomicReference<StoreWatch> w = new AtomicReference<>();
        g.run(() -> {
            w.set(c.watchAdd("data", "vbd"));
            fired.set(w.get().await(Duration.ofSeconds(30)));
        });
        assertThat(fired.get()).as("no initial event within 30 s of virtual time").isFalse();
        assertThat(w.get().sets()).isZero();
        // A later change still fires: only the registration event was missing.
        g.run(() -> c.write(null, "data", "vbd", "4"));
        kernel.runFor(Duration.ofSeconds(1));
        assertThat(w.get().sets()).isEqualTo(1);
    }

    // ---- XENBUS-3 -------------------------------------------------------------------------------

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-3", ref = REF)
    @DisplayName("Ring indices near the u32 wrap and values larger than the 1024-byte ring: split messages round-trip" + " (" + REF + ")")
    void ringWrapAndSplitMessages(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0xFFFFFD00 + (int) Long.remainderUnsigned(kernel.seed(), 200) * 4);
        StoreClient c = g.store();
        byte[] big = new byte[1800];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('A' + i % 23);
        }
        AtomicReference<byte[]> back = new AtomicReference<>();
        g.run(() -> {
            c.writeBytes(null, "data", "big", big);
            back.set(c.readBytes(null, "data", "big"));
        });
        assertThat(back.get()).isEqualTo(big);
        assertThat(Integer.compareUnsigned(c.ring().req().prod(), 0x1000)).as("req_prod wrapped").isLessThan(0);
    }

    @XenpvTest
    @Checks(id = "XENBUS-3", ref = REF)
    @DisplayName("The store channel is kicked after producing requests and after consuming replies or events" + " (" + REF + ")")
    void kickAfterProduceAndConsume(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        StoreClient c = g.store();
        g.run(() -> c.write(null, "data", "k", "v"));
        kernel.runFor(Duration.ofSeconds(1));
        assertThat(g.server().notifications).as("produce and consume of one request").isGreaterThanOrEqualTo(2);
        long before = g.server().notifications;
        g.server().inject(new XsMessage(XsType.WATCH_EVENT.code(), 0, 0,
                "x\0TOK|0000000000000000|0000\0".getBytes(StandardCharsets.ISO_8859_1)).encode());
        kernel.runFor(Duration.ofSeconds(1));
        assertThat(c.ring().rsp().available()).isZero();
        assertThat(g.server().notifications).as("consume only").isEqualTo(before + 1);
    }

    // ---- XENBUS-4 -------------------------------------------------------------------------------

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-4", ref = REF)
    @DisplayName("EAGAIN on TRANSACTION_END re-runs the whole transaction: body, reads and writes again" + " (" + REF + ")")
    void eagainRerunsTransaction(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        StoreClient c = g.store();
        g.server().eagainStorm = 3;
        AtomicInteger runs = new AtomicInteger();
        g.run(() -> c.transaction(StoreClient.VIF_ATTEMPTS, tx -> {
            c.printf(tx, "data", "run", "%d", runs.incrementAndGet());
            return null;
        }));
        assertThat(runs.get()).isEqualTo(4);
        assertThat(g.server().requests(XsType.TRANSACTION_START)).hasSize(4);
        assertThat(value(engine, g.built().path() + "/data/run")).isEqualTo("4");
    }

    @XenpvTest
    @Checks(id = "XENBUS-4", ref = REF)
    @DisplayName("EAGAIN storm: VIF/CONS give up after 10 attempts with RETRY, VBD re-runs until the commit succeeds" + " (" + REF + ")")
    void eagainStorm(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        StoreClient c = g.store();
        g.server().eagainStorm = 25;
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<StoreStatus> status = new AtomicReference<>();
        g.run(() -> {
            try {
                c.transaction(StoreClient.VIF_ATTEMPTS, tx -> runs.incrementAndGet());
            } catch (StoreException e) {
                status.set(e.status());
            }
        });
        assertThat(runs.get()).isEqualTo(10);
        assertThat(status.get()).isEqualTo(StoreStatus.RETRY);
        runs.set(0);
        g.run(() -> c.transaction(StoreClient.UNLIMITED, tx -> runs.incrementAndGet()));
        assertThat(runs.get()).isEqualTo(16);
    }

    @XenpvTest
    @Checks(id = "XENBUS-4", ref = REF)
    @DisplayName("A store that stops consuming for 40 s: the 15 s watchdog kicks the ring and the call completes (no overall timeout)" + " (" + REF + ")")
    void stalledStoreSurvived(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        StoreClient c = g.store();
        g.server().consumeDelay = Duration.ofSeconds(40);
        g.run(() -> c.transaction(StoreClient.VIF_ATTEMPTS, tx -> {
            c.write(tx, "data", "slow", "1");
            return null;
        }));
        assertThat(c.watchdogFires()).isGreaterThanOrEqualTo(1);
        assertThat(c.waitTimeouts()).isGreaterThanOrEqualTo(1);
        assertThat(value(engine, g.built().path() + "/data/slow")).isEqualTo("1");
    }

    @XenpvTest
    @Checks(id = "XENBUS-4", ref = REF)
    @DisplayName("Replies delayed 20 s each: the caller keeps waiting in 5 s slices and the transaction commits" + " (" + REF + ")")
    void delayedRepliesSurvived(Kernel kernel, Platform platform, XenStore engine) {
        Guest g = boot(kernel, platform, engine, 0);
        StoreClient c = g.store();
        g.server().replyDelay = Duration.ofSeconds(20);
        g.server().eagainStorm = 1;
        AtomicInteger runs = new AtomicInteger();
        g.run(() -> c.transaction(StoreClient.VIF_ATTEMPTS, tx -> {
            c.write(tx, "data", "late", Integer.toString(runs.incrementAndGet()));
            return null;
        }));
        assertThat(runs.get()).isEqualTo(2);
        assertThat(c.waitTimeouts()).isGreaterThanOrEqualTo(6);
        assertThat(kernel.nanoTime()).isGreaterThanOrEqualTo(Duration.ofSeconds(120).toNanos());
        assertThat(c.fault()).isNull();
    }
}
