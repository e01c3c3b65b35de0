package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.debug.Debug;
import org.xenpv.xenbus.debug.DebugCallback;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.log.LogLevel;
import org.xenpv.xenbus.log.XenbusLog;
import org.xenpv.xenbus.memory.GuestFrames;

/** XENBUS's DEBUG v1 interface on VIRQ_DEBUG (windows-pv-drivers.md §1.8 "Debug", §7 "Usable hooks"). */
@Tag("xenbus")
@Tag("debug")
class XenbusDebugConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.8";

    private static EvtchnClient evtchn(Kernel kernel, Domain d) {
        EvtchnClient c = new EvtchnClient(Vm.of(d), new GuestFrames(Vm.of(d)), EvtchnClient.Options.DEFAULT);
        c.acquire();
        return c;
    }

    private static Debug debug(Kernel kernel, Domain d, EvtchnClient evtchn, List<String> sink) {
        XenbusLog log = new XenbusLog("d" + d.domid() + " XENBUS");
        log.addDisposition(LogLevel.mask(LogLevel.INFO), (level, text) -> sink.add(text));
        return new Debug(Vm.of(d), evtchn, log);
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-DEBUG-1", ref = REF)
    @DisplayName("xl debug-keys q: VIRQ_DEBUG on vCPU 0 runs every DEBUG callback in registration order with its prefix; deregistered ones do not run" + " (" + REF + ")")
    void virqDebugRunsCallbacksInOrder(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create(DomainConfig.guest("dbg").withVcpus(2).withFifoEvtchn(kernel.seed() % 2 == 0));
        Domain d = platform.domain(g.domid());
        EvtchnClient evtchn = evtchn(kernel, d);
        List<String> log = new CopyOnWriteArrayList<>();
        Debug debug = debug(kernel, d, evtchn, log);
        debug.acquire();
        List<String> actors = new CopyOnWriteArrayList<>();
        List<DebugCallback> cbs = new ArrayList<>();
        for (String p : List.of("XENBUS|EVTCHN", "XENBUS|STORE", "XENVIF|FRONTEND", "XENVBD|TARGET")) {
            cbs.add(debug.register(p, crashing -> {
                actors.add(kernel.currentActor().name());
                debug.printf("crashing=%b\n", crashing);
            }));
        }
        debug.deregister(cbs.get(1));
        debug.enableVirq();
        assertThat(d.evtchn().status(debug.virqPort())).isEqualTo(new EvtchnStatus.Virq(0, Virq.DEBUG));
        // A guest actor deregisters another callback while the key is pressed: it may run once, or not at all.
        Actor churn = kernel.spawn("d" + g.domid() + "/xenvbd-remove", () -> debug.deregister(cbs.get(3)));
        platform.debugKeys("q");
        kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(churn.failure()).isEmpty();
        assertThat(debug.virqCount()).isEqualTo(1);
        List<String> expected = new ArrayList<>();
        for (String p : List.of("XENBUS|EVTCHN", "XENVIF|FRONTEND", "XENVBD|TARGET")) {
            expected.add("XEN|DEBUG: ====> (" + p + ")\n");
            expected.add(p + ": crashing=false\n");
            expected.add("XEN|DEBUG: <==== (" + p + ")\n");
        }
        List<String> withoutLast = expected.subList(0, 6);
        assertThat(log).satisfiesAnyOf(l -> assertThat(l).isEqualTo(expected), l -> assertThat(l).isEqualTo(withoutLast));
        assertThat(actors).allMatch(a -> a.endsWith("/xenbus-dpc0"), "ran on vCPU 0's DPC");
        log.clear();
        platform.debugKeys("q");
        kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(log).isEqualTo(withoutLast);
        debug.deregister(cbs.get(0));
        debug.deregister(cbs.get(2));
        debug.release();
        debug.disableVirq();
        evtchn.close();
    }

    @XenpvTest
    @Checks(id = "XENBUS-DEBUG-2", ref = "windows-pv-drivers.md §1.5 / §1.8")
    @DisplayName("On resume VIRQ_DEBUG is bound again late, after EVTCHN's reset, and debug keys reach the callbacks again" + " (" + "windows-pv-drivers.md §1.5 / §1.8" + ")")
    void virqDebugReboundAfterResume(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create("dbg");
        Domain d = platform.domain(g.domid());
        EvtchnClient evtchn = evtchn(kernel, d);
        List<String> log = new CopyOnWriteArrayList<>();
        Debug debug = debug(kernel, d, evtchn, log);
        DebugCallback cb = debug.register("XENBUS|FDO", crashing -> debug.printf("resumed\n"));
        debug.enableVirq();
        // Suspend: early callbacks in order, then late ones in order (§1.5): EVTCHN before the FDO's VIRQs.
        evtchn.suspendEarly();
        debug.suspendEarly();
        evtchn.resumeLate();
        debug.resumeLate();
        assertThat(d.evtchn().status(debug.virqPort())).isEqualTo(new EvtchnStatus.Virq(0, Virq.DEBUG));
        platform.debugKeys("q");
        kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(log).contains("XENBUS|FDO: resumed\n");
        assertThat(debug.virqCount()).isEqualTo(1);
        debug.deregister(cb);
        debug.disableVirq();
        evtchn.close();
    }
}
