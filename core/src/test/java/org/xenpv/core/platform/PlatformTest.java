package org.xenpv.core.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.grant.GrantMapping;
import org.xenpv.core.grant.Gtf;
import org.xenpv.core.log.Event;
import org.xenpv.core.sim.Kernel;

/** Domains: creation, domid allocation and reuse, destruction with its clean-up, zombies, HVM params, leak report. */
class PlatformTest {

    private final Kernel kernel = Kernel.deterministic(8);
    private final Platform platform = new Platform(kernel);

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void dom0IsDomainZeroAndPrivileged() {
        Domain d0 = platform.dom0();
        assertThat(d0.domid()).isZero();
        assertThat(d0.privileged()).isTrue();
        assertThat(d0.name()).isEqualTo("Domain-0");
        assertThat(platform.domain(0)).isSameAs(d0);
        assertThat(kernel.log().entries().getFirst().event()).isEqualTo(new Event.DomainCreate(0, "Domain-0", true));
        assertThatThrownBy(() -> platform.destroyDomain(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void domidsAreAllocatedUpwardAndNotReusedAtOnce() {
        Domain a = platform.createDomain("a");
        Domain b = platform.createDomain("b");
        Domain c = platform.createDomain("c");
        assertThat(new int[] {a.domid(), b.domid(), c.domid()}).containsExactly(1, 2, 3);
        platform.destroyDomain(b.domid());
        assertThat(b.state()).isEqualTo(Domain.State.DEAD);
        assertThat(platform.findDomain(2)).isEmpty();
        assertThatThrownBy(() -> platform.domain(2)).isInstanceOf(NoSuchElementException.class).hasMessageContaining("d2");
        assertThat(platform.createDomain("d").domid()).isEqualTo(4);
        assertThat(platform.domains()).extracting(Domain::domid).containsExactly(0, 1, 3, 4);
    }

    @Test
    void aToolstackCanReuseADestroyedDomidAndTheReuseIsObservable() {
        Domain first = platform.createDomain("guest");
        platform.destroyDomain(first.domid());
        Domain again = platform.createDomain(DomainConfig.guest("guest").withDomid(first.domid()));
        assertThat(again.domid()).isEqualTo(first.domid());
        assertThat(again).isNotSameAs(first);
        assertThat(again.incarnation()).isGreaterThan(first.incarnation());
        assertThat(first.state()).isEqualTo(Domain.State.DEAD);
        assertThat(again.state()).isEqualTo(Domain.State.RUNNING);
        assertThat(platform.domain(first.domid())).isSameAs(again);
        assertThat(kernel.log().entries()).extracting(e -> e.event()).containsSubsequence(
                new Event.DomainCreate(1, "guest", false), new Event.DomainDestroy(1),
                new Event.DomainCreate(1, "guest", false));
        assertThatThrownBy(() -> platform.createDomain(DomainConfig.guest("clash").withDomid(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("domid 1 is in use");
        assertThatThrownBy(() -> DomainConfig.guest("x").withDomid(0x7FF0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void destroyClosesChannelsUnmapsWhatTheDomainMapsAndTellsDom0() {
        Domain d0 = platform.dom0();
        int exc = d0.evtchn().bindVirq(Virq.DOM_EXC, 0);
        Domain backend = platform.createDomain("driver-domain");
        Domain guest = platform.createDomain("guest");
        int gport = guest.evtchn().allocUnbound(backend.domid());
        int bport = backend.evtchn().bindInterdomain(guest.domid(), gport);
        guest.grantTable().permit(8, backend.domid(), 0x10, false);
        GrantMapping m = backend.grants().map(guest.domid(), 8, false);
        assertThat(m.handle()).isZero();
        platform.destroyDomain(backend.domid());
        // The guest's port waits for a new backend; its grant is no longer in use.
        assertThat(guest.evtchn().status(gport)).isEqualTo(new EvtchnStatus.Unbound(0, backend.domid()));
        assertThat(guest.grantTable().entry(8).flags()).isEqualTo(Gtf.PERMIT_ACCESS);
        assertThat(guest.grantTable().revoke(8)).isTrue();
        assertThat(d0.evtchn().pending(exc)).isTrue();
        assertThat(backend.state()).isEqualTo(Domain.State.DEAD);
        guest.evtchn().close(gport);
        d0.evtchn().close(exc);
        assertThat(bport).isPositive();
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void debugKeyQRaisesVirqDebugOnEveryBoundVcpuOfEveryDomain() {
        Domain guest = platform.createDomain(DomainConfig.guest("smp").withVcpus(2));
        Domain other = platform.createDomain("other");
        int g0 = guest.evtchn().bindVirq(Virq.DEBUG, 0);
        int g1 = guest.evtchn().bindVirq(Virq.DEBUG, 1);
        int d0 = platform.dom0().evtchn().bindVirq(Virq.DEBUG, 0);
        assertThatThrownBy(() -> platform.debugKeys("qx")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("debug key 'x'");
        assertThat(guest.evtchn().pending(g0)).as("a bad key runs nothing").isFalse();
        assertThat(platform.debugKeys("q")).as("other has no binding").isEqualTo(3);
        assertThat(guest.evtchn().pending(g0)).isTrue();
        assertThat(guest.evtchn().pending(g1)).isTrue();
        assertThat(platform.dom0().evtchn().pending(d0)).isTrue();
        guest.evtchn().close(g0);
        guest.evtchn().close(g1);
        platform.dom0().evtchn().close(d0);
        platform.destroyDomain(other.domid());
        platform.destroyDomain(guest.domid());
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void aDomainWhoseGrantsAreStillMappedLingersAsAZombieHoldingItsDomid() {
        Domain d0 = platform.dom0();
        Domain guest = platform.createDomain("guest");
        guest.grantTable().permit(8, 0, 0x10, false);
        GrantMapping m = d0.grants().map(guest.domid(), 8, false);
        platform.destroyDomain(guest.domid());
        assertThat(guest.state()).isEqualTo(Domain.State.DYING);
        assertThat(platform.zombies()).containsExactly(guest);
        assertThatThrownBy(() -> platform.createDomain(DomainConfig.guest("reuse").withDomid(guest.domid())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("zombie");
        LeakReport r = platform.leakReport();
        assertThat(r.mappings()).containsExactly(new LeakReport.LiveMapping(0, guest.domid(), 8, m.handle(), false));
        assertThat(r.zombies()).containsExactly(new LeakReport.ZombieDomain(guest.domid(), "guest", 1));
        // The backend still sees the page: Xen keeps it alive until the unmap.
        m.page().putInt(0, 1);
        d0.grants().unmap(m);
        assertThat(platform.zombies()).isEmpty();
        assertThat(guest.state()).isEqualTo(Domain.State.DEAD);
        assertThat(platform.createDomain(DomainConfig.guest("reuse").withDomid(guest.domid())).incarnation())
                .isGreaterThan(guest.incarnation());
        platform.destroyDomain(guest.domid());
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void leakReportNamesEveryLiveMappingPermittedRefAndBoundChannel() {
        Domain d0 = platform.dom0();
        Domain guest = platform.createDomain("guest");
        guest.grantTable().permit(0, 0, 0x20, false); // console ring, seeded by the toolstack
        guest.grantTable().permit(33, 0, 0x21, true);
        GrantMapping m = d0.grants().map(guest.domid(), 33, true);
        int gport = guest.evtchn().allocUnbound(0);
        int bport = d0.evtchn().bindInterdomain(guest.domid(), gport);
        LeakReport r = platform.leakReport();
        assertThat(r.text()).isEqualTo("""
                5 leaks:
                  grant mapping: d0 maps d1 ref 33 (handle 0, ro)
                  grant permitted: d1 ref 0 -> d0 (gfn 0x20, rw)
                  grant permitted: d1 ref 33 -> d0 (gfn 0x21, ro, in use)
                  event channel: d0 port %d interdomain <-> d1 port %d
                  event channel: d1 port %d interdomain <-> d0 port %d""".formatted(bport, gport, gport, bport));
        AssertionError failure = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> LeakCheck.assertNoLeaks(platform));
        assertThat(failure.getMessage()).contains("platform not clean", "d0 maps d1 ref 33", "d1 port " + gport);
        assertThat(LeakCheck.on(platform).allowingToolstackGrants().allowingPorts(0, bport).allowingPorts(1, gport)
                .report().describeAll()).containsExactly(
                "grant mapping: d0 maps d1 ref 33 (handle 0, ro)",
                "grant permitted: d1 ref 33 -> d0 (gfn 0x21, ro, in use)");
        d0.grants().unmap(m);
        guest.grantTable().revoke(33);
        d0.evtchn().close(bport);
        guest.evtchn().close(gport);
        LeakCheck.on(platform).allowingToolstackGrants().verify();
        guest.grantTable().revoke(0);
        assertThat(platform.leakReport().isEmpty()).isTrue();
        assertThat(platform.leakReport().text()).isEqualTo("no leaks");
    }

    @Test
    void hvmParamsAreStoredByTheirHeaderIndex() {
        Domain guest = platform.createDomain("guest");
        guest.setHvmParam(HvmParam.STORE_PFN, 0xFEFFF);
        guest.setHvmParam(HvmParam.STORE_EVTCHN, 3);
        guest.setHvmParam(HvmParam.CALLBACK_IRQ, HvmParam.callbackVia(HvmParam.CALLBACK_TYPE_VECTOR, 0xF3));
        assertThat(guest.hvmParam(1)).isEqualTo(0xFEFFF);
        assertThat(guest.hvmParam(HvmParam.STORE_EVTCHN)).isEqualTo(3);
        assertThat(guest.hvmParam(0)).isEqualTo(0x0200_0000_0000_00F3L);
        assertThat(guest.hvmParam(HvmParam.CONSOLE_PFN)).isZero();
        guest.setHvmParam(17, 0xFEFFE);
        assertThat(guest.hvmParam(HvmParam.CONSOLE_PFN)).isEqualTo(0xFEFFE);
        assertThatThrownBy(() -> guest.hvmParam(HvmParam.HVM_NR_PARAMS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HVM param 39 out of range");
        assertThat(kernel.log().entries().getLast().event()).isEqualTo(new Event.Note("xen", "d1 HVM_PARAM_CONSOLE_PFN = 0xfeffe"));
    }

    @Test
    void sharedInfoCanBeMappedIntoThePhysmapWhereTheGuestSeesXensWrites() {
        Domain d0 = platform.dom0();
        Domain guest = platform.createDomain("guest");
        guest.mapSharedInfo(0xF0000);
        int g = guest.evtchn().allocUnbound(0);
        int b = d0.evtchn().bindInterdomain(guest.domid(), g);
        d0.evtchn().send(b);
        assertThat(guest.memory().page(0xF0000).getByte(SharedInfo.EVTCHN_PENDING)).isEqualTo((byte) (1 << g));
        guest.mapSharedInfo(0xF0001);
        assertThat(guest.memory().lookup(0xF0000)).isNull();
        assertThat(guest.memory().page(0xF0001)).isSameAs(guest.sharedInfo().page());
    }

    @Test
    void freshDomainsGetTheWallclockAndSystemTime() {
        platform.setWallclock(2_000_000_000L, 5);
        Domain guest = platform.createDomain("guest");
        SharedInfo.Wallclock wc = guest.sharedInfo().readWallclock();
        assertThat(wc.seconds()).isEqualTo(2_000_000_000L);
        assertThat(wc.nanos()).isEqualTo(5);
        assertThat(guest.sharedInfo().readSystemTime(0, guest::tsc).systemTimeNanos()).isEqualTo(kernel.nanoTime());
        assertThat(platform.dom0().sharedInfo().readWallclock().seconds()).isEqualTo(2_000_000_000L);
    }
}
