package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.evtchn.EvtchnAbi;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.harness.toolstack.Toolstack;
import org.xenpv.xenbus.evtchn.EvtchnChannel;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.memory.GuestFrames;

/** XENBUS's event-channel client against the platform (windows-pv-drivers.md §1.2, checklist §8 XENBUS-6). */
@Seeds(count = 20)
@Tag("xenbus")
@Tag("evtchn")
class XenbusEvtchnConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.2 / §8";

    private static EvtchnClient evtchn(Platform platform, Domain d) {
        EvtchnClient c = new EvtchnClient(Vm.of(platform, d), new GuestFrames(Vm.of(platform, d)), EvtchnClient.Options.DEFAULT);
        c.acquire();
        return c;
    }

    @XenpvTest
    @Checks(id = "XENBUS-6", ref = REF)
    @DisplayName("FIFO is used when EVTCHNOP_init_control works, with one control block per vCPU and no reset" + " (" + REF + ")")
    void fifoPreferred(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create(DomainConfig.guest("smp").withVcpus(2));
        Domain d = platform.domain(g.domid());
        EvtchnClient c = evtchn(platform, d);
        assertThat(c.abi()).isEqualTo(EvtchnAbi.FIFO);
        assertThat(d.evtchn().fifoControlGfn(0)).isNotEqualTo(-1);
        assertThat(d.evtchn().fifoControlGfn(1)).isNotEqualTo(-1);
        assertThat(c.resets()).isZero();
        assertThat(d.hvmParam(HvmParam.STORE_EVTCHN)).isEqualTo(g.storePort());
        c.close();
    }

    @XenpvTest
    @Checks(id = "XENBUS-6", ref = REF)
    @DisplayName("Without FIFO, XENBUS resets, re-binds store and console to the same dom0 ports, rewrites the params, uses 2-level" + " (" + REF + ")")
    void twoLevelFallbackResets(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create(DomainConfig.guest("old-xen").withFifoEvtchn(false));
        Domain d = platform.domain(g.domid());
        EvtchnClient c = evtchn(platform, d);
        assertThat(c.abi()).isEqualTo(EvtchnAbi.TWO_LEVEL);
        assertThat(c.resets()).isEqualTo(1);
        int store = (int) d.hvmParam(HvmParam.STORE_EVTCHN);
        int cons = (int) d.hvmParam(HvmParam.CONSOLE_EVTCHN);
        assertThat(d.evtchn().status(store)).isEqualTo(new EvtchnStatus.Interdomain(0, 0, g.dom0StorePort()));
        assertThat(d.evtchn().status(cons)).isEqualTo(new EvtchnStatus.Interdomain(0, 0, g.dom0ConsolePort()));
        List<Integer> fired = new ArrayList<>();
        c.openFixed(store, false, ch -> fired.add(ch.localPort()));
        kernel.runUntilIdle(Duration.ofSeconds(5));
        fired.clear();
        platform.dom0().evtchn().send(g.dom0StorePort());
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(fired).containsExactly(store);
        c.close();
    }

    @XenpvTest
    @Seeds(count = 20)
    @KernelOptions(preemption = 0.3)
    @Checks(id = "XENBUS-6", ref = REF)
    @DisplayName("An auto-mask channel is masked before its callback and stays masked, however often the backend sends, until Unmask" + " (" + REF + ")")
    void autoMaskStaysMasked(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create(DomainConfig.guest("g").withFifoEvtchn(kernel.seed() % 2 == 0));
        Domain d = platform.domain(g.domid());
        EvtchnClient c = evtchn(platform, d);
        List<Boolean> maskedInCallback = new ArrayList<>();
        EvtchnChannel ch = c.openUnbound(0, true, x -> maskedInCallback.add(d.evtchn().masked(x.localPort())));
        int be = platform.dom0().evtchn().bindInterdomain(g.domid(), ch.localPort());
        kernel.spawn("d0/backend", () -> {
            for (int i = 0; i < 10; i++) {
                platform.dom0().evtchn().send(be);
                kernel.yieldNow();
            }
        });
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(maskedInCallback).containsExactly(true);
        assertThat(d.evtchn().masked(ch.localPort())).isTrue();
        assertThat(c.unmask(ch, false, false)).isTrue();
        assertThat(c.unmask(ch, false, false)).isFalse();
        platform.dom0().evtchn().send(be);
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(maskedInCallback).containsExactly(true, true);
        c.close();
        platform.dom0().evtchn().close(be);
    }

    @XenpvTest
    @Seeds(count = 20)
    @Checks(id = "XENBUS-6", ref = REF)
    @DisplayName("Unmask of a still-pending port re-delivers it exactly once: locally (returns TRUE) or via EVTCHNOP_unmask with Force" + " (" + REF + ")")
    void pendingPortRedeliversOnce(Kernel kernel, Platform platform, Toolstack toolstack) {
        GuestDomain g = toolstack.create(DomainConfig.guest("g").withFifoEvtchn(kernel.seed() % 2 == 1));
        Domain d = platform.domain(g.domid());
        EvtchnClient c = evtchn(platform, d);
        int[] calls = {0};
        EvtchnChannel ch = c.openUnbound(0, true, x -> calls[0]++);
        int be = platform.dom0().evtchn().bindInterdomain(g.domid(), ch.localPort());
        platform.dom0().evtchn().send(be);
        kernel.runUntilIdle(Duration.ofSeconds(5));
        platform.dom0().evtchn().send(be);
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(calls[0]).isEqualTo(1);
        assertThat(c.unmask(ch, false, true)).as("forced: Xen re-raises").isFalse();
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(calls[0]).isEqualTo(2);
        assertThat(c.unmask(ch, false, false)).as("nothing pending any more").isFalse();
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(calls[0]).isEqualTo(2);
        assertThat(ch.count()).isEqualTo(2);
        c.close();
        platform.dom0().evtchn().close(be);
    }
}
