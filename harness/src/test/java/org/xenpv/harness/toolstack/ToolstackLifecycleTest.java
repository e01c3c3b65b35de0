package org.xenpv.harness.toolstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.ShutdownReason;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenstore.daemon.XenStore;

/**
 * The toolstack's shutdown, reboot, suspend/resume and save/restore against a minimal guest that
 * only acts on {@code control/shutdown} (the guest drivers' side is tested by the XENBUS suites).
 */
class ToolstackLifecycleTest {

    private static final Duration T = Duration.ofSeconds(60);

    private final Kernel kernel = Kernel.deterministic(11);
    private final Platform platform = new Platform(kernel);
    private final XenStore store = XenStore.builder().platform(new PlatformXsDomains(platform)).build();
    private final Toolstack ts = new Toolstack(platform, store, IntroduceHook.BIND_ONLY);

    @AfterEach
    void close() {
        ts.close();
        kernel.close();
    }

    /** A guest that polls control/shutdown every 100 ms, acknowledges by clearing it, and shuts down. */
    private AtomicInteger bootMinimalGuest(Vm vm, boolean acknowledge, boolean obey) {
        AtomicInteger suspendRc = new AtomicInteger(-1);
        kernel.spawn("guest-" + vm.domid() + "/vcpu0", () -> {
            while (true) {
                String node = "/local/domain/" + vm.domid() + "/control/shutdown";
                String v = store.node(node).map(n -> new String(n.data(), StandardCharsets.US_ASCII)).orElse("");
                if (!v.isEmpty()) {
                    if (acknowledge) {
                        ts.xs().write(node, "");
                    }
                    if (!obey) {
                        return;
                    }
                    ShutdownReason r = switch (v) {
                        case "suspend" -> ShutdownReason.SUSPEND;
                        case "reboot" -> ShutdownReason.REBOOT;
                        default -> ShutdownReason.POWEROFF;
                    };
                    int rc = vm.shutdown(r);
                    if (r != ShutdownReason.SUSPEND) {
                        return;
                    }
                    suspendRc.set(rc);
                }
                kernel.sleep(Duration.ofMillis(100));
            }
        });
        return suspendRc;
    }

    @Test
    void poweroffDestroysTheDomainAndItsDirectories() {
        GuestDomain g = ts.create("off");
        bootMinimalGuest(Vm.of(platform, platform.domain(g.domid())), true, true);
        assertThat(ts.shutdown(g.domid(), ShutdownReason.POWEROFF, T)).isEmpty();
        assertThat(platform.findDomain(g.domid())).isEmpty();
        assertThat(store.node(g.path())).isEmpty();
        assertThat(ts.guests()).isEmpty();
    }

    @Test
    void rebootCreatesTheDomainAgainWithItsDevicesUnderANewDomid() {
        GuestDomain g = ts.create("rb");
        ts.addDevice(g.domid(), "vif", 0, 0, Map.of("mac", "00:16:3e:00:00:01"));
        bootMinimalGuest(Vm.of(platform, platform.domain(g.domid())), true, true);
        GuestDomain again = ts.shutdown(g.domid(), ShutdownReason.REBOOT, T).orElseThrow();
        assertThat(again.domid()).isNotEqualTo(g.domid());
        assertThat(again.name()).isEqualTo("rb");
        assertThat(again.uuid()).isEqualTo(g.uuid());
        assertThat(ts.xs().read(Toolstack.backendPath(0, "vif", again.domid(), 0) + "/mac")).isEqualTo("00:16:3e:00:00:01");
        assertThat(ts.xs().read(Toolstack.frontendPath(again.domid(), "vif", 0) + "/backend"))
                .isEqualTo(Toolstack.backendPath(0, "vif", again.domid(), 0));
        assertThat(store.node(Toolstack.backendPath(0, "vif", g.domid(), 0))).isEmpty();
        assertThat(platform.domain(again.domid()).grantTable().entry(GrantTable.RESERVED_XENSTORE).frame())
                .isEqualTo(again.storeGfn());
    }

    @Test
    void suspendThenCooperativeResumeReturnsOneInTheSameDomain() {
        GuestDomain g = ts.create("s");
        Domain d = platform.domain(g.domid());
        AtomicInteger rc = bootMinimalGuest(Vm.of(platform, d), true, true);
        ts.suspend(g.domid(), T);
        assertThat(d.shutdownReason()).contains(ShutdownReason.SUSPEND);
        ts.resume(g.domid());
        kernel.runUntil(() -> rc.get() >= 0, T);
        assertThat(rc).hasValue(Vm.SUSPEND_CANCELLED);
        assertThat(d.isShutdown()).isFalse();
    }

    @Test
    void aGuestThatNeverAcknowledgesTimesOutAndTheRequestIsWithdrawn() {
        GuestDomain g = ts.create("deaf");
        assertThatThrownBy(() -> ts.suspend(g.domid(), Duration.ofSeconds(30)))
                .isInstanceOf(ToolstackException.class)
                .hasMessageContaining("d" + g.domid() + " did not suspend within 30 s")
                .hasMessageContaining("never acknowledged");
        assertThat(ts.xs().read(g.path() + "/control/shutdown")).isEmpty();
    }

    @Test
    void aGuestThatAcknowledgesButNeverShutsDownIsReportedAsSuch() {
        GuestDomain g = ts.create("stuck");
        bootMinimalGuest(Vm.of(platform, platform.domain(g.domid())), true, false);
        assertThatThrownBy(() -> ts.suspend(g.domid(), Duration.ofSeconds(30)))
                .hasMessageContaining("acknowledged, no SCHEDOP_shutdown");
    }

    @Test
    void migrateMovesRamAndDevicesToANewDomidAndTheGuestResumesWithZero() {
        GuestDomain g = ts.create("mig");
        ts.addDevice(g.domid(), "vbd", 768, 0, Map.of("sectors", "2048"));
        ts.xs().write(g.path() + "/memory/target", "524288");
        Domain d = platform.domain(g.domid());
        Vm vm = Vm.of(platform, d);
        d.memory().page(0x100).putLong(0, 0xfeedfacecafebeefL);
        d.memory().page(g.storeGfn()).putInt(0, 0x12345678); // a stale request byte in the store ring
        ts.xs().write(g.path() + "/data/guest-key", "guest wrote this");
        AtomicInteger rc = bootMinimalGuest(vm, true, true);

        GuestDomain n = ts.migrate(g.domid(), T);
        kernel.runUntil(() -> rc.get() >= 0, T);

        assertThat(rc).hasValue(Vm.SUSPEND_RESUMED);
        assertThat(n.domid()).isNotEqualTo(g.domid());
        assertThat(vm.domain().domid()).isEqualTo(n.domid());
        Domain nd = platform.domain(n.domid());
        assertThat(nd.memory().page(0x100).getLong(0)).isEqualTo(0xfeedfacecafebeefL);
        assertThat(nd.memory().page(n.storeGfn()).getInt(0)).as("store page cleared on restore").isZero();
        assertThat(nd.hvmParam(HvmParam.STORE_EVTCHN)).isEqualTo(n.storePort());
        assertThat(nd.grantTable().entry(GrantTable.RESERVED_CONSOLE).frame()).isEqualTo(n.consoleGfn());
        assertThat(n.uuid()).isEqualTo(g.uuid());
        assertThat(ts.xs().read(n.path() + "/memory/target")).isEqualTo("524288");
        assertThat(ts.xs().read(Toolstack.backendPath(0, "vbd", n.domid(), 768) + "/sectors")).isEqualTo("2048");
        assertThat(store.node(n.path() + "/data/guest-key")).as("guest-written keys are not carried").isEmpty();
        assertThat(platform.findDomain(g.domid())).isEmpty();
        assertThat(store.node(g.path())).isEmpty();
        assertThat(platform.leakReport().without(ts::owns).leaks()).isEmpty();
    }
}
