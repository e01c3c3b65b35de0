package org.xenpv.xenbus.evtchn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.evtchn.EvtchnAbi;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakCheck;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenbus.memory.GuestFrames;

class EvtchnClientTest {

    private final Kernel kernel = Kernel.deterministic(3);
    private final Platform platform = new Platform(kernel);
    private final List<Integer> fired = new ArrayList<>();

    @AfterEach
    void close() {
        kernel.close();
    }

    private EvtchnClient client(Domain d, boolean fifo) {
        EvtchnClient c = new EvtchnClient(Vm.of(platform, d), new GuestFrames(Vm.of(platform, d)), new EvtchnClient.Options(fifo));
        c.acquire();
        return c;
    }

    private void settle() {
        kernel.runUntilIdle(Duration.ofSeconds(5));
    }

    @Test
    void fifoIsPreferredAndUnboundChannelsDeliverToTheirCallback() {
        Domain g = platform.createDomain("guest");
        EvtchnClient c = client(g, true);
        assertThat(c.abi()).isEqualTo(EvtchnAbi.FIFO);
        assertThat(g.evtchn().abi()).isEqualTo(EvtchnAbi.FIFO);
        EvtchnChannel ch = c.openUnbound(0, false, x -> fired.add(x.localPort()));
        int be = platform.dom0().evtchn().bindInterdomain(g.domid(), ch.localPort());
        settle();
        assertThat(fired).as("bind_interdomain makes only the binder's end pending").isEmpty();
        platform.dom0().evtchn().send(be);
        settle();
        assertThat(fired).containsExactly(ch.localPort());
        assertThat(ch.count()).isEqualTo(1);
        c.close();
        platform.dom0().evtchn().close(be);
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void failedFifoAcquireResetsRebindsStoreAndFallsBackToTwoLevel() {
        Domain g = platform.createDomain(DomainConfig.guest("nofifo").withFifoEvtchn(false));
        int guestStore = platform.dom0().evtchn().allocUnbound(g.domid(), 0);
        int dom0Store = platform.dom0().evtchn().bindInterdomain(g.domid(), guestStore);
        g.setHvmParam(HvmParam.STORE_EVTCHN, guestStore);
        int guestCons = platform.dom0().evtchn().allocUnbound(g.domid(), 0);
        g.setHvmParam(HvmParam.CONSOLE_EVTCHN, guestCons); // never bound by a console daemon: not re-bound
        EvtchnClient c = client(g, true);
        assertThat(c.abi()).isEqualTo(EvtchnAbi.TWO_LEVEL);
        assertThat(c.resets()).isEqualTo(1);
        int newStore = (int) g.hvmParam(HvmParam.STORE_EVTCHN);
        assertThat(g.evtchn().status(newStore)).isEqualTo(new EvtchnStatus.Interdomain(0, 0, dom0Store));
        assertThat(g.evtchn().boundPorts()).containsOnlyKeys(newStore);
        // 2-level: every mask bit set, so an unopened port delivers nothing.
        assertThat(g.evtchn().masked(newStore)).isTrue();
        EvtchnChannel store = c.openFixed(newStore, false, x -> fired.add(x.localPort()));
        settle();
        fired.clear();
        platform.dom0().evtchn().send(dom0Store);
        settle();
        assertThat(fired).containsExactly(newStore);
        c.close(store);
        assertThat(g.evtchn().boundPorts()).as("FIXED is never closed").containsKey(newStore);
    }

    @Test
    void autoMaskChannelStaysMaskedUntilUnmaskAndAStillPendingPortRedeliversOnce() {
        for (boolean fifo : new boolean[] {true, false}) {
            Domain g = platform.createDomain("g" + fifo);
            EvtchnClient c = client(g, fifo);
            EvtchnChannel ch = c.openUnbound(0, true, x -> fired.add(x.localPort()));
            int be = platform.dom0().evtchn().bindInterdomain(g.domid(), ch.localPort());
            platform.dom0().evtchn().send(be);
            settle();
            assertThat(fired).hasSize(1);
            assertThat(g.evtchn().masked(ch.localPort())).as("auto-masked").isTrue();
            platform.dom0().evtchn().send(be);
            platform.dom0().evtchn().send(be);
            settle();
            assertThat(fired).as("masked: no delivery").hasSize(1);
            assertThat(g.evtchn().pending(ch.localPort())).isTrue();
            assertThat(c.unmask(ch, false, false)).as("still pending: poll again").isTrue();
            assertThat(g.evtchn().pending(ch.localPort())).as("acked locally").isFalse();
            assertThat(g.evtchn().masked(ch.localPort())).isFalse();
            assertThat(c.unmask(ch, false, false)).as("only once").isFalse();
            settle();
            assertThat(fired).hasSize(1);
            fired.clear();
            c.close();
            platform.dom0().evtchn().close(be);
        }
    }

    @Test
    void forcedUnmaskOfAPendingPortMakesXenRedeliverItOnce() {
        for (boolean fifo : new boolean[] {true, false}) {
            Domain g = platform.createDomain("f" + fifo);
            EvtchnClient c = client(g, fifo);
            EvtchnChannel ch = c.openUnbound(0, true, x -> fired.add(x.localPort()));
            int be = platform.dom0().evtchn().bindInterdomain(g.domid(), ch.localPort());
            settle();
            platform.dom0().evtchn().send(be);
            settle();
            assertThat(fired).hasSize(1);
            platform.dom0().evtchn().send(be);
            settle();
            assertThat(fired).as("masked").hasSize(1);
            assertThat(c.unmask(ch, true, false)).isFalse();
            settle();
            assertThat(fired).as(fifo ? "FIFO" : "2-level").hasSize(2);
            assertThat(g.evtchn().masked(ch.localPort())).as("auto-masked again on delivery").isTrue();
            fired.clear();
            c.close();
            platform.dom0().evtchn().close(be);
        }
    }

    @Test
    void sendIsANoOpOnceSuspendEarlyDeactivatedTheChannel() {
        Domain g = platform.createDomain("guest");
        EvtchnClient c = client(g, true);
        EvtchnChannel ch = c.openUnbound(0, false, x -> { });
        int be = platform.dom0().evtchn().bindInterdomain(g.domid(), ch.localPort());
        assertThat(c.send(ch)).isTrue();
        long sent = g.evtchn().counters(ch.localPort()).sent();
        c.suspendEarly();
        assertThat(c.send(ch)).isFalse();
        assertThat(g.evtchn().counters(ch.localPort()).sent()).isEqualTo(sent);
        c.close();
        platform.dom0().evtchn().close(be);
    }

    @Test
    void virqChannelAndWaitCount() {
        Domain g = platform.createDomain("guest");
        EvtchnClient c = client(g, true);
        EvtchnChannel ch = c.openVirq(Virq.DEBUG, 0, x -> fired.add(-1));
        boolean[] woke = {false};
        kernel.spawn("d" + g.domid() + "/waiter", () -> woke[0] = c.await(ch, 1, Duration.ofSeconds(1)));
        kernel.spawn("xen", () -> g.evtchn().raiseVirq(Virq.DEBUG, 0));
        settle();
        assertThat(woke[0]).isTrue();
        assertThat(fired).containsExactly(-1);
        c.close();
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void resumeRebindsStoreAndConsoleToTheSameRemotes() {
        Domain g = platform.createDomain("guest");
        var d0 = platform.dom0().evtchn();
        int s = d0.allocUnbound(g.domid(), 0);
        int s0 = d0.bindInterdomain(g.domid(), s);
        int k = d0.allocUnbound(g.domid(), 0);
        int k0 = d0.bindInterdomain(g.domid(), k);
        g.setHvmParam(HvmParam.STORE_EVTCHN, s);
        g.setHvmParam(HvmParam.CONSOLE_EVTCHN, k);
        EvtchnClient c = client(g, true);
        EvtchnChannel fe = c.openUnbound(0, false, x -> { });
        c.suspendEarly();
        c.resumeLate();
        assertThat(c.abi()).isEqualTo(EvtchnAbi.FIFO);
        assertThat(fe.active()).isFalse();
        assertThat(g.evtchn().status((int) g.hvmParam(HvmParam.STORE_EVTCHN)))
                .isEqualTo(new EvtchnStatus.Interdomain(0, 0, s0));
        assertThat(g.evtchn().status((int) g.hvmParam(HvmParam.CONSOLE_EVTCHN)))
                .isEqualTo(new EvtchnStatus.Interdomain(0, 0, k0));
        assertThat(g.evtchn().boundPorts()).hasSize(2);
        c.close();
    }
}
