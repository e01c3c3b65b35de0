package org.xenpv.core.evtchn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.core.evtchn.EvtchnFifo.LINKED;
import static org.xenpv.core.evtchn.EvtchnFifo.MASKED;
import static org.xenpv.core.evtchn.EvtchnFifo.PENDING;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.xenpv.core.log.Event;
import org.xenpv.core.mem.Page;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Kernel;

/**
 * The FIFO ABI: control block and event words in guest pages, queue linking by priority, the
 * LINKED/MASKED/PENDING bits, and the guest's fallback to 2-level when FIFO is unavailable.
 */
class FifoTest {

    private static final long CONTROL_GFN = 0x200;
    private static final long ARRAY_GFN = 0x201;

    private final Kernel kernel = Kernel.deterministic(3);
    private final Platform platform = new Platform(kernel);
    private final Domain dom0 = platform.dom0();
    private final Domain guest = platform.createDomain("guest");
    private final EventChannels ev = guest.evtchn();

    @AfterEach
    void close() {
        kernel.close();
    }

    private static void assertErrno(int errno, Executable call) {
        EvtchnException e = org.junit.jupiter.api.Assertions.assertThrows(EvtchnException.class, call);
        assertThat(e.rc()).as(e.getMessage()).isEqualTo(-errno);
    }

    private void initFifo() {
        assertThat(ev.initControl(CONTROL_GFN, 0, 0)).isEqualTo(EvtchnFifo.LINK_BITS);
        ev.expandArray(ARRAY_GFN);
    }

    /** A guest port connected to dom0; returns {guestPort, dom0Port}. */
    private int[] connect() {
        int g = ev.allocUnbound(0);
        int b = dom0.evtchn().bindInterdomain(guest.domid(), g);
        dom0.evtchn().testAndClearPending(b);
        return new int[] {g, b};
    }

    private Page control() {
        return guest.memory().page(CONTROL_GFN);
    }

    private int word(int port) {
        return guest.memory().page(ARRAY_GFN).getInt(port * 4);
    }

    private static int bits(int link, int... flags) {
        int w = link;
        for (int f : flags) {
            w |= 1 << f;
        }
        return w;
    }

    @Test
    void initControlChecksVcpuOffsetAlignmentAndFrame() {
        assertErrno(Errno.ENOENT, () -> ev.initControl(CONTROL_GFN, 0, 1));
        assertErrno(Errno.EINVAL, () -> ev.initControl(CONTROL_GFN, 4, 0));
        assertErrno(Errno.EINVAL, () -> ev.initControl(CONTROL_GFN, Page.SIZE - EvtchnFifo.CONTROL_BLOCK_SIZE + 8, 0));
        assertErrno(Errno.EINVAL, () -> ev.initControl(1L << 40, 0, 0));
        assertErrno(Errno.EOPNOTSUPP, () -> ev.expandArray(ARRAY_GFN));
        assertThat(ev.abi()).isEqualTo(EvtchnAbi.TWO_LEVEL);
        assertThat(ev.initControl(CONTROL_GFN, Page.SIZE - EvtchnFifo.CONTROL_BLOCK_SIZE, 0)).isEqualTo(17);
        assertThat(ev.abi()).isEqualTo(EvtchnAbi.FIFO);
        assertThat(ev.fifoControlGfn(0)).isEqualTo(CONTROL_GFN);
        assertErrno(Errno.EINVAL, () -> ev.initControl(CONTROL_GFN, 0, 0));
    }

    @Test
    void withFifoDisabledInitControlIsEnosysAndTheGuestFallsBackTo2Level() {
        Domain old = platform.createDomain(DomainConfig.guest("old-xen").withFifoEvtchn(false));
        EventChannels e = old.evtchn();
        assertErrno(Errno.ENOSYS, () -> e.initControl(CONTROL_GFN, 0, 0));
        // The Windows XENBUS resets after a failed FIFO acquire and carries on with 2-level.
        e.reset();
        assertThat(e.abi()).isEqualTo(EvtchnAbi.TWO_LEVEL);
        int g = e.allocUnbound(0);
        int b = dom0.evtchn().bindInterdomain(old.domid(), g);
        dom0.evtchn().send(b);
        assertThat(old.sharedInfo().evtchnPending(g)).isTrue();
        assertThat(old.upcall().pending()).isTrue();
        platform.destroyDomain(old.domid());
        dom0.evtchn().close(b);
    }

    @Test
    void eventsAreLinkedInArrivalOrderOnTheirPriorityQueue() {
        initFifo();
        int[] a = connect();
        int[] b = connect();
        int[] c = connect();
        dom0.evtchn().send(a[1]);
        dom0.evtchn().send(b[1]);
        dom0.evtchn().send(c[1]);
        assertThat(control().getInt(EvtchnFifo.head(EvtchnFifo.PRIORITY_DEFAULT))).isEqualTo(a[0]);
        assertThat(control().getInt(EvtchnFifo.CB_READY)).isEqualTo(1 << EvtchnFifo.PRIORITY_DEFAULT);
        assertThat(word(a[0])).isEqualTo(bits(b[0], PENDING, LINKED));
        assertThat(word(b[0])).isEqualTo(bits(c[0], PENDING, LINKED));
        assertThat(word(c[0])).isEqualTo(bits(0, PENDING, LINKED));
        assertThat(ev.fifoEventWord(a[0])).isEqualTo(word(a[0]));
        // One upcall: later events joined a queue the guest already had to look at.
        assertThat(guest.upcall().raised()).isEqualTo(1);
        List<Integer> handled = new ArrayList<>();
        assertThat(ev.dispatch(0, handled::add)).isEqualTo(3);
        assertThat(handled).containsExactly(a[0], b[0], c[0]);
        assertThat(word(a[0])).isZero();
        assertThat(word(c[0])).isZero();
        assertThat(control().getInt(EvtchnFifo.CB_READY)).isZero();
        assertThat(guest.upcall().pending()).isFalse();
    }

    @Test
    void higherPriorityQueuesAreServedFirst() {
        initFifo();
        int[] low = connect();
        int[] high = connect();
        ev.setPriority(high[0], 3);
        dom0.evtchn().send(low[1]);
        dom0.evtchn().send(high[1]);
        assertThat(control().getInt(EvtchnFifo.CB_READY)).isEqualTo((1 << 3) | (1 << 7));
        assertThat(control().getInt(EvtchnFifo.head(3))).isEqualTo(high[0]);
        List<Integer> handled = new ArrayList<>();
        ev.dispatch(0, handled::add);
        assertThat(handled).containsExactly(high[0], low[0]);
        assertErrno(Errno.EINVAL, () -> ev.setPriority(high[0], 16));
    }

    @Test
    void aMaskedEventIsPendingButNotLinkedUntilUnmaskRelinksIt() {
        initFifo();
        int[] p = connect();
        ev.mask(p[0]);
        assertThat(word(p[0])).isEqualTo(bits(0, MASKED));
        dom0.evtchn().send(p[1]);
        assertThat(word(p[0])).isEqualTo(bits(0, MASKED, PENDING));
        assertThat(guest.upcall().pending()).isFalse();
        assertThat(control().getInt(EvtchnFifo.head(7))).isZero();
        assertThat(kernel.log().entries().getLast().event()).isEqualTo(new Event.EvtchnDeliver(guest.domid(), p[0], true, false));
        ev.unmask(p[0]);
        assertThat(word(p[0])).isEqualTo(bits(0, PENDING, LINKED));
        assertThat(control().getInt(EvtchnFifo.head(7))).isEqualTo(p[0]);
        assertThat(guest.upcall().pending()).isTrue();
        List<Integer> handled = new ArrayList<>();
        ev.dispatch(0, handled::add);
        assertThat(handled).containsExactly(p[0]);
    }

    @Test
    void anEventWithoutAnEventWordIsKeptAndRaisedWhenTheArrayGrows() {
        ev.initControl(CONTROL_GFN, 0, 0);
        int[] p = connect();
        dom0.evtchn().send(p[1]);
        assertThat(ev.pending(p[0])).isFalse();
        assertThat(ev.fifoEventWord(p[0])).isEqualTo(-1);
        ev.expandArray(ARRAY_GFN);
        assertThat(word(p[0])).isEqualTo(bits(0, PENDING, LINKED));
        assertThat(guest.upcall().pending()).isTrue();
    }

    @Test
    void pendingStateCarriesOverWhenTheDomainSwitchesFrom2LevelToFifo() {
        int[] p = connect();
        dom0.evtchn().send(p[1]);
        assertThat(guest.sharedInfo().evtchnPending(p[0])).isTrue();
        initFifo();
        assertThat(word(p[0])).isEqualTo(bits(0, PENDING, LINKED));
        assertThat(ev.pending(p[0])).isTrue();
    }

    @Test
    void aNewEventAfterTheGuestDrainedTheQueueStartsANewHead() {
        initFifo();
        int[] a = connect();
        int[] b = connect();
        dom0.evtchn().send(a[1]);
        ev.dispatch(0, port -> { });
        // Xen's tail is still a, but a is no longer LINKED: the queue is empty, so b becomes head.
        dom0.evtchn().send(b[1]);
        assertThat(control().getInt(EvtchnFifo.head(7))).isEqualTo(b[0]);
        assertThat(word(a[0])).isZero();
        List<Integer> handled = new ArrayList<>();
        ev.dispatch(0, handled::add);
        assertThat(handled).containsExactly(b[0]);
    }

    @Test
    void aClosedPortStillLinkedOnAQueueIsNotReusedUntilTheGuestUnlinksIt() {
        initFifo();
        int[] p = connect();
        dom0.evtchn().send(p[1]);
        ev.close(p[0]);
        // Close cleared PENDING only; the word is still LINKED.
        assertThat(word(p[0])).isEqualTo(bits(0, LINKED));
        int next = ev.allocUnbound(0);
        assertThat(next).isNotEqualTo(p[0]);
        List<Integer> handled = new ArrayList<>();
        ev.dispatch(0, handled::add);
        assertThat(handled).isEmpty(); // unlinked and ignored: no longer pending
        assertThat(ev.allocUnbound(0)).isEqualTo(p[0]);
        dom0.evtchn().close(p[1]);
    }

    @Test
    void resetLeavesFifoForTwoLevel() {
        initFifo();
        int[] p = connect();
        ev.reset();
        assertThat(ev.abi()).isEqualTo(EvtchnAbi.TWO_LEVEL);
        assertThat(ev.fifoControlGfn(0)).isEqualTo(-1);
        assertThat(ev.fifoEventWord(p[0])).isEqualTo(-1);
        // FIFO can be set up again (Windows does this on every resume).
        initFifo();
        assertThat(ev.abi()).isEqualTo(EvtchnAbi.FIFO);
        dom0.evtchn().close(p[1]);
    }

    @Test
    void eventWordsOfTheSecondArrayPageAreInThatPage() {
        Domain big = platform.createDomain(DomainConfig.guest("big").withMaxEvtchnPort(2047));
        EventChannels e = big.evtchn();
        e.initControl(CONTROL_GFN, 0, 0);
        e.expandArray(ARRAY_GFN);
        e.expandArray(ARRAY_GFN + 1);
        int target = 1030;
        int g;
        do {
            g = e.bindIpi(0);
        } while (g < target);
        e.send(g);
        assertThat(big.memory().page(ARRAY_GFN + 1).getInt((target - 1024) * 4)).isEqualTo(bits(0, PENDING, LINKED));
        assertThat(dom0.evtchn().abi()).isEqualTo(EvtchnAbi.TWO_LEVEL);
        platform.destroyDomain(big.domid());
    }

    @Test
    void aGuestStopsAtItsMaxEvtchnPortEvenWithFifo() {
        initFifo();
        for (int i = 1; i <= DomainConfig.DEFAULT_MAX_EVTCHN_PORT; i++) {
            ev.bindIpi(0);
        }
        EvtchnException e = org.junit.jupiter.api.Assertions.assertThrows(EvtchnException.class, () -> ev.bindIpi(0));
        assertThat(e.rc()).isEqualTo(-Errno.ENOSPC);
        assertThat(e.getMessage()).contains("max_evtchn_port 1023");
        ev.reset();
    }

    @Test
    void anEventForAVcpuWithoutControlBlockIsPendingButUnlinkedAndReported() {
        Domain smp = platform.createDomain(DomainConfig.guest("smp").withVcpus(2));
        EventChannels e = smp.evtchn();
        e.initControl(CONTROL_GFN, 0, 0);
        e.expandArray(ARRAY_GFN);
        int g = e.allocUnbound(0);
        int b = dom0.evtchn().bindInterdomain(smp.domid(), g);
        e.bindVcpu(g, 1);
        dom0.evtchn().send(b);
        assertThat(e.pending(g)).isTrue();
        assertThat(smp.upcall(1).pending()).isFalse();
        assertThat(kernel.log().entries()).extracting(x -> x.event()).anySatisfy(ev ->
                assertThat(ev).isInstanceOfSatisfying(Event.Fault.class, f -> assertThat(f.what()).contains("vCPU 1 has no FIFO control block")));
        // Once vCPU 1 registers one, events go to its own queues.
        e.initControl(CONTROL_GFN, 128, 1);
        e.testAndClearPending(g);
        dom0.evtchn().send(b);
        assertThat(smp.upcall(1).pending()).isTrue();
        assertThat(smp.memory().page(CONTROL_GFN).getInt(128 + EvtchnFifo.head(7))).isEqualTo(g);
        List<Integer> handled = new ArrayList<>();
        e.dispatch(1, handled::add);
        assertThat(handled).containsExactly(g);
        platform.destroyDomain(smp.domid());
        dom0.evtchn().close(b);
    }

    @Test
    void garbageInTheGuestsControlBlockDoesNotTrapTheDispatcher() {
        initFifo();
        control().putInt(EvtchnFifo.head(7), 5000); // beyond the event array
        control().putInt(EvtchnFifo.CB_READY, (1 << 7) | (1 << 2));
        assertThat(ev.dispatch(0, port -> { })).isZero();
        assertThat(control().getInt(EvtchnFifo.CB_READY)).isZero();
    }
}
