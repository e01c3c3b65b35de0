package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.console.ConsoleBackend;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.xenbus.console.Console;
import org.xenpv.xenbus.debug.Debug;
import org.xenpv.xenbus.debug.DebugCallback;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.fdo.XenbusFdo;
import org.xenpv.xenbus.iface.InterfaceNotSupportedException;
import org.xenpv.xenbus.iface.InterfaceReference;
import org.xenpv.xenbus.iface.InterfaceSpec;
import org.xenpv.xenbus.iface.PdoRevision;
import org.xenpv.xenbus.iface.XenbusInterfaces;
import org.xenpv.xenbus.log.LogLevel;
import org.xenpv.xenbus.sharedinfo.SharedInfoTime;
import org.xenpv.xenbus.sharedinfo.XenTime;
import org.xenpv.xenbus.store.StoreClient;
import org.xenpv.xenbus.suspend.Suspend;

/**
 * The services the XENBUS FDO owns besides EVTCHN/GNTTAB/STORE: SHARED_INFO time, DEBUG on
 * {@code VIRQ_DEBUG}, the PV CONSOLE with its log disposition, and the interface registry its children
 * query (windows-pv-drivers.md §1.1 "Time", §1.5, §1.7 "Versioning", §1.8 "Debug", "Logging"), on a
 * toolstack-built guest served by the simulated xenstored and moved to a new domid by
 * {@code Toolstack.migrate}.
 */
@Seeds(count = 20)
@KernelOptions(preemption = 0.3)
@Tag("xenbus")
@Tag("fdo")
class XenbusFdoServicesConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.5 / §1.8";
    private static final String IFACE_REF = "windows-pv-drivers.md §1.7";

    private static XenbusBoot boot(Kernel kernel, Platform platform, XenbusFdo.Options options) {
        return XenbusBoot.boot(kernel, platform, DomainConfig.guest("svc"), options, null);
    }

    /** {@code text} written to the console by a guest actor, retried while the ring is full. */
    private static void guestWrite(XenbusBoot b, String text) {
        byte[] all = text.getBytes(StandardCharsets.ISO_8859_1);
        b.run("xencons", () -> {
            int off = 0;
            while (off < all.length) {
                int n = b.fdo.console().write(all, off, all.length - off);
                if (n == 0) {
                    b.kernel.yieldNow();
                }
                off += n;
            }
        });
    }

    @XenpvTest
    @Checks(id = "XENBUS-CONSOLE-1", ref = REF)
    @DisplayName("After a migration to a new domid CONSOLE writes and the ConsoleLog disposition reach a xenconsoled serving the new domain: same ring gfn, the FIXED channel re-opened on the new HVM_PARAM_CONSOLE_EVTCHN" + " (" + REF + ")")
    void consoleCarriesOutputAfterMigration(Kernel kernel, Platform platform) {
        XenbusFdo.Options options = XenbusFdo.Options.DEFAULT.withConsoleLogLevel(LogLevel.mask(LogLevel.INFO));
        try (XenbusBoot b = boot(kernel, platform, options)) {
            assertThat(b.fdo.consoleAcquired()).isTrue();
            assertThat(b.fdo.consoleLog().attached()).as("ConsoleLogLevel INFO").isTrue();
            int old = b.domid();
            long gfn = b.fdo.console().ringGfn();
            assertThat(gfn).isEqualTo(b.guest().consoleGfn());
            ConsoleBackend first = ConsoleBackend.of(platform, b.guest());
            guestWrite(b, "before migration\r\n");
            kernel.runUntil(() -> first.output().contains("before migration\r\n"), XenbusBoot.T);
            first.close();

            GuestDomain n = b.migrate();
            assertThat(n.domid()).isNotEqualTo(old);
            Domain nd = platform.domain(n.domid());
            assertThat(b.fdo.console().ringGfn()).as("grant entry 0 names the same page").isEqualTo(gfn);
            assertThat(b.fdo.console().enabled()).isTrue();
            assertThat((long) b.fdo.console().port()).as("the FIXED channel follows the param")
                    .isEqualTo(nd.hvmParam(HvmParam.CONSOLE_EVTCHN));
            assertThat(nd.evtchn().status(b.fdo.console().port()))
                    .isEqualTo(new EvtchnStatus.Interdomain(0, 0, n.dom0ConsolePort()));
            assertThat(b.fdo.consoleLog().attached()).as("detached and attached again by the LATE callback").isTrue();

            ConsoleBackend second = ConsoleBackend.of(platform, n);
            guestWrite(b, "after migration to d" + n.domid() + "\r\n");
            // Logged off the simulation: queued, written by the flush actor, \n turned into \r\n.
            b.fdo.log().log(LogLevel.INFO, "log line in d" + n.domid() + "\n");
            kernel.runUntil(() -> second.output().contains("log line in d" + n.domid() + "\r\n"), XenbusBoot.T);
            assertThat(second.output()).contains("after migration to d" + n.domid() + "\r\n")
                    .doesNotContain("before migration");
            assertThat(second.broken()).isEmpty();
            assertThat(b.fdo.console().faults()).isZero();
            second.close();
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-DEBUG-1", ref = REF)
    @DisplayName("xl debug-keys q runs the registered DEBUG callbacks before and after a migration: VIRQ_DEBUG is DEBUG's, bound again on vCPU 0 of the new domain, and its printf lines reach the console log" + " (" + REF + ")")
    void debugKeysAfterMigration(Kernel kernel, Platform platform) {
        XenbusFdo.Options options = XenbusFdo.Options.DEFAULT.withConsoleLogLevel(LogLevel.mask(LogLevel.INFO));
        try (XenbusBoot b = boot(kernel, platform, options)) {
            Debug debug = b.fdo.debug();
            List<String> lines = new CopyOnWriteArrayList<>();
            b.fdo.log().addDisposition(LogLevel.mask(LogLevel.INFO), (level, text) -> lines.add(text));
            AtomicInteger dumps = new AtomicInteger();
            DebugCallback cb = debug.register("XENVIF|TEST", crashing -> {
                debug.printf("running in d%d\n", b.vm.domid());
                dumps.incrementAndGet();
            });
            assertThat(debug.prefixes()).containsExactly(Console.DEBUG_PREFIX, "XENVIF|TEST");
            int old = b.domid();
            assertThat(platform.debugKeys("q")).isPositive();
            kernel.runUntil(() -> dumps.get() == 1, XenbusBoot.T);
            assertThat(lines).contains("XENVIF|TEST: running in d" + old + "\n");

            GuestDomain n = b.migrate();
            ConsoleBackend console = ConsoleBackend.of(platform, n);
            Domain nd = platform.domain(n.domid());
            int port = debug.virqPort();
            assertThat(port).isPositive();
            assertThat(nd.evtchn().status(port)).isEqualTo(new EvtchnStatus.Virq(0, Virq.DEBUG));
            long virqs = b.fdo.debugVirqs();
            assertThat(platform.debugKeys("q")).isPositive();
            kernel.runUntil(() -> dumps.get() == 2, XenbusBoot.T);
            assertThat(b.fdo.debugVirqs()).isEqualTo(virqs + 1);
            assertThat(lines).contains("XENVIF|TEST: running in d" + n.domid() + "\n");
            assertThat(lines).filteredOn(l -> l.startsWith("XEN|DEBUG: ====> (XENVIF|TEST)")).hasSize(2);
            kernel.runUntil(() -> console.output().contains("XENVIF|TEST: running in d" + n.domid() + "\r\n"),
                    XenbusBoot.T);
            debug.deregister(cb);
            console.close();
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-TIME-1", ref = REF)
    @DisplayName("SHARED_INFO GetTime reads the new domain's shared_info after a migration: the page mapped again at the same gfn by the EARLY callback, its wallclock and system time used" + " (" + REF + ")")
    void timeReadsAfterMigration(Kernel kernel, Platform platform) {
        try (XenbusBoot b = boot(kernel, platform, XenbusFdo.Options.DEFAULT)) {
            SharedInfoTime time = b.fdo.sharedInfo();
            long gfn = time.gfn();
            assertThat(gfn).isPositive();
            platform.domain(b.domid()).sharedInfo().setWallclock(1_700_000_000L, 5_000);
            AtomicReference<XenTime> before = new AtomicReference<>();
            b.run("gettime", () -> before.set(time.getTime()));
            assertThat(before.get().reading().wcSec()).isEqualTo(1_700_000_000L);

            GuestDomain n = b.migrate();
            Domain nd = platform.domain(n.domid());
            assertThat(time.gfn()).isEqualTo(gfn);
            assertThat(nd.memory().page(gfn)).as("the new domain's shared_info is at the gfn").isSameAs(nd.sharedInfo().page());
            // Only the new domain's page carries this wallclock: a read of a stale page could not see it.
            nd.sharedInfo().setWallclock(1_800_000_000L, 700);
            nd.updateTime();
            AtomicReference<XenTime> after = new AtomicReference<>();
            b.run("gettime", () -> after.set(time.getTime()));
            XenTime t = after.get();
            assertThat(t.reading().wcSec()).isEqualTo(1_800_000_000L);
            assertThat(t.reading().wcNsec()).isEqualTo(700);
            assertThat(t.local()).as("RealTimeIsUniversal absent").isTrue();
            long seconds = 1_800_000_000L + SharedInfoTime.WINDOWS_EPOCH_OFFSET_SECONDS;
            long system = t.reading().systemTime();
            assertThat(t.windowsTime()).as("wallclock + system time, 100 ns units")
                    .isGreaterThanOrEqualTo(seconds * XenTime.TICKS_PER_SECOND + (700 + system) / 100);
            assertThat(time.acquired()).isTrue();
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-IFACE-1", ref = IFACE_REF)
    @DisplayName("The FDO publishes SUSPEND, SHARED_INFO, EVTCHN, DEBUG, STORE, GNTTAB, UNPLUG and CONSOLE with their version ranges; a query outside a range or for RANGE_SET/CACHE/EMULATED is STATUS_NOT_SUPPORTED; every revision.h row queries; the providers work after a migration" + " (" + IFACE_REF + ")")
    void interfacesQueryByVersionRange(Kernel kernel, Platform platform) {
        try (XenbusBoot b = boot(kernel, platform, XenbusFdo.Options.DEFAULT)) {
            var reg = b.fdo.interfaces();
            assertThat(reg.published()).extracting(InterfaceSpec::name).containsExactly("SUSPEND", "SHARED_INFO",
                    "EVTCHN", "DEBUG", "STORE", "GNTTAB", "UNPLUG", "CONSOLE");
            for (InterfaceSpec spec : reg.published()) {
                for (int v : new int[] {spec.versionMin(), spec.versionMax()}) {
                    InterfaceReference<Object> r = reg.query(spec.name(), v, Object.class, "XENVIF");
                    r.acquire();
                    assertThat(r.get()).isNotNull();
                    r.release();
                }
                assertThatThrownBy(() -> reg.query(spec.name(), spec.versionMax() + 1, Object.class, "XENVIF"))
                        .isInstanceOf(InterfaceNotSupportedException.class)
                        .hasMessageContaining(spec.name()).hasMessageContaining(spec.range());
                assertThatThrownBy(() -> reg.query(spec.name(), spec.versionMin() - 1, Object.class, "XENVIF"))
                        .isInstanceOf(InterfaceNotSupportedException.class);
            }
            for (InterfaceSpec missing : List.of(XenbusInterfaces.RANGE_SET, XenbusInterfaces.CACHE,
                    XenbusInterfaces.EMULATED)) {
                assertThatThrownBy(() -> reg.query(missing, missing.versionMax(), Object.class, "XENVBD"))
                        .isInstanceOf(InterfaceNotSupportedException.class).hasMessageContaining("no interface " + missing.name());
            }
            for (PdoRevision rev : PdoRevision.TABLE) {
                for (InterfaceSpec spec : reg.published()) {
                    assertThat(reg.query(rev, spec, Object.class, "REV_" + rev.hex()).version())
                            .isEqualTo(rev.versionOf(spec));
                }
            }
            InterfaceReference<EvtchnClient> evtchn = reg.query("EVTCHN", 9, EvtchnClient.class, "XENVIF");
            InterfaceReference<StoreClient> store = reg.query(XenbusInterfaces.STORE, 2, StoreClient.class, "XENVIF");
            InterfaceReference<Debug> debug = reg.query(PdoRevision.newest(), XenbusInterfaces.DEBUG, Debug.class, "XENVIF");
            InterfaceReference<Suspend> suspend = reg.query("SUSPEND", 1, Suspend.class, "XENVIF");
            for (InterfaceReference<?> r : List.of(evtchn, store, debug, suspend)) {
                r.acquire();
            }
            assertThat(evtchn.get()).isSameAs(b.fdo.evtchn());
            assertThat(debug.get()).isSameAs(b.fdo.debug());
            assertThat(suspend.get()).isSameAs(b.fdo.suspend());

            GuestDomain n = b.migrate();
            assertThat(reg.references("EVTCHN")).as("references survive the migration").isEqualTo(1);
            AtomicReference<String> name = new AtomicReference<>();
            b.run("child", () -> name.set(store.get().read(null, null, "name")));
            assertThat(name.get()).as("STORE through the reference, in d" + n.domid()).isEqualTo("svc");
            for (InterfaceReference<?> r : List.of(evtchn, store, debug, suspend)) {
                r.release();
            }
            reg.checkNoLeaks();
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-IFACE-2", ref = IFACE_REF)
    @DisplayName("Stop is vetoed while a child still holds an interface (the holder named); once released, stop withdraws every interface and leaves no leak" + " (" + IFACE_REF + ")")
    void stopFailsTheLeakCheckWhileAChildHoldsAnInterface(Kernel kernel, Platform platform) {
        try (XenbusBoot b = boot(kernel, platform, XenbusFdo.Options.DEFAULT)) {
            InterfaceReference<Console> console = b.fdo.interfaces().query("CONSOLE", 1, Console.class, "XENCONS");
            console.acquire();
            assertThatThrownBy(() -> b.run("stop", b.fdo::stop)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("vetoed").hasMessageContaining("CONSOLE v1 by XENCONS x1");
            assertThat(b.fdo.d0()).isTrue();
            console.release();
            b.run("stop", b.fdo::stop);
            assertThat(b.fdo.interfaces().published()).isEmpty();
            assertThat(b.fdo.debug().references()).isZero();
            assertThat(b.fdo.console().references()).isZero();
            assertThat(b.fdo.debug().virqPort()).isEqualTo(-1);
            assertThat(b.leaks()).isEmpty();
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-CONSOLE-3", ref = REF)
    @DisplayName("Without HVM_PARAM_CONSOLE_EVTCHN the FDO starts without CONSOLE: not published, no console log, no LATE callback for it" + " (" + REF + ")")
    void noConsoleParamNoConsole(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.create(kernel, platform, DomainConfig.guest("nocons"),
                XenbusFdo.Options.DEFAULT.withConsoleLogLevel(LogLevel.mask(LogLevel.INFO)), null)) {
            platform.domain(b.domid()).setHvmParam(HvmParam.CONSOLE_EVTCHN, 0);
            b.start();
            assertThat(b.fdo.consoleAcquired()).isFalse();
            assertThat(b.fdo.consoleLog().attached()).isFalse();
            assertThat(b.fdo.interfaces().published()).extracting(InterfaceSpec::name).doesNotContain("CONSOLE");
            assertThatThrownBy(() -> b.fdo.interfaces().query("CONSOLE", 1, Console.class, "XENCONS"))
                    .isInstanceOf(InterfaceNotSupportedException.class);
            assertThat(b.fdo.suspend().callbacks(org.xenpv.xenbus.suspend.SuspendCallbackType.LATE))
                    .extracting(org.xenpv.xenbus.suspend.SuspendCallback::name).doesNotContain("console");
        }
    }
}
