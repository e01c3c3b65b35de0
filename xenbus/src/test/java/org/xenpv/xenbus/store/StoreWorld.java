package org.xenpv.xenbus.store;

import org.xenpv.xenstore.ring.FaultyRingStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.gnttab.GnttabClient;
import org.xenpv.xenbus.memory.GuestFrames;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * Test world: a platform with one guest seeded like the toolstack does (store ring gfn in grant entry 1
 * and {@code HVM_PARAM_STORE_PFN}, an unbound dom0 port in {@code HVM_PARAM_STORE_EVTCHN}), the engine
 * with {@code /local/domain/<id>} owned by the guest, a {@link FaultyRingStore} and the guest's XENBUS
 * EVTCHN, GNTTAB and STORE clients.
 */
final class StoreWorld implements AutoCloseable {

    final Kernel kernel;
    final Platform platform;
    final XenStore store;
    final Domain guest;
    final EvtchnClient evtchn;
    final GnttabClient gnttab;
    final StoreClient client;
    final FaultyRingStore server;
    private final XsConnection dom0;
    private final List<XsMessage> dom0Out = new ArrayList<>();

    StoreWorld(long seed, int startIndex) {
        this(seed, startIndex, StoreClient.Options.DEFAULT);
    }

    StoreWorld(long seed, int startIndex, StoreClient.Options options) {
        kernel = Kernel.deterministic(seed);
        platform = new Platform(kernel);
        guest = platform.createDomain("storeguest");
        long gfn = guest.memory().maxPages() - 2;
        guest.memory().page(gfn).fill(0, 4096, (byte) 0);
        guest.grantTable().permit(GrantTable.RESERVED_XENSTORE, 0, gfn, false);
        guest.setHvmParam(HvmParam.STORE_PFN, gfn);
        guest.setHvmParam(HvmParam.STORE_EVTCHN, platform.dom0().evtchn().allocUnbound(guest.domid(), 0));
        XenstoreRing ring = new XenstoreRing(guest.memory().page(gfn));
        // Indices need not start at 0 (xenstore-ring.txt): start near the u32 wrap.
        ring.req().setCons(startIndex);
        ring.req().setProd(startIndex);
        ring.rsp().setCons(startIndex);
        ring.rsp().setProd(startIndex);
        store = XenStore.create();
        dom0 = store.connect(0, true, dom0Out::add);
        // Connect first: perms naming a domain the daemon does not know yet would be invalidated (XSA-322).
        server = new FaultyRingStore(kernel, platform, guest, store);
        String home = "/local/domain/" + guest.domid();
        dom0(XsMessage.write(1, 0, home, new byte[0]));
        dom0(XsMessage.of(XsType.SET_PERMS, 2, 0, home, "n" + guest.domid()));
        server.start();
        GuestFrames frames = new GuestFrames(Vm.of(platform, guest));
        evtchn = new EvtchnClient(Vm.of(platform, guest), frames, EvtchnClient.Options.DEFAULT);
        evtchn.acquire();
        gnttab = new GnttabClient(Vm.of(platform, guest), frames);
        gnttab.acquire();
        client = new StoreClient(Vm.of(platform, guest), evtchn, gnttab, options);
        client.acquire();
    }

    /** A dom0 request straight to the engine; returns its reply. */
    XsMessage dom0(XsMessage request) {
        dom0Out.clear();
        dom0.handle(request);
        return dom0Out.stream().filter(m -> m.type() != XsType.WATCH_EVENT.code()).findFirst().orElseThrow();
    }

    /** Value of an absolute path in the engine, or null. */
    String value(String path) {
        XsMessage r = dom0(XsMessage.of(XsType.READ, 3, 0, path));
        return r.type() == XsType.ERROR.code() ? null : new String(r.payload(), StandardCharsets.ISO_8859_1);
    }

    String home() {
        return "/local/domain/" + guest.domid();
    }

    /** Runs {@code body} as a guest actor until it finishes (rethrows its failure). */
    void run(String name, Runnable body, Duration limit) {
        Actor a = kernel.spawn("d" + guest.domid() + "/" + name, body);
        kernel.runUntil(a::finished, limit);
        a.failure().ifPresent(t -> {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            throw new AssertionError(t);
        });
    }

    void run(Runnable body) {
        run("test", body, Duration.ofMinutes(5));
    }

    /** Runs several actors at once until all finished. */
    void runAll(Duration limit, Runnable... bodies) {
        List<Actor> actors = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            actors.add(kernel.spawn("d" + guest.domid() + "/caller" + i, bodies[i]));
        }
        kernel.runUntil(() -> actors.stream().allMatch(Actor::finished), limit);
        for (Actor a : actors) {
            if (a.failure().isPresent()) {
                throw new AssertionError(a.name() + " failed", a.failure().get());
            }
        }
    }

    /** Lets the world run (DPCs, server) for {@code d} of virtual time. */
    void settle(Duration d) {
        kernel.runFor(d);
    }

    @Override
    public void close() {
        server.stopped = true;
        kernel.close();
    }
}
