package org.xenpv.core.evtchn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.xenpv.core.domain.DomId.DOMID_SELF;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.log.Event;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakCheck;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Kernel;

/** The {@code EVTCHNOP_*} operations: results, state changes and Xen's error numbers. */
class EvtchnOpsTest {

    private final Kernel kernel = Kernel.deterministic(1);
    private final Platform platform = new Platform(kernel);
    private final Domain dom0 = platform.dom0();
    private final Domain guest = platform.createDomain("guest");

    @AfterEach
    void close() {
        kernel.close();
    }

    private static void assertErrno(int errno, Executable call) {
        EvtchnException e = org.junit.jupiter.api.Assertions.assertThrows(EvtchnException.class, call);
        assertThat(e.rc()).as(e.getMessage()).isEqualTo(-errno);
    }

    /** Guest allocates an unbound port for dom0, dom0 binds to it: returns {guestPort, dom0Port}. */
    private int[] connect() {
        int gport = guest.evtchn().allocUnbound(0);
        int bport = dom0.evtchn().bindInterdomain(guest.domid(), gport);
        return new int[] {gport, bport};
    }

    @Test
    void portsAreAllocatedLowestFirstFromOneBecausePortZeroIsReserved() {
        assertThat(guest.evtchn().allocUnbound(0)).isEqualTo(1);
        assertThat(guest.evtchn().allocUnbound(0)).isEqualTo(2);
        guest.evtchn().close(1);
        assertThat(guest.evtchn().allocUnbound(0)).isEqualTo(1);
        assertThat(guest.evtchn().status(0)).isEqualTo(new EvtchnStatus.Closed(0));
        assertErrno(Errno.EINVAL, () -> guest.evtchn().close(0));
    }

    @Test
    void allocUnboundRecordsWhoMayBind() {
        int port = guest.evtchn().allocUnbound(0);
        assertThat(guest.evtchn().status(port)).isEqualTo(new EvtchnStatus.Unbound(0, 0));
        int self = guest.evtchn().allocUnbound(DOMID_SELF);
        assertThat(guest.evtchn().status(self)).isEqualTo(new EvtchnStatus.Unbound(0, guest.domid()));
        assertThat(kernel.log().entries()).extracting(e -> e.event())
                .contains(new Event.EvtchnBind(guest.domid(), port, "unbound for d0"));
    }

    @Test
    void allocUnboundForAnotherDomainNeedsPrivilege() {
        Domain other = platform.createDomain("other");
        assertErrno(Errno.EPERM, () -> guest.evtchn().allocUnbound(other.domid(), 0));
        assertErrno(Errno.ESRCH, () -> dom0.evtchn().allocUnbound(77, 0));
        int port = dom0.evtchn().allocUnbound(guest.domid(), 0);
        assertThat(guest.evtchn().status(port)).isEqualTo(new EvtchnStatus.Unbound(0, 0));
        guest.evtchn().close(port);
        platform.destroyDomain(other.domid());
    }

    @Test
    void bindInterdomainConnectsBothEndsAndNotifiesTheNewPort() {
        int[] p = connect();
        assertThat(guest.evtchn().status(p[0])).isEqualTo(new EvtchnStatus.Interdomain(0, 0, p[1]));
        assertThat(dom0.evtchn().status(p[1])).isEqualTo(new EvtchnStatus.Interdomain(0, guest.domid(), p[0]));
        // Xen sets the new local port pending: notifications to the unbound end were dropped.
        assertThat(dom0.evtchn().pending(p[1])).isTrue();
        assertThat(guest.evtchn().pending(p[0])).isFalse();
        closeBoth(p);
    }

    private void closeBoth(int[] p) {
        guest.evtchn().close(p[0]);
        dom0.evtchn().close(p[1]);
        LeakCheck.assertNoLeaks(platform);
    }

    @Test
    void bindInterdomainRefusesWhatXenRefuses() {
        int gport = guest.evtchn().allocUnbound(0);
        assertErrno(Errno.ESRCH, () -> dom0.evtchn().bindInterdomain(55, 1));
        assertErrno(Errno.EINVAL, () -> dom0.evtchn().bindInterdomain(guest.domid(), 500));
        assertErrno(Errno.EINVAL, () -> dom0.evtchn().bindInterdomain(guest.domid(), gport + 1));
        Domain other = platform.createDomain("other");
        // The port is reserved for dom0, not for another guest.
        EvtchnException e = org.junit.jupiter.api.Assertions.assertThrows(EvtchnException.class,
                () -> other.evtchn().bindInterdomain(guest.domid(), gport));
        assertThat(e.rc()).isEqualTo(-Errno.EINVAL);
        assertThat(e.domid()).isEqualTo(guest.domid());
        assertThat(e.port()).isEqualTo(gport);
        assertThat(e.getMessage()).contains("EVTCHNOP_bind_interdomain", "port " + gport, "-EINVAL", "not unbound for d2");
        int bport = dom0.evtchn().bindInterdomain(guest.domid(), gport);
        // Already connected: a second bind fails.
        assertErrno(Errno.EINVAL, () -> dom0.evtchn().bindInterdomain(guest.domid(), gport));
        closeBoth(new int[] {gport, bport});
        platform.destroyDomain(other.domid());
    }

    @Test
    void loopbackBindingWithinOneDomain() {
        int a = guest.evtchn().allocUnbound(DOMID_SELF);
        int b = guest.evtchn().bindInterdomain(DOMID_SELF, a);
        guest.evtchn().testAndClearPending(b);
        guest.evtchn().send(b);
        assertThat(guest.evtchn().pending(a)).isTrue();
        guest.evtchn().close(a);
        assertThat(guest.evtchn().status(b)).isEqualTo(new EvtchnStatus.Unbound(0, guest.domid()));
        guest.evtchn().close(b);
    }

    @Test
    void sendDeliversToThePeerAndRaisesItsUpcall() {
        int[] p = connect();
        kernel.log().entries();
        long before = kernel.log().count();
        dom0.evtchn().send(p[1]);
        SharedInfo s = guest.sharedInfo();
        assertThat(s.evtchnPending(p[0])).isTrue();
        assertThat(s.pendingSel(0) & 1L).isEqualTo(1L);
        assertThat(guest.upcall().pending()).isTrue();
        assertThat(guest.upcall().raised()).isEqualTo(1);
        var events = kernel.log().entries().stream().filter(e -> e.seq() > before).map(e -> e.event()).toList();
        assertThat(events).containsExactly(new Event.EvtchnSend(0, p[1], guest.domid(), p[0]),
                new Event.EvtchnDeliver(guest.domid(), p[0], false, true));
        assertThat(dom0.evtchn().counters(p[1]).sent()).isEqualTo(1);
        assertThat(guest.evtchn().counters(p[0])).isEqualTo(new PortCounters(0, 1, 0, 1, 0));
        closeBoth(p);
    }

    @Test
    void sendOnAnUnboundPortIsDroppedAndOnOtherStatesIsEinval() {
        int port = guest.evtchn().allocUnbound(0);
        guest.evtchn().send(port);
        assertThat(guest.evtchn().counters(port).sent()).isEqualTo(1);
        assertErrno(Errno.EINVAL, () -> guest.evtchn().send(port + 1)); // free, in the bucket
        assertErrno(Errno.EINVAL, () -> guest.evtchn().send(4000)); // beyond the bucket
        assertErrno(Errno.EINVAL, () -> guest.evtchn().send(-1));
        int virq = guest.evtchn().bindVirq(Virq.DEBUG, 0);
        assertErrno(Errno.EINVAL, () -> guest.evtchn().send(virq));
        guest.evtchn().close(port);
        guest.evtchn().close(virq);
    }

    @Test
    void closeTurnsThePeerBackIntoAnUnboundPortForTheCloser() {
        int[] p = connect();
        dom0.evtchn().close(p[1]);
        assertThat(guest.evtchn().status(p[0])).isEqualTo(new EvtchnStatus.Unbound(0, 0));
        assertThat(dom0.evtchn().status(p[1])).isEqualTo(new EvtchnStatus.Closed(0));
        assertErrno(Errno.EINVAL, () -> dom0.evtchn().close(p[1]));
        // The unbound end can be bound again (what a backend does after a reconnect).
        int again = dom0.evtchn().bindInterdomain(guest.domid(), p[0]);
        closeBoth(new int[] {p[0], again});
    }

    @Test
    void closeWhilePendingClearsPendingSoAReboundPortStartsClean() {
        int[] p = connect();
        dom0.evtchn().send(p[1]);
        assertThat(guest.evtchn().pending(p[0])).isTrue();
        guest.evtchn().close(p[0]);
        assertThat(guest.evtchn().pending(p[0])).isFalse();
        int reused = guest.evtchn().allocUnbound(0);
        assertThat(reused).isEqualTo(p[0]);
        assertThat(guest.evtchn().pending(reused)).isFalse();
        assertThat(guest.evtchn().counters(reused)).isEqualTo(PortCounters.ZERO);
        guest.evtchn().close(reused);
        dom0.evtchn().close(p[1]);
    }

    @Test
    void statusDistinguishesFreePortsFromInvalidOnesAndNeedsPrivilegeForOthers() {
        assertThat(guest.evtchn().status(10)).isEqualTo(new EvtchnStatus.Closed(0));
        assertErrno(Errno.EINVAL, () -> guest.evtchn().status(EventChannels.EVTCHNS_PER_BUCKET));
        int port = guest.evtchn().allocUnbound(0);
        assertThat(dom0.evtchn().status(guest.domid(), port)).isEqualTo(new EvtchnStatus.Unbound(0, 0));
        Domain other = platform.createDomain("other");
        assertErrno(Errno.EPERM, () -> other.evtchn().status(guest.domid(), port));
        assertErrno(Errno.ESRCH, () -> dom0.evtchn().status(99, 1));
        guest.evtchn().close(port);
        platform.destroyDomain(other.domid());
    }

    @Test
    void bindVirqChecksNumberVcpuAndDuplicates() {
        Domain two = platform.createDomain(DomainConfig.guest("smp").withVcpus(2));
        EventChannels e = two.evtchn();
        assertErrno(Errno.EINVAL, () -> e.bindVirq(Virq.NR_VIRQS, 0));
        assertErrno(Errno.EINVAL, () -> e.bindVirq(Virq.DOM_EXC, 1)); // global VIRQs live on vCPU 0
        assertErrno(Errno.ENOENT, () -> e.bindVirq(Virq.TIMER, 2));
        int t0 = e.bindVirq(Virq.TIMER, 0);
        int t1 = e.bindVirq(Virq.TIMER, 1); // per-vCPU: one per vCPU
        assertErrno(Errno.EEXIST, () -> e.bindVirq(Virq.TIMER, 1));
        assertThat(e.status(t1)).isEqualTo(new EvtchnStatus.Virq(1, Virq.TIMER));
        assertThat(e.raiseVirq(Virq.TIMER, 1)).isTrue();
        assertThat(e.pending(t1)).isTrue();
        assertThat(e.pending(t0)).isFalse();
        assertThat(two.upcall(1).pending()).isTrue();
        assertThat(two.upcall(0).pending()).isFalse();
        e.close(t1);
        assertThat(e.raiseVirq(Virq.TIMER, 1)).isFalse();
        assertThat(e.bindVirq(Virq.TIMER, 1)).isEqualTo(t1);
        platform.destroyDomain(two.domid());
    }

    @Test
    void bindVcpuMovesNotificationsForUnboundInterdomainAndGlobalVirqPortsOnly() {
        Domain two = platform.createDomain(DomainConfig.guest("smp").withVcpus(2));
        EventChannels e = two.evtchn();
        int port = e.allocUnbound(0);
        int bport = dom0.evtchn().bindInterdomain(two.domid(), port);
        e.bindVcpu(port, 1);
        dom0.evtchn().send(bport);
        assertThat(two.upcall(1).pending()).isTrue();
        assertThat(two.upcall(0).pending()).isFalse();
        assertThat(two.sharedInfo().pendingSel(1)).isEqualTo(1L);
        assertThat(e.status(port).vcpu()).isEqualTo(1);
        assertErrno(Errno.ENOENT, () -> e.bindVcpu(port, 2));
        int ipi = e.bindIpi(0);
        assertErrno(Errno.EINVAL, () -> e.bindVcpu(ipi, 1));
        int timer = e.bindVirq(Virq.TIMER, 0);
        assertErrno(Errno.EINVAL, () -> e.bindVcpu(timer, 1));
        int exc = e.bindVirq(Virq.DEBUGGER, 0);
        e.bindVcpu(exc, 1);
        assertErrno(Errno.EINVAL, () -> e.bindVcpu(30, 1));
        platform.destroyDomain(two.domid());
        assertThat(dom0.evtchn().status(bport)).isInstanceOf(EvtchnStatus.Unbound.class);
        dom0.evtchn().close(bport);
    }

    @Test
    void ipiNotifiesTheBoundVcpuOfTheSameDomain() {
        int ipi = guest.evtchn().bindIpi(0);
        assertErrno(Errno.ENOENT, () -> guest.evtchn().bindIpi(1));
        guest.evtchn().send(ipi);
        assertThat(guest.evtchn().pending(ipi)).isTrue();
        assertThat(guest.evtchn().status(ipi)).isEqualTo(new EvtchnStatus.Ipi(0));
        guest.evtchn().close(ipi);
    }

    @Test
    void maxEvtchnPortLimitsAllocationWithEnospc() {
        Domain small = platform.createDomain(DomainConfig.guest("small").withMaxEvtchnPort(3));
        for (int i = 1; i <= 3; i++) {
            assertThat(small.evtchn().allocUnbound(0)).isEqualTo(i);
        }
        assertErrno(Errno.ENOSPC, () -> small.evtchn().allocUnbound(0));
        platform.destroyDomain(small.domid());
    }

    @Test
    void twoLevelAbiStopsAt4096PortsAndTheTableGrowsByBuckets() {
        EventChannels d0 = dom0.evtchn();
        assertThat(d0.validPorts()).isEqualTo(EventChannels.EVTCHNS_PER_BUCKET);
        for (int i = 1; i < SharedInfo.EVTCHN_2L_NR_CHANNELS; i++) {
            d0.bindIpi(0);
        }
        assertThat(d0.validPorts()).isEqualTo(SharedInfo.EVTCHN_2L_NR_CHANNELS);
        assertErrno(Errno.ENOSPC, () -> d0.bindIpi(0));
        d0.reset();
        assertThat(d0.boundPorts()).isEmpty();
    }

    @Test
    void resetClosesEveryPortAndPeersFallBackToUnbound() {
        int[] p = connect();
        int ipi = guest.evtchn().bindIpi(0);
        guest.evtchn().reset();
        assertThat(guest.evtchn().boundPorts()).isEmpty();
        assertThat(dom0.evtchn().status(p[1])).isEqualTo(new EvtchnStatus.Unbound(0, guest.domid()));
        assertThat(guest.evtchn().status(ipi)).isInstanceOf(EvtchnStatus.Closed.class);
        dom0.evtchn().close(p[1]);
    }

    @Test
    void resetOfAnotherDomainNeedsPrivilege() {
        Domain other = platform.createDomain("other");
        int port = guest.evtchn().allocUnbound(0);
        assertErrno(Errno.EPERM, () -> other.evtchn().reset(guest.domid()));
        assertErrno(Errno.ESRCH, () -> dom0.evtchn().reset(123));
        dom0.evtchn().reset(guest.domid());
        assertThat(guest.evtchn().status(port)).isInstanceOf(EvtchnStatus.Closed.class);
        platform.destroyDomain(other.domid());
    }

    @Test
    void sendAfterThePeerIsDestroyedIsDropped() {
        int[] p = connect();
        platform.destroyDomain(guest.domid());
        assertThat(dom0.evtchn().status(p[1])).isEqualTo(new EvtchnStatus.Unbound(0, guest.domid()));
        dom0.evtchn().send(p[1]);
        assertThat(dom0.evtchn().counters(p[1]).sent()).isEqualTo(1);
        dom0.evtchn().close(p[1]);
    }

    @Test
    void injectAndSpuriousCountersForStormTests() {
        int[] p = connect();
        guest.evtchn().inject(p[0]);
        guest.evtchn().inject(p[0]);
        guest.evtchn().reportSpurious(p[0]);
        assertThat(guest.evtchn().counters(p[0])).isEqualTo(new PortCounters(0, 1, 1, 1, 1));
        assertErrno(Errno.EINVAL, () -> guest.evtchn().inject(20));
        closeBoth(p);
    }
}
