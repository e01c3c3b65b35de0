package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.log.Event;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.ShutdownReason;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.xenbus.balloon.BalloonMover;
import org.xenpv.xenbus.fdo.XenbusFdo;

/**
 * The XENBUS FDO's store keys, watches, suspend thread and balloon/suspend exclusion
 * (windows-pv-drivers.md §1.5 "Trigger", §1.8; checklist §8 XENBUS-8 and the exclusion of §1.8) on a
 * toolstack-built guest served by the simulated xenstored, across save/restore into a new domid.
 */
@Seeds(count = 20)
@KernelOptions(preemption = 0.3)
@Tag("xenbus")
@Tag("fdo")
class XenbusFdoConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.8 / §8";
    private static final String SUSPEND_REF = "windows-pv-drivers.md §1.5 / §8";
    private static final String VALUE = "Xen_Project XENBUS 9.1.0.0 ";

    private static List<String> observed(XenbusBoot b, String relative) {
        return b.observed(relative);
    }

    private static String lastObservedBefore(XenbusBoot b, String relative, int before) {
        return b.lastObservedBefore(relative, before);
    }

    @XenpvTest
    @Checks(id = "XENBUS-8", ref = SUSPEND_REF)
    @DisplayName("control/shutdown=suspend is acknowledged by writing \"\" before SCHEDOP_shutdown(SHUTDOWN_suspend) (store write order vs the hypercall in the event log)" + " (" + SUSPEND_REF + ")")
    void shutdownClearedBeforeTheHypercall(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            b.observe("control/shutdown");
            int domid = b.domid();
            b.toolstack.suspend(domid, XenbusBoot.T);
            int shutdown = b.indexOf(new Event.DomainShutdown(domid, "suspend"), 0);
            assertThat(shutdown).isPositive();
            assertThat(lastObservedBefore(b, "control/shutdown", shutdown)).as("the guest's write came first").isEmpty();
            assertThat(observed(b, "control/shutdown")).containsSubsequence("suspend", "");
            assertThat(b.node("control/shutdown")).contains("");
            b.toolstack.resume(domid);
            kernel.runUntil(() -> b.fdo.suspends().size() == 1, XenbusBoot.T);
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-8", ref = SUSPEND_REF)
    @DisplayName("control/shutdown values other than suspend (poweroff, reboot) are not XENBUS's to act on: no shutdown, the value stays for xenagent" + " (" + SUSPEND_REF + ")")
    void otherShutdownValuesAreLeftAlone(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            for (ShutdownReason r : new ShutdownReason[] {ShutdownReason.POWEROFF, ShutdownReason.REBOOT}) {
                long wakes = b.fdo.suspend().triggers();
                b.toolstack.requestShutdown(b.domid(), r);
                b.settle();
                assertThat(platform.domain(b.domid()).isShutdown()).isFalse();
                assertThat(b.node("control/shutdown")).contains(r.controlValue());
                assertThat(b.fdo.suspend().triggers()).isEqualTo(wakes);
            }
            b.dom0Write("control/shutdown", "");
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-8", ref = REF)
    @DisplayName("Boot publishes drivers/<first free N> = \"<Vendor> XENBUS a.b.c.d \" (non-alphanumerics as _, trailing space in a free build), control/feature-suspend=1 and the three watches" + " (" + REF + ")")
    void bootPublishes(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.create(kernel, platform, DomainConfig.guest("pub"), XenbusFdo.Options.DEFAULT,
                null)) {
            b.dom0Write("drivers/0", "Citrix XENVIF 9.0.0.1 ");
            b.dom0Write("drivers/1", "Xen_Project XENVBD 9.1.0.0 ");
            b.start();
            assertThat(b.fdo.distributionIndex()).isEqualTo(2);
            assertThat(b.node("drivers/2")).contains(VALUE);
            assertThat(b.node("control/feature-suspend")).contains("1");
            assertThat(b.fdo.watches()).extracting(w -> w.path()).containsExactly("device", "control/shutdown",
                    "memory/target");
            int watches = b.xenstored.call(s -> s.domainUsage(b.domid()).orElseThrow().watches());
            assertThat(watches).isEqualTo(3);
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-8", ref = REF)
    @DisplayName("A checked build writes \"(DEBUG)\"; D3 removes only this vendor's XENBUS entries (the vendor compared over its own length)" + " (" + REF + ")")
    void debugBuildAndClearDistribution(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.create(kernel, platform, DomainConfig.guest("dbg"),
                XenbusFdo.Options.DEFAULT.withDebugBuild(true), null)) {
            b.dom0Write("drivers/0", "Xen_Project XENVIF 9.1.0.0 ");
            b.dom0Write("drivers/1", "Xen_ProjectX xenbus 1.0.0.0 ");
            b.start();
            assertThat(b.node("drivers/2")).contains("Xen_Project XENBUS 9.1.0.0 (DEBUG)");
            b.run("stop", b.fdo::stop);
            assertThat(b.node("drivers/0")).as("another product").contains("Xen_Project XENVIF 9.1.0.0 ");
            assertThat(b.node("drivers/1")).as("vendor prefix match, product case-insensitive: removed").isEmpty();
            assertThat(b.node("drivers/2")).isEmpty();
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-8", ref = REF)
    @DisplayName("After a restore control/feature-suspend, control/feature-balloon, drivers/N and the three watches are published again in the new domain's directory; its suspend, device and VIRQ_DEBUG paths work there" + " (" + REF + ")")
    void republishedAfterRestore(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform, DomainConfig.guest("rp"), XenbusFdo.Options.DEFAULT, null,
                true)) {
            int old = b.domid();
            assertThat(b.node("control/feature-balloon")).contains("1");
            GuestDomain n = b.migrate();
            assertThat(b.node(n.domid(), "drivers/0")).contains(VALUE);
            assertThat(b.node(n.domid(), "control/feature-suspend")).contains("1");
            assertThat(b.node(n.domid(), "control/feature-balloon")).contains("1");
            assertThat(b.fdo.distributionIndex()).isZero();
            int watches = b.xenstored.call(s -> s.domainUsage(n.domid()).orElseThrow().watches());
            assertThat(watches).isEqualTo(3);
            assertThat(b.fdo.debugVirqs()).isZero();
            platform.domain(n.domid()).evtchn().raiseVirq(Virq.DEBUG, 0);
            kernel.runUntil(() -> b.fdo.debugVirqs() == 1, XenbusBoot.T);

            b.toolstack.addDevice(n.domid(), "vif", 0, 0, Map.of("mac", "00:16:3e:00:00:01"));
            kernel.runUntil(() -> b.fdo.classes().contains("VIF"), XenbusBoot.T);
            GuestDomain third = b.migrate();
            assertThat(third.domid()).isNotIn(old, n.domid());
            assertThat(b.node(third.domid(), "drivers/0")).contains(VALUE);
            assertThat(b.node(third.domid(), "control/feature-suspend")).contains("1");
            assertThat(b.fdo.suspend().count()).isEqualTo(2);
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-8", ref = REF)
    @DisplayName("Quirk under libxl's permissions: control/feature-balloon is refused (EACCES) from the start, and control/feature-suspend is lost at the first resume (D0-to-D3 removes libxl's node, re-creating it in the read-only control/ is refused); the driver ignores both" + " (" + REF + ")")
    void libxlPermissionsLoseTheFeatureKeys(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            assertThat(b.node("control/feature-suspend")).contains("1");
            assertThat(b.node("control/feature-balloon")).as("control/ is n0 r<domid> under libxl").isEmpty();
            long ignored = b.fdo.ignoredStoreErrors();
            assertThat(ignored).isPositive();
            GuestDomain n = b.migrate();
            assertThat(b.node(n.domid(), "control/feature-suspend")).isEmpty();
            assertThat(b.node(n.domid(), "control/feature-balloon")).isEmpty();
            assertThat(b.node(n.domid(), "drivers/0")).as("drivers/ stays the guest's").contains(VALUE);
            assertThat(b.fdo.ignoredStoreErrors()).isGreaterThan(ignored);
            // The suspend watch works without the feature key: a second migration goes through.
            GuestDomain third = b.migrate();
            assertThat(b.fdo.suspends()).hasSize(2).allMatch(o -> o.rc() == 0);
            assertThat(third.domid()).isNotEqualTo(n.domid());
        }
    }

    /** Moves the balloon in {@code seconds} of kernel time per call. */
    private static BalloonMover slow(Kernel kernel, long seconds) {
        return (current, target) -> {
            kernel.sleep(Duration.ofSeconds(seconds));
            return target;
        };
    }

    @XenpvTest
    @Checks(id = "XENBUS-8", ref = SUSPEND_REF)
    @Checks(id = "XENBUS-10", ref = REF)
    @DisplayName("Balloon and suspend exclude each other: a suspend request while the balloon moves is skipped, control/shutdown stays 'suspend', and the suspend happens once balloon-active is back to 0" + " (" + SUSPEND_REF + ")")
    void balloonBusySkipsTheSuspend(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform, DomainConfig.guest("bal"), XenbusFdo.Options.DEFAULT,
                slow(kernel, 20), true)) {
            b.observe("control/balloon-active");
            int domid = b.domid();
            long staticMax = Long.parseLong(b.node("memory/static-max").orElseThrow());
            long videoram = Long.parseLong(b.node("memory/videoram").orElseThrow());
            b.dom0Write("memory/target", Long.toString(staticMax / 2));
            kernel.runUntil(b.fdo::balloonActive, XenbusBoot.T);
            b.toolstack.requestShutdown(domid, ShutdownReason.SUSPEND);
            kernel.runUntil(() -> b.fdo.suspendsSkipped() >= 1, XenbusBoot.T);
            assertThat(platform.domain(domid).isShutdown()).isFalse();
            assertThat(b.node("control/shutdown")).as("not acknowledged while skipped").contains("suspend");

            assertThat(b.toolstack.awaitShutdown(domid, XenbusBoot.T)).contains(ShutdownReason.SUSPEND);
            int shutdown = b.indexOf(new Event.DomainShutdown(domid, "suspend"), 0);
            assertThat(lastObservedBefore(b, "control/balloon-active", shutdown)).isEqualTo("0");
            assertThat(observed(b, "control/balloon-active")).containsSubsequence("1", "0");
            long cap = (staticMax - videoram) / 4;
            assertThat(b.fdo.balloonSize()).isEqualTo(cap - Math.min(staticMax / 2 / 4, cap));
            b.toolstack.resume(domid);
            kernel.runUntil(() -> b.fdo.suspends().size() == 1, XenbusBoot.T);
            // Deflate again so the FDO may stop.
            b.dom0Write("memory/target", Long.toString(staticMax));
            kernel.runUntil(() -> b.fdo.balloonSize() == 0 && !b.fdo.balloonActive(), XenbusBoot.T);
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-10", ref = REF)
    @DisplayName("A balloon move that falls short keeps control/balloon-active=1 and the mutex (a suspend is skipped) and is retried a second later; 0 only when the size is reached" + " (" + REF + ")")
    void shortBalloonMoveRetries(Kernel kernel, Platform platform) {
        List<Long> calls = Collections.synchronizedList(new ArrayList<>());
        BalloonMover halfway = (current, target) -> {
            calls.add(kernel.nanoTime());
            return calls.size() == 1 ? current + (target - current) / 2 : target;
        };
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform, DomainConfig.guest("short"), XenbusFdo.Options.DEFAULT,
                halfway, true)) {
            b.observe("control/balloon-active");
            b.settle(); // the start-up wake-ups consumed: the target write is the only event from here
            long staticMax = Long.parseLong(b.node("memory/static-max").orElseThrow());
            b.dom0Write("memory/target", Long.toString(staticMax / 4));
            kernel.runUntil(() -> calls.size() == 1, XenbusBoot.T);
            b.toolstack.requestShutdown(b.domid(), ShutdownReason.SUSPEND);
            kernel.runUntil(() -> b.fdo.suspendsSkipped() >= 1 || calls.size() == 2, XenbusBoot.T);
            kernel.runUntil(() -> calls.size() == 2 && !b.fdo.balloonActive(), XenbusBoot.T);
            assertThat(calls.get(1) - calls.get(0)).as("retried after the 1 s period")
                    .isGreaterThanOrEqualTo(XenbusFdo.BALLOON_RETRY_PERIOD.toNanos());
            List<String> seen = observed(b, "control/balloon-active");
            assertThat(seen.subList(seen.indexOf("1"), seen.size())).as("one bracket around both moves")
                    .containsExactly("1", "0");
            assertThat(b.fdo.suspendsSkipped()).as("the suspend request met the retrying balloon").isPositive();
            // The skipped suspend is looked at again when the balloon lets go.
            assertThat(b.toolstack.awaitShutdown(b.domid(), XenbusBoot.T)).contains(ShutdownReason.SUSPEND);
            int shutdown = b.indexOf(new Event.DomainShutdown(b.domid(), "suspend"), 0);
            assertThat(lastObservedBefore(b, "control/balloon-active", shutdown)).isEqualTo("0");
            b.toolstack.resume(b.domid());
            kernel.runUntil(() -> b.fdo.suspends().size() == 1, XenbusBoot.T);
            b.dom0Write("memory/target", Long.toString(staticMax));
            kernel.runUntil(() -> b.fdo.balloonSize() == 0 && !b.fdo.balloonActive(), XenbusBoot.T);
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-8", ref = REF)
    @DisplayName("Stop is vetoed while the balloon is inflated" + " (" + REF + ")")
    void stopVetoedWhileInflated(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            long staticMax = Long.parseLong(b.node("memory/static-max").orElseThrow());
            b.dom0Write("memory/target", Long.toString(staticMax / 2));
            kernel.runUntil(() -> b.fdo.balloonSize() > 0 && !b.fdo.balloonActive(), XenbusBoot.T);
            assertThatThrownBy(() -> b.run("stop", b.fdo::stop)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("vetoed").hasMessageContaining(b.fdo.balloonSize() + " pages");
            assertThat(b.fdo.d0()).isTrue();
            b.dom0Write("memory/target", Long.toString(staticMax));
            kernel.runUntil(() -> b.fdo.balloonSize() == 0 && !b.fdo.balloonActive(), XenbusBoot.T);
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-8", ref = REF)
    @DisplayName("D3 after a migration removes drivers/N and the feature keys and every watch, closes the FDO's channels: no leak but the toolstack's plumbing" + " (" + REF + ")")
    void d3LeavesNothingBehind(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform, DomainConfig.guest("d3"), XenbusFdo.Options.DEFAULT, null,
                true)) {
            GuestDomain n = b.migrate();
            b.settle();
            b.run("stop", b.fdo::stop);
            assertThat(b.fdo.d0()).isFalse();
            assertThat(b.node(n.domid(), "drivers/0")).isEmpty();
            assertThat(b.node(n.domid(), "control/feature-suspend")).isEmpty();
            assertThat(b.node(n.domid(), "control/feature-balloon")).isEmpty();
            int watches = b.xenstored.call(s -> s.domainUsage(n.domid()).orElseThrow().watches());
            assertThat(watches).isZero();
            assertThat(b.fdo.suspend().callbacks(org.xenpv.xenbus.suspend.SuspendCallbackType.EARLY)).isEmpty();
            assertThat(b.fdo.suspend().callbacks(org.xenpv.xenbus.suspend.SuspendCallbackType.LATE)).isEmpty();
            assertThat(b.leaks()).isEmpty();
            b.toolstack.destroy(n.domid());
            assertThat(b.leaks()).isEmpty();
        }
    }
}
