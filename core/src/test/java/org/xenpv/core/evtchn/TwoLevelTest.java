package org.xenpv.core.evtchn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.log.Event;
import org.xenpv.core.mem.Page;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Kernel;

/** The 2-level ABI: bits at the C offsets of {@code shared_info}, masking, unmask re-delivery, the upcall. */
class TwoLevelTest {

    private final Kernel kernel = Kernel.deterministic(2);
    private final Platform platform = new Platform(kernel);
    private final Domain dom0 = platform.dom0();
    private final Domain guest = platform.createDomain("guest");

    @AfterEach
    void close() {
        kernel.close();
    }

    /** Binds guest ports until {@code wanted} is reached; returns {guestPort, dom0Port} of that one. */
    private int[] connectAt(int wanted) {
        while (true) {
            int g = guest.evtchn().allocUnbound(0);
            if (g == wanted) {
                int b = dom0.evtchn().bindInterdomain(guest.domid(), g);
                dom0.evtchn().testAndClearPending(b);
                return new int[] {g, b};
            }
        }
    }

    @Test
    void pendingSelectorAndUpcallBitsSitWhereTheHeaderPutsThem() {
        int[] p = connectAt(130);
        dom0.evtchn().send(p[1]);
        Page page = guest.sharedInfo().page();
        // evtchn_pending is an array of u64 at 2048: port 130 is word 2, bit 2 -> byte 2048 + 16, bit 2.
        assertThat(page.getByte(SharedInfo.EVTCHN_PENDING + 16)).isEqualTo((byte) 0x04);
        assertThat(page.getLong(SharedInfo.EVTCHN_PENDING + 16)).isEqualTo(1L << 2);
        // evtchn_pending_sel of vcpu_info[0] (u64 at 8) gets bit 2 (= port / 64).
        assertThat(page.getLong(SharedInfo.VI_EVTCHN_PENDING_SEL)).isEqualTo(1L << 2);
        // evtchn_upcall_pending is byte 0 of vcpu_info[0].
        assertThat(page.getByte(SharedInfo.VI_EVTCHN_UPCALL_PENDING)).isEqualTo((byte) 1);
        assertThat(page.getByte(SharedInfo.VI_EVTCHN_UPCALL_MASK)).isZero();
    }

    @Test
    void maskedDeliverySetsPendingButNeitherSelectorNorUpcall() {
        int[] p = connectAt(5);
        guest.evtchn().mask(p[0]);
        assertThat(guest.sharedInfo().page().getByte(SharedInfo.EVTCHN_MASK)).isEqualTo((byte) (1 << 5));
        dom0.evtchn().send(p[1]);
        assertThat(guest.evtchn().pending(p[0])).isTrue();
        assertThat(guest.sharedInfo().pendingSel(0)).isZero();
        assertThat(guest.upcall().pending()).isFalse();
        assertThat(kernel.log().entries().getLast().event()).isEqualTo(new Event.EvtchnDeliver(guest.domid(), 5, true, false));
        assertThat(guest.evtchn().counters(p[0])).isEqualTo(new PortCounters(0, 1, 0, 0, 0));
    }

    @Test
    void unmaskOfAStillPendingPortDeliversItAgain() {
        int[] p = connectAt(5);
        guest.evtchn().mask(p[0]);
        dom0.evtchn().send(p[1]);
        guest.evtchn().unmask(p[0]);
        assertThat(guest.evtchn().masked(p[0])).isFalse();
        assertThat(guest.sharedInfo().pendingSel(0)).isEqualTo(1L);
        assertThat(guest.upcall().pending()).isTrue();
        List<Event> tail = kernel.log().entries().reversed().stream().limit(2).map(e -> e.event()).toList().reversed();
        assertThat(tail).containsExactly(new Event.EvtchnDeliver(guest.domid(), 5, false, true),
                new Event.EvtchnMask(guest.domid(), 5, false));
        assertThat(guest.evtchn().counters(p[0]).upcalls()).isEqualTo(1);
    }

    @Test
    void unmaskOfAPortThatIsNotPendingRaisesNothing() {
        int[] p = connectAt(5);
        guest.evtchn().mask(p[0]);
        guest.evtchn().unmask(p[0]);
        assertThat(guest.upcall().pending()).isFalse();
        assertThat(guest.sharedInfo().pendingSel(0)).isZero();
    }

    @Test
    void aSecondSendWhilePendingCoalescesAndDoesNotRaiseTheUpcallAgain() {
        int[] p = connectAt(1);
        dom0.evtchn().send(p[1]);
        guest.upcall().testAndClear();
        dom0.evtchn().send(p[1]);
        assertThat(guest.upcall().pending()).isFalse();
        assertThat(guest.evtchn().counters(p[0])).isEqualTo(new PortCounters(0, 1, 1, 1, 0));
        assertThat(dom0.evtchn().counters(p[1]).sent()).isEqualTo(2);
    }

    @Test
    void upcallIsRaisedOnlyWhenTheSelectorBitWasClear() {
        int[] a = connectAt(1);
        int[] b = connectAt(2);
        dom0.evtchn().send(a[1]);
        guest.upcall().testAndClear();
        // Same selector word (0) still set: the guest has not scanned yet, so no new upcall.
        dom0.evtchn().send(b[1]);
        assertThat(guest.upcall().pending()).isFalse();
        assertThat(guest.upcall().raised()).isEqualTo(1);
    }

    @Test
    void dispatchConsumesPendingUnmaskedPortsInPortOrderAndLeavesMaskedOnes() {
        int[] a = connectAt(3);
        int[] b = connectAt(70);
        int[] c = connectAt(71);
        guest.evtchn().mask(c[0]);
        dom0.evtchn().send(b[1]);
        dom0.evtchn().send(c[1]);
        dom0.evtchn().send(a[1]);
        List<Integer> handled = new ArrayList<>();
        assertThat(guest.evtchn().dispatch(0, handled::add)).isEqualTo(2);
        assertThat(handled).containsExactly(3, 70);
        assertThat(guest.upcall().pending()).isFalse();
        assertThat(guest.evtchn().pending(3)).isFalse();
        assertThat(guest.evtchn().pending(71)).isTrue();
        assertThat(guest.sharedInfo().pendingSel(0)).isZero();
    }

    @Test
    void testAndClearPendingIsTheSimpleConsumersAck() {
        int[] p = connectAt(9);
        assertThat(guest.evtchn().testAndClearPending(p[0])).isFalse();
        dom0.evtchn().send(p[1]);
        assertThat(guest.evtchn().testAndClearPending(p[0])).isTrue();
        assertThat(guest.evtchn().testAndClearPending(p[0])).isFalse();
        assertThat(guest.sharedInfo().evtchnPending(9)).isFalse();
    }
}
