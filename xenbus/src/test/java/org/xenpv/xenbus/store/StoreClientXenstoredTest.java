package org.xenpv.xenbus.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.gnttab.GnttabClient;
import org.xenpv.xenbus.memory.GuestFrames;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.ring.Xenstored;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * End to end: XENBUS's {@link StoreClient} in the guest against the simulated xenstored
 * ({@link Xenstored}: INTRODUCE maps grant ref 1 and binds the store port) over the simulated ring, on
 * the deterministic kernel with preemption points, 20 seeds.
 */
class StoreClientXenstoredTest {

    private Kernel kernel;
    private Platform platform;
    private Xenstored xs;
    private Domain guest;
    private StoreClient client;

    @AfterEach
    void close() {
        if (kernel != null) {
            kernel.close();
        }
    }

    private void boot(long seed, int ringStart) {
        kernel = Kernel.create(KernelConfig.deterministic(seed).withPreemption(0.25)
                .withDefaultRunLimit(Duration.ofMinutes(10)));
        platform = new Platform(kernel);
        xs = Xenstored.start(platform);
        guest = platform.createDomain("e2e");
        long gfn = guest.memory().maxPages() - 2;
        guest.memory().page(gfn).fill(0, 4096, (byte) 0);
        guest.grantTable().permit(GrantTable.RESERVED_XENSTORE, 0, gfn, false);
        int port = guest.evtchn().allocUnbound(0);
        guest.setHvmParam(HvmParam.STORE_PFN, gfn);
        guest.setHvmParam(HvmParam.STORE_EVTCHN, port);
        String home = home();
        dom0(XsMessage.write(1, 0, home, new byte[0]));
        dom0(XsMessage.of(XsType.SET_PERMS, 2, 0, home, "n" + guest.domid()));
        xs.introduce(guest.domid(), gfn, port);
        if (ringStart != 0) {
            // After INTRODUCE (which resets the indices), before the guest's first byte.
            XenstoreRing r = new XenstoreRing(guest.memory().page(gfn));
            r.req().setCons(ringStart);
            r.req().setProd(ringStart);
            r.rsp().setCons(ringStart);
            r.rsp().setProd(ringStart);
        }
        GuestFrames frames = new GuestFrames(Vm.of(platform, guest));
        EvtchnClient evtchn = new EvtchnClient(Vm.of(platform, guest), frames, EvtchnClient.Options.DEFAULT);
        evtchn.acquire();
        GnttabClient gnttab = new GnttabClient(Vm.of(platform, guest), frames);
        gnttab.acquire();
        client = new StoreClient(Vm.of(platform, guest), evtchn, gnttab, StoreClient.Options.DEFAULT);
        client.acquire();
    }

    private String home() {
        return "/local/domain/" + guest.domid();
    }

    /** One dom0 request on the daemon's actor (a short-lived privileged connection); its reply. */
    private XsMessage dom0(XsMessage request) {
        return xs.call(s -> {
            List<XsMessage> out = new ArrayList<>();
            XsConnection c = s.connect(0, true, out::add);
            c.handle(request);
            c.close();
            return out.stream().filter(m -> m.type() != XsType.WATCH_EVENT.code()).findFirst().orElseThrow();
        });
    }

    private String value(String path) {
        XsMessage r = dom0(XsMessage.of(XsType.READ, 9, 0, path));
        return r.type() == XsType.ERROR.code() ? null : new String(r.payload(), StandardCharsets.ISO_8859_1);
    }

    private void runAll(Runnable... bodies) {
        List<Actor> actors = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            actors.add(kernel.spawn("d" + guest.domid() + "/driver" + i, bodies[i]));
        }
        kernel.runUntil(() -> actors.stream().allMatch(Actor::finished), Duration.ofMinutes(10));
        for (Actor a : actors) {
            if (a.failure().isPresent()) {
                throw new AssertionError(a.name() + " failed", a.failure().get());
            }
        }
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 20);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void concurrentDriversOverTheDaemonsRing(long seed) {
        boot(seed, 0xFFFFFC00 + (int) seed * 24);
        StoreClient c = client;
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<StoreWatch> watch = new AtomicReference<>();
        runAll(() -> {
            c.write(null, "data", "counter", "0");
            watch.set(c.watchAdd("data", "counter", seed));
        });
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
            for (int i = 0; i < 12; i++) {
                String v = "v" + i + "-" + "y".repeat(i * 60);
                c.write(null, "data/keys", "k" + i, v);
                if (!c.read(null, "data/keys", "k" + i).equals(v)) {
                    problems.add("k" + i);
                }
            }
            if (c.directory(null, "data", "keys").size() != 12) {
                problems.add("directory");
            }
        };
        runAll(incrementer, incrementer, writer);
        assertThat(problems).isEmpty();
        assertThat(value(home() + "/data/counter")).isEqualTo("8");
        assertThat(watch.get().sets()).as("initial event + one per commit").isGreaterThanOrEqualTo(9);
        assertThat(c.fault()).isNull();
        assertThat(c.spuriousResponses()).isZero();
        assertThat(c.ignoredWatchEvents()).isZero();
        assertThat(xs.ringStatus(guest.domid()).orElseThrow().ignored()).isFalse();
    }

    @Test
    void theDaemonsInitialWatchEventAndDom0WritesSetTheWatch() {
        boot(42, 0);
        AtomicReference<StoreWatch> watch = new AtomicReference<>();
        AtomicReference<Boolean> initial = new AtomicReference<>();
        runAll(() -> {
            watch.set(client.watchAdd(home(), "control/shutdown", 0x77L));
            initial.set(watch.get().await(Duration.ofSeconds(5)));
        });
        assertThat(initial.get()).isTrue();
        dom0(XsMessage.write(3, 0, home() + "/control/shutdown", "poweroff".getBytes(StandardCharsets.ISO_8859_1)));
        kernel.runFor(Duration.ofSeconds(1));
        assertThat(watch.get().sets()).isEqualTo(2);
        AtomicReference<String> v = new AtomicReference<>();
        runAll(() -> {
            v.set(client.read(null, "control", "shutdown"));
            client.remove(null, "control", "shutdown");
            client.watchRemove(watch.get());
        });
        assertThat(v.get()).isEqualTo("poweroff");
        assertThat(value(home() + "/control/shutdown")).isNull();
    }

    @Test
    void daemonErrorsMapToDriverStatuses() {
        boot(7, 0);
        List<StoreStatus> statuses = Collections.synchronizedList(new ArrayList<>());
        runAll(() -> {
            try {
                client.read(null, "data", "nothing");
            } catch (StoreException e) {
                statuses.add(e.status());
            }
            try {
                client.write(null, null, "/local/domain/0/x", "1");
            } catch (StoreException e) {
                statuses.add(e.status());
            }
        });
        assertThat(statuses).containsExactly(StoreStatus.NAME_NOT_FOUND, StoreStatus.ACCESS_DENIED);
    }
}
