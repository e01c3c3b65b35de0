package org.xenpv.xenbus.suspend;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.devicemodel.PlatformUnplugDevice;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.DomainImage;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenbus.sync.ProcessorSync;
import org.xenpv.xenbus.unplug.Unplug;
import org.xenpv.xenbus.unplug.UnplugType;

/** SUSPEND against the platform's SCHEDOP_shutdown, resume and save/restore (no store involved). */
class SuspendTest {

    private final Kernel kernel = Kernel.deterministic(21);
    private final Platform platform = new Platform(kernel);
    private final Domain domain = platform.createDomain(DomainConfig.guest("g").withVcpus(2));
    private final Vm vm = Vm.of(platform, domain);
    private final ProcessorSync sync = new ProcessorSync(vm);
    private final PlatformUnplugDevice device = new PlatformUnplugDevice();
    private final Unplug unplug = new Unplug(device, 9, 1, 0, false);
    private final Suspend suspend = new Suspend(vm, sync, unplug);
    private final List<String> ran = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<SuspendOutcome> outcome = new AtomicReference<>();

    @AfterEach
    void close() {
        kernel.close();
    }

    private void register() {
        suspend.register(SuspendCallbackType.LATE, "l1", () -> ran.add("l1 d" + vm.domid() + " " + sync.state()));
        suspend.register(SuspendCallbackType.EARLY, "e1", () -> ran.add("e1 d" + vm.domid() + " " + sync.state()
                + " unplug runs " + unplug.runs()));
        suspend.register(SuspendCallbackType.EARLY, "e2", () -> ran.add("e2"));
        suspend.register(SuspendCallbackType.LATE, "l2", () -> ran.add("l2"));
    }

    private void triggerOnVcpu0() {
        kernel.spawn("d" + domain.domid() + "/vcpu0", () -> outcome.set(suspend.trigger()));
        kernel.runUntil(vm::suspended, Duration.ofSeconds(1));
        assertThat(sync.state()).isEqualTo(ProcessorSync.State.INTERRUPTS_DISABLED);
    }

    @Test
    void cancelledRunsNothingAndLeavesTheCount() {
        unplug.request(UnplugType.NICS, true);
        unplug.boot(t -> true, false);
        register();
        triggerOnVcpu0();
        platform.resumeDomain(domain.domid(), true);
        kernel.runUntil(() -> outcome.get() != null, Duration.ofSeconds(1));
        assertThat(outcome.get().cancelled()).isTrue();
        assertThat(ran).isEmpty();
        assertThat(suspend.count()).isZero();
        assertThat(suspend.cancels()).isEqualTo(1);
        assertThat(unplug.runs()).isEqualTo(1);
        assertThat(sync.state()).isEqualTo(ProcessorSync.State.RUNNING);
    }

    @Test
    void restoreRunsEarlyThenLateInOrderInTheNewDomainAndCountsEveryVcpu() {
        unplug.request(UnplugType.DISKS, true);
        unplug.boot(t -> true, false);
        register();
        triggerOnVcpu0();
        DomainImage image = platform.saveDomain(domain.domid());
        platform.destroyDomain(domain.domid());
        Domain restored = platform.restoreDomain(image, image.config().withDomid(DomainConfig.AUTO_DOMID));
        platform.unpauseDomain(restored.domid());
        kernel.runUntil(() -> outcome.get() != null, Duration.ofSeconds(1));
        int d = restored.domid();
        assertThat(ran).containsExactly("e1 d" + d + " INTERRUPTS_DISABLED unplug runs 2", "e2",
                "l1 d" + d + " CAPTURED", "l2");
        assertThat(outcome.get()).isEqualTo(new SuspendOutcome(0, domain.domid(), d, 2));
        assertThat(outcome.get().moved()).isTrue();
        assertThat(suspend.count()).isEqualTo(2);
        assertThat(sync.state()).isEqualTo(ProcessorSync.State.RUNNING);
    }

    @Test
    void deregisteredCallbacksDoNotRun() {
        SuspendCallback gone = suspend.register(SuspendCallbackType.EARLY, "gone", () -> ran.add("gone"));
        suspend.register(SuspendCallbackType.EARLY, "kept", () -> ran.add("kept"));
        suspend.deregister(gone);
        assertThat(suspend.callbacks(SuspendCallbackType.EARLY)).extracting(SuspendCallback::name).containsExactly("kept");
        triggerOnVcpu0();
        platform.resumeDomain(domain.domid(), false); // non-cooperative: 0 in the same domain
        kernel.runUntil(() -> outcome.get() != null, Duration.ofSeconds(1));
        assertThat(outcome.get().rc()).isZero();
        assertThat(outcome.get().moved()).isFalse();
        assertThat(ran).containsExactly("kept");
    }
}
