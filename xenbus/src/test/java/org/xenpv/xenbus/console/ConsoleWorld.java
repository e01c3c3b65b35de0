package org.xenpv.xenbus.console;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelConfig;
import org.xenpv.xenbus.debug.Debug;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.gnttab.GnttabClient;
import org.xenpv.xenbus.log.LogLevel;
import org.xenpv.xenbus.log.XenbusLog;
import org.xenpv.xenbus.memory.GuestFrames;

/**
 * Test world: a guest seeded as the toolstack does for its console (ring gfn in grant entry 0, a port
 * unbound for dom0 in {@code HVM_PARAM_CONSOLE_EVTCHN}, dom0's end bound), the guest's EVTCHN, GNTTAB,
 * DEBUG (logging into {@link #log}) and CONSOLE, and dom0's raw view of the ring page.
 */
final class ConsoleWorld implements AutoCloseable {

    final Kernel kernel;
    final Platform platform;
    final Domain guest;
    final long gfn;
    final int dom0Port;
    final ConsoleRing dom0Ring;
    final EvtchnClient evtchn;
    final GnttabClient gnttab;
    final XenbusLog xenbusLog;
    final List<String> log = new ArrayList<>();
    final Debug debug;
    final Console console;

    ConsoleWorld(long seed, double preemption, boolean withConsolePort) {
        kernel = Kernel.create(KernelConfig.deterministic(seed).withPreemption(preemption));
        platform = new Platform(kernel);
        guest = platform.createDomain("consguest");
        gfn = guest.memory().maxPages() - 3;
        guest.memory().page(gfn).fill(0, 4096, (byte) 0);
        guest.grantTable().permit(GrantTable.RESERVED_CONSOLE, 0, gfn, false);
        if (withConsolePort) {
            int port = platform.dom0().evtchn().allocUnbound(guest.domid(), 0);
            guest.setHvmParam(HvmParam.CONSOLE_EVTCHN, port);
            dom0Port = platform.dom0().evtchn().bindInterdomain(guest.domid(), port);
        } else {
            dom0Port = -1;
        }
        dom0Ring = new ConsoleRing(guest.memory().page(gfn));
        Vm vm = Vm.of(platform, guest);
        GuestFrames frames = new GuestFrames(vm);
        evtchn = new EvtchnClient(vm, frames, EvtchnClient.Options.DEFAULT);
        evtchn.acquire();
        gnttab = new GnttabClient(vm, frames);
        gnttab.acquire();
        xenbusLog = new XenbusLog("d" + guest.domid() + " XENBUS");
        xenbusLog.addDisposition(LogLevel.mask(LogLevel.INFO), (level, text) -> log.add(text));
        debug = new Debug(evtchn.vm(), evtchn, xenbusLog);
        console = new Console(evtchn.vm(), evtchn, gnttab, debug);
    }

    /** Runs {@code body} as a guest actor until it finishes; rethrows its failure. */
    void run(Runnable body) {
        Actor a = kernel.spawn("d" + guest.domid() + "/test", body);
        kernel.runUntil(a::finished, Duration.ofSeconds(30));
        a.failure().ifPresent(t -> {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            throw new AssertionError(t);
        });
    }

    /** dom0 drains the output ring. */
    String drain() {
        byte[] b = new byte[ConsoleRing.OUT_SIZE];
        int n = dom0Ring.out().read(b, 0, b.length);
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** dom0 sees and clears its port's pending bit. */
    boolean dom0Kicked() {
        return platform.dom0().evtchn().testAndClearPending(dom0Port);
    }

    @Override
    public void close() {
        kernel.close();
    }
}
