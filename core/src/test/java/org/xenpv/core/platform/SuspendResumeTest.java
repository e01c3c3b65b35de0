package org.xenpv.core.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.log.Event;
import org.xenpv.core.mem.Page;
import org.xenpv.core.sim.Kernel;

/** SCHEDOP_shutdown, xc_domain_resume, save/restore to a new domid and unpause, as the guest and toolstack see them. */
class SuspendResumeTest {

    private final Kernel kernel = Kernel.deterministic(3);
    private final Platform platform = new Platform(kernel);

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void cooperativeResumeReturnsOneInTheSameDomain() {
        Domain d = platform.createDomain("g");
        Vm vm = Vm.of(platform, d);
        int domExc = platform.dom0().evtchn().bindVirq(Virq.DOM_EXC, 0);
        AtomicInteger rc = new AtomicInteger(-1);
        kernel.spawn("d1/vcpu0", () -> rc.set(vm.shutdown(ShutdownReason.SUSPEND)));
        kernel.runUntil(vm::suspended, Duration.ofSeconds(1));
        assertThat(d.shutdownReason()).contains(ShutdownReason.SUSPEND);
        assertThat(platform.dom0().evtchn().pending(domExc)).as("VIRQ_DOM_EXC raised in dom0").isTrue();
        kernel.runFor(Duration.ofSeconds(5));
        assertThat(rc).hasValue(-1);

        platform.resumeDomain(d.domid(), true);
        kernel.runUntil(() -> rc.get() >= 0, Duration.ofSeconds(1));
        assertThat(rc).hasValue(Vm.SUSPEND_CANCELLED);
        assertThat(d.isShutdown()).isFalse();
        assertThat(vm.domain()).isSameAs(d);
        assertThat(kernel.log().entries()).extracting(e -> e.event())
                .contains(new Event.DomainShutdown(d.domid(), "suspend"), new Event.DomainResume(d.domid(), 1));
    }

    @Test
    void saveAndRestoreMovesRamAndParamsToANewDomidAndReturnsZeroOnlyAfterUnpause() {
        Domain d = platform.createDomain("g");
        Vm vm = Vm.of(platform, d);
        d.memory().page(0x42).putLong(8, 0x1122334455667788L);
        d.setHvmParam(HvmParam.STORE_PFN, 0xfeffcL);
        AtomicInteger rc = new AtomicInteger(-1);
        AtomicReference<Domain> after = new AtomicReference<>();
        kernel.spawn("guest/vcpu0", () -> {
            rc.set(vm.shutdown(ShutdownReason.SUSPEND));
            after.set(vm.domain());
        });
        kernel.runUntil(vm::suspended, Duration.ofSeconds(1));

        DomainImage image = platform.saveDomain(d.domid());
        assertThat(image.ram()).containsKey(0x42L);
        platform.destroyDomain(d.domid());
        Domain n = platform.restoreDomain(image, image.config().withDomid(DomainConfig.AUTO_DOMID));
        assertThat(n.domid()).isNotEqualTo(d.domid());
        assertThat(n.memory().page(0x42).getLong(8)).isEqualTo(0x1122334455667788L);
        assertThat(n.hvmParam(HvmParam.STORE_PFN)).isEqualTo(0xfeffcL);
        assertThat(n.paused()).isTrue();
        assertThat(vm.domain()).isSameAs(n);
        assertThat(n.vm()).contains(vm);

        kernel.runFor(Duration.ofSeconds(2));
        assertThat(rc).as("still paused").hasValue(-1);
        platform.unpauseDomain(n.domid());
        kernel.runUntil(() -> rc.get() >= 0, Duration.ofSeconds(1));
        assertThat(rc).hasValue(Vm.SUSPEND_RESUMED);
        assertThat(after.get()).isSameAs(n);
        assertThat(n.isShutdown()).isFalse();
        assertThat(kernel.log().entries()).extracting(e -> e.event())
                .contains(new Event.DomainRestore(d.domid(), n.domid()), new Event.DomainResume(n.domid(), 0));
    }

    @Test
    void ramSnapshotIsACopy() {
        Domain d = platform.createDomain("g");
        Page p = d.memory().page(7);
        p.putInt(0, 1);
        var snap = d.memory().ramSnapshot();
        p.putInt(0, 2);
        assertThat(snap.get(7L)[0]).isEqualTo((byte) 1);
    }

    @Test
    void poweroffReturnsAtOnceAndMarksTheDomain() {
        Domain d = platform.createDomain("g");
        Vm vm = Vm.of(platform, d);
        AtomicInteger rc = new AtomicInteger(-1);
        kernel.spawn("g/vcpu0", () -> rc.set(vm.shutdown(ShutdownReason.POWEROFF)));
        kernel.runUntil(() -> rc.get() >= 0, Duration.ofSeconds(1));
        assertThat(d.shutdownReason()).contains(ShutdownReason.POWEROFF);
        assertThatThrownBy(() -> platform.resumeDomain(d.domid(), true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not shut down for suspend");
        assertThatThrownBy(() -> platform.saveDomain(d.domid())).hasMessageContaining("d" + d.domid());
    }

    @Test
    void secondShutdownWhileShutDownIsRefusedWithTheReason() {
        Domain d = platform.createDomain("g");
        Vm vm = Vm.of(platform, d);
        AtomicReference<Throwable> err = new AtomicReference<>();
        kernel.spawn("g/vcpu0", () -> {
            vm.shutdown(ShutdownReason.CRASH);
            try {
                vm.shutdown(ShutdownReason.REBOOT);
            } catch (IllegalStateException e) {
                err.set(e);
            }
        });
        kernel.runUntilIdle(Duration.ofSeconds(1));
        assertThat(err.get()).hasMessageContaining("already shut down (crash)");
    }
}
