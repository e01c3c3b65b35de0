package org.xenpv.xenbus.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakCheck;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.log.LogLevel;
import org.xenpv.xenbus.log.XenbusLog;
import org.xenpv.xenbus.memory.GuestFrames;

class DebugTest {

    private final Kernel kernel = Kernel.deterministic(3);
    private final Platform platform = new Platform(kernel);
    private final List<String> lines = new ArrayList<>();

    @AfterEach
    void close() {
        kernel.close();
    }

    private Debug debug(Domain d, EvtchnClient evtchn) {
        XenbusLog log = new XenbusLog("d" + d.domid() + " XENBUS");
        log.addDisposition(LogLevel.mask(LogLevel.INFO), (level, text) -> lines.add(text));
        return new Debug(Vm.of(platform, d), evtchn, log);
    }

    private EvtchnClient evtchn(Domain d) {
        Vm vm = Vm.of(platform, d);
        EvtchnClient c = new EvtchnClient(vm, new GuestFrames(vm), EvtchnClient.Options.DEFAULT);
        c.acquire();
        return c;
    }

    @Test
    void triggerRunsCallbacksInRegistrationOrderWithTheirPrefixAndSkipsDeregisteredOnes() {
        Domain g = platform.createDomain("guest");
        Debug debug = debug(g, null);
        debug.acquire();
        DebugCallback a = debug.register("XENVIF|FRONTEND", c -> debug.printf("state %s\n", "Connected"));
        DebugCallback b = debug.register("XENBUS|STORE", c -> debug.printf("req_id %d\n", 7));
        DebugCallback c3 = debug.register("XENVBD|RING", c -> debug.printf("ring\n"));
        debug.deregister(b);
        debug.trigger();
        assertThat(lines).containsExactly(
                "XEN|DEBUG: ====> (XENVIF|FRONTEND)\n", "XENVIF|FRONTEND: state Connected\n",
                "XEN|DEBUG: <==== (XENVIF|FRONTEND)\n",
                "XEN|DEBUG: ====> (XENVBD|RING)\n", "XENVBD|RING: ring\n", "XEN|DEBUG: <==== (XENVBD|RING)\n");
        lines.clear();
        debug.trigger(c3);
        assertThat(lines).containsExactly("XEN|DEBUG: ====> (XENVBD|RING)\n", "XENVBD|RING: ring\n",
                "XEN|DEBUG: <==== (XENVBD|RING)\n");
        assertThatThrownBy(() -> debug.trigger(b)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> debug.deregister(b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("XENBUS|STORE");
        assertThat(debug.prefixes()).containsExactly("XENVIF|FRONTEND", "XENVBD|RING");
        assertThatThrownBy(debug::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OUTSTANDING CALLBACKS").hasMessageContaining("XENVIF|FRONTEND");
        debug.deregister(a);
        debug.deregister(c3);
        debug.release();
        assertThatThrownBy(debug::release).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void printfOutsideACallbackIsAnErrorAndLongPrefixesAreCut() {
        Domain g = platform.createDomain("guest");
        Debug debug = debug(g, null);
        assertThatThrownBy(() -> debug.printf("x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside a debug callback");
        String longPrefix = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        DebugCallback cb = debug.register(longPrefix, crashing -> debug.printf("crashing=%b\n", crashing));
        assertThat(cb.prefix()).hasSize(Debug.MAXIMUM_PREFIX_LENGTH - 1).isEqualTo(longPrefix.substring(0, 31));
        debug.crashDump();
        assertThat(lines).contains(longPrefix.substring(0, 31) + ": crashing=true\n");
        debug.deregister(cb);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void xlDebugKeysQRunsTheCallbacksOnVcpu0sVirqDebug(boolean fifo) {
        Domain g = platform.createDomain(DomainConfig.guest("smp").withVcpus(2).withFifoEvtchn(fifo));
        EvtchnClient evtchn = evtchn(g);
        Debug debug = debug(g, evtchn);
        List<String> ran = new ArrayList<>();
        DebugCallback a = debug.register("A", c -> ran.add("A"));
        DebugCallback b = debug.register("B", c -> ran.add("B"));
        debug.enableVirq();
        int port = debug.virqPort();
        assertThat(g.evtchn().status(port)).isEqualTo(new EvtchnStatus.Virq(0, Virq.DEBUG));
        assertThat(platform.debugKeys("q")).as("only vCPU 0 is bound").isEqualTo(1);
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(ran).containsExactly("A", "B");
        assertThat(debug.virqCount()).isEqualTo(1);
        debug.deregister(a);
        platform.debugKeys("qq");
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(ran).as("two keys coalesce or not, but A never runs again").containsOnly("A", "B")
                .startsWith("A", "B", "B").filteredOn("A"::equals).hasSize(1);
        debug.deregister(b);
        debug.disableVirq();
        evtchn.close();
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void resumeLateBindsVirqDebugAgainAfterEvtchnReset() {
        Domain g = platform.createDomain("guest");
        EvtchnClient evtchn = evtchn(g);
        Debug debug = debug(g, evtchn);
        int[] runs = {0};
        DebugCallback cb = debug.register("X", c -> runs[0]++);
        debug.enableVirq();
        evtchn.suspendEarly();
        debug.suspendEarly();
        evtchn.resumeLate();
        platform.debugKeys("q");
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(runs[0]).as("the reset killed the binding").isZero();
        debug.resumeLate();
        assertThat(g.evtchn().status(debug.virqPort())).isEqualTo(new EvtchnStatus.Virq(0, Virq.DEBUG));
        platform.debugKeys("q");
        kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(runs[0]).isEqualTo(1);
        debug.deregister(cb);
        debug.disableVirq();
        evtchn.close();
        LeakCheck.assertNoLeaks(platform);
    }
}
