package org.xenpv.conformance.xenbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.evtchn.EvtchnAbi;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.KernelOptions;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvRun;
import org.xenpv.harness.junit.XenpvTest;
import org.xenpv.harness.toolstack.GuestDomain;
import org.xenpv.xenbus.fdo.XenbusFdo;
import org.xenpv.xenbus.store.StoreClient;
import org.xenpv.xenbus.store.StoreException;
import org.xenpv.xenbus.store.StoreStatus;
import org.xenpv.xenbus.store.StoreTransaction;
import org.xenpv.xenbus.store.StoreWatch;
import org.xenpv.xenbus.suspend.SuspendCallbackType;
import org.xenpv.xenbus.suspend.SuspendOutcome;
import org.xenpv.xenbus.sync.ProcessorSync;

/**
 * XENBUS's SUSPEND sequence (windows-pv-drivers.md §1.2 "Suspend", §1.3, §1.4 "Suspend", §1.5, §1.6;
 * checklist §8 XENBUS-7) on a toolstack-built guest whose store is served by the simulated xenstored:
 * cancelled suspends ({@code xc_domain_resume}, the hypercall returns 1) and save/restore into a new
 * domid (it returns 0 there), with the toolstack's {@code xl save}/{@code xl restore}.
 */
@Seeds(count = 20)
@KernelOptions(preemption = 0.3)
@Tag("xenbus")
@Tag("suspend")
class XenbusSuspendConformanceTest {

    private static final String REF = "windows-pv-drivers.md §1.5 / §8";

    /** Registers probes that record their name, the domid and the processors' state when they run. */
    private static List<String> probes(XenbusBoot b, String... names) {
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        for (String n : names) {
            SuspendCallbackType type = n.startsWith("early") ? SuspendCallbackType.EARLY : SuspendCallbackType.LATE;
            ProcessorSync sync = b.fdo.sync();
            b.fdo.suspend().register(type, n, () -> ran.add(n + "@d" + b.vm.domid() + (sync.interruptsEnabled() ? "" : " irq-off")
                    + (sync.captured() ? " captured" : "")));
        }
        return ran;
    }

    @XenpvTest
    @Checks(id = "XENBUS-7", ref = REF)
    @DisplayName("A cancelled suspend (SCHEDOP_shutdown returns 1) runs no callback, no unplug, leaves the count; store, channels and watches go on working" + " (" + REF + ")")
    void cancelledSuspendRunsNoCallbacks(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            List<String> ran = probes(b, "early-probe", "late-probe");
            int storePort = b.fdo.store().channel().localPort();
            int resets = b.fdo.evtchn().resets();
            List<StoreWatch> watches = b.fdo.watches();
            int unplugAccesses = b.unplugDevice.accesses().size();
            int domid = b.domid();

            SuspendOutcome o = b.cancelledSuspend();

            assertThat(o.rc()).isEqualTo(Vm.SUSPEND_CANCELLED);
            assertThat(o.cancelled()).isTrue();
            assertThat(o.toDomid()).isEqualTo(domid);
            assertThat(ran).as("no EARLY or LATE callback").isEmpty();
            assertThat(b.fdo.suspend().count()).isZero();
            assertThat(b.xenbusNotes()).noneMatch(n -> n.contains("SUSPEND: EARLY") || n.contains("SUSPEND: LATE"));
            assertThat(b.unplugDevice.accesses()).as("no unplug").hasSize(unplugAccesses);
            assertThat(b.fdo.evtchn().resets()).isEqualTo(resets);
            assertThat(b.fdo.store().channel().localPort()).isEqualTo(storePort);
            assertThat(b.fdo.sync().captured()).isFalse();
            assertThat(b.fdo.watches()).containsExactlyElementsOf(watches).allMatch(StoreWatch::active);
            b.run("after", () -> {
                b.fdo.store().write(null, "data", "after-cancel", "ok");
                assertThat(b.fdo.store().read(null, "data", "after-cancel")).isEqualTo("ok");
            });
            assertThat(b.node("data/after-cancel")).contains("ok");
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-7", ref = REF)
    @DisplayName("After a restore EARLY runs before LATE, each list in registration order (evtchn, shared_info, gnttab, store, then children; evtchn, store, console, fdo, then children), in the new domain" + " (" + REF + ")")
    void earlyThenLateInRegistrationOrder(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            int old = b.domid();
            List<String> ran = probes(b, "early-a", "late-a", "early-b", "late-b");
            int notesBefore = b.xenbusNotes().size();

            GuestDomain n = b.migrate();

            assertThat(n.domid()).isNotEqualTo(old);
            String d = "@d" + n.domid();
            assertThat(ran).containsExactly("early-a" + d + " irq-off captured", "early-b" + d + " irq-off captured",
                    "late-a" + d + " captured", "late-b" + d + " captured");
            List<String> seq = b.xenbusNotes().subList(notesBefore, b.xenbusNotes().size()).stream()
                    .filter(m -> (m.contains("SUSPEND: EARLY ") && !m.contains("EARLY (")) || m.contains("SUSPEND: LATE "))
                    .map(m -> m.substring(m.indexOf("SUSPEND: ") + 9)).toList();
            assertThat(seq).containsExactly("EARLY evtchn", "EARLY shared_info", "EARLY gnttab", "EARLY store",
                    "EARLY early-a", "EARLY early-b", "LATE evtchn", "LATE store", "LATE console", "LATE fdo",
                    "LATE late-a", "LATE late-b");
            SuspendOutcome o = b.fdo.suspends().getLast();
            assertThat(o.rc()).isEqualTo(Vm.SUSPEND_RESUMED);
            assertThat(o.fromDomid()).isEqualTo(old);
            assertThat(o.toDomid()).isEqualTo(n.domid());
            assertThat(b.fdo.sync().captured()).isFalse();
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-7", ref = REF)
    @DisplayName("After a restore the store's FIXED channel is re-opened on the new HVM_PARAM_STORE_EVTCHN (EvtchnReset re-bound it to xenstored's port) and the store works in the new domid" + " (" + REF + ")")
    void storeRebindsFromTheNewParam(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            int old = b.domid();
            GuestDomain n = b.migrate();
            var d = platform.domain(n.domid());
            int port = (int) d.hvmParam(HvmParam.STORE_EVTCHN);
            int daemonPort = b.xenstored.ringStatus(n.domid()).orElseThrow().localPort();
            assertThat(b.fdo.store().channel().localPort()).isEqualTo(port);
            assertThat(d.evtchn().status(port)).isEqualTo(new EvtchnStatus.Interdomain(0, 0, daemonPort));
            assertThat(b.fdo.evtchn().resets()).as("EvtchnReset in the LATE callback").isEqualTo(1);
            assertThat(d.evtchn().abi()).as("FIFO re-acquired in the new domain").isEqualTo(EvtchnAbi.FIFO);
            assertThat(d.evtchn().fifoControlGfn(0)).as("control block re-initialised in its old frame")
                    .isEqualTo(b.fdo.evtchn().controlBlockGfn(0));
            assertThat(d.memory().xenPages()).as("grant frame 0 re-added at its gfn")
                    .containsKey(b.fdo.gnttab().frameGfn(0));
            b.run("after", () -> b.fdo.store().write(null, "data", "where", "new"));
            assertThat(b.node(n.domid(), "data/where")).contains("new");
            assertThat(platform.findDomain(old)).isEmpty();
            assertThat(b.xenstored.servedDomains()).containsExactly(n.domid());
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-7", ref = REF)
    @DisplayName("A transaction open across the suspend is stale: its ops fail, its END returns RETRY without going on the wire, and re-running it works" + " (" + REF + ")")
    void staleTransactionRetriesWithoutTheWire(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            StoreClient store = b.fdo.store();
            AtomicReference<StoreTransaction> tx = new AtomicReference<>();
            b.run("tx-open", () -> {
                tx.set(store.transactionStart());
                store.write(tx.get(), "data", "t", "before");
            });
            b.migrate();
            b.settle();
            assertThat(tx.get().active()).isFalse();
            List<StoreStatus> failures = new ArrayList<>();
            int[] prod = new int[2];
            AtomicInteger attempts = new AtomicInteger();
            b.run("tx-after", () -> {
                try {
                    store.write(tx.get(), "data", "t", "after");
                } catch (StoreException e) {
                    failures.add(e.status());
                }
                prod[0] = store.ring().req().prod();
                try {
                    store.transactionEnd(tx.get(), true);
                } catch (StoreException e) {
                    failures.add(e.status());
                }
                prod[1] = store.ring().req().prod();
                store.transaction(StoreClient.VIF_ATTEMPTS, t -> {
                    attempts.incrementAndGet();
                    store.write(t, "data", "t", "rerun");
                    return null;
                });
            });
            assertThat(failures).containsExactly(StoreStatus.UNSUCCESSFUL, StoreStatus.RETRY);
            assertThat(prod[1]).as("END of a stale transaction puts nothing on the ring").isEqualTo(prod[0]);
            assertThat(attempts).hasValue(1);
            assertThat(b.node("data/t")).contains("rerun");
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-7", ref = REF)
    @DisplayName("Watches are stale after a restore: set once, never re-registered, their removal skips the wire; the owner's re-added watch fires" + " (" + REF + ")")
    void staleWatchesAndReAdd(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            StoreClient store = b.fdo.store();
            AtomicReference<StoreWatch> w = new AtomicReference<>();
            b.run("watch", () -> {
                w.set(store.watchAdd("data", "w"));
                w.get().await(XenbusBoot.T);
            });
            List<StoreWatch> fdoBefore = b.fdo.watches();
            long sets = w.get().sets();
            GuestDomain n = b.migrate();
            assertThat(w.get().active()).isFalse();
            assertThat(w.get().sets()).as("every watch's event is set once in LATE").isEqualTo(sets + 1);
            assertThat(fdoBefore).noneMatch(StoreWatch::active);
            assertThat(b.fdo.watches()).as("the FDO re-added its watches").hasSize(fdoBefore.size())
                    .allMatch(StoreWatch::active).doesNotContainAnyElementsOf(fdoBefore);
            int daemonWatches = b.xenstored.call(s -> s.domainUsage(n.domid()).orElseThrow().watches());
            assertThat(daemonWatches).as("only the FDO's new watches are registered").isEqualTo(fdoBefore.size());

            b.dom0Write("data/w", "1");
            b.settle();
            assertThat(w.get().sets()).as("a stale watch gets no event").isEqualTo(sets + 1);
            int[] prod = new int[2];
            AtomicReference<StoreWatch> again = new AtomicReference<>();
            b.run("re-add", () -> {
                prod[0] = store.ring().req().prod();
                store.watchRemove(w.get());
                prod[1] = store.ring().req().prod();
                again.set(store.watchAdd("data", "w"));
                again.get().await(XenbusBoot.T);
            });
            assertThat(prod[1]).as("UNWATCH of a stale watch skips the wire").isEqualTo(prod[0]);
            long s0 = again.get().sets();
            b.dom0Write("data/w", "2");
            kernel.runUntil(() -> again.get().sets() > s0, XenbusBoot.T);
            assertThat(again.get().active()).isTrue();
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-7", ref = REF)
    @Checks(id = "XENBUS-9", ref = "windows-pv-drivers.md §1.6 / §8")
    @DisplayName("Every resume that runs the callbacks unplugs again first (same port sequence as at boot, before the first EARLY callback); a cancelled one does not" + " (" + REF + ")")
    void unplugRerunOnResume(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            var bootSeq = b.unplugDevice.accesses();
            assertThat(bootSeq).isNotEmpty();
            int[] atProbe = {-1};
            b.fdo.suspend().register(SuspendCallbackType.EARLY, "probe", () -> atProbe[0] = b.unplugDevice.accesses().size());
            b.cancelledSuspend();
            assertThat(b.unplugDevice.accesses()).hasSize(bootSeq.size());
            int notesBefore = b.xenbusNotes().size();
            b.migrate();
            assertThat(atProbe[0]).as("unplugged when the EARLY callbacks run").isEqualTo(2 * bootSeq.size());
            assertThat(b.unplugDevice.accesses().subList(bootSeq.size(), 2 * bootSeq.size()))
                    .containsExactlyElementsOf(bootSeq);
            List<String> seq = b.xenbusNotes().subList(notesBefore, b.xenbusNotes().size()).stream()
                    .filter(m -> m.contains("SUSPEND: UnplugDevices") || m.contains("SUSPEND: EARLY "))
                    .map(m -> m.substring(m.indexOf("SUSPEND: ") + 9)).toList();
            assertThat(seq).as("per-vCPU EARLY, then CPU0 unplugs, then the callbacks")
                    .startsWith("EARLY (0)", "UnplugDevices: DONE", "EARLY evtchn");
            assertThat(b.unplug.runs()).isEqualTo(2);
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-7", ref = REF)
    @DisplayName("GetCount rises by the vCPU count on every resume, never on a cancelled one" + " (" + REF + ")")
    void countRisesByTheVcpuCount(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform, DomainConfig.guest("smp").withVcpus(3),
                XenbusFdo.Options.DEFAULT, null)) {
            assertThat(b.fdo.suspend().count()).isZero();
            b.migrate();
            assertThat(b.fdo.suspend().count()).isEqualTo(3);
            b.cancelledSuspend();
            assertThat(b.fdo.suspend().count()).isEqualTo(3);
            b.migrate();
            assertThat(b.fdo.suspend().count()).isEqualTo(6);
            assertThat(b.fdo.suspends()).extracting(SuspendOutcome::rc).containsExactly(0, 1, 0);
            assertThat(b.fdo.suspend().triggers()).isEqualTo(3);
        }
    }

    @XenpvTest
    @Checks(id = "XENBUS-7", ref = REF)
    @DisplayName("Store requests in flight are never split by a suspend: a driver writing in a loop through a migration sees every write succeed, the later ones in the new domain" + " (" + REF + ")")
    void storeRequestsNeverSpanTheSuspend(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            StoreClient store = b.fdo.store();
            int writes = 40;
            AtomicInteger done = new AtomicInteger();
            Actor writer = b.spawn("writer", () -> {
                for (int i = 0; i < writes; i++) {
                    store.write(null, "data", "k" + i, Integer.toString(i));
                    done.incrementAndGet();
                    kernel.sleep(java.time.Duration.ofMillis(50));
                }
            });
            kernel.runUntil(() -> done.get() >= 5, XenbusBoot.T);
            GuestDomain n = b.migrate();
            kernel.runUntil(writer::finished, XenbusBoot.T);
            assertThat(writer.failure()).isEmpty();
            assertThat(done).hasValue(writes);
            assertThat(b.node(n.domid(), "data/k" + (writes - 1))).contains(Integer.toString(writes - 1));
        }
    }

    @XenpvTest
    @Seeds(count = 5)
    @Checks(id = "XENBUS-7", ref = REF)
    @DisplayName("The same seed gives the same event log for boot, a cancelled suspend and a migration (the sequence replays)" + " (" + REF + ")")
    void sameSeedSameLog(XenpvRun run) {
        String[] logs = new String[2];
        for (int i = 0; i < 2; i++) {
            try (Kernel k = Kernel.deterministic(run.seed())) {
                Platform p = new Platform(k);
                try (XenbusBoot b = XenbusBoot.boot(k, p)) {
                    b.cancelledSuspend();
                    b.migrate();
                    b.settle();
                }
                logs[i] = k.log().toText();
            }
        }
        assertThat(logs[0]).contains("SUSPEND: LATE fdo", "SUSPEND: SCHEDOP_shutdown:SHUTDOWN_suspend <==== (1)");
        assertThat(logs[1]).isEqualTo(logs[0]);
    }

    @XenpvTest
    @Checks(id = "XENBUS-7", ref = REF)
    @DisplayName("SUSPEND refuses to deregister a callback twice and Trigger must come from a guest actor" + " (" + REF + ")")
    void registrationErrors(Kernel kernel, Platform platform) {
        try (XenbusBoot b = XenbusBoot.boot(kernel, platform)) {
            var cb = b.fdo.suspend().register(SuspendCallbackType.LATE, "once", () -> { });
            b.fdo.suspend().deregister(cb);
            assertThatThrownBy(() -> b.fdo.suspend().deregister(cb)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("once").hasMessageContaining("d" + b.domid());
            assertThatThrownBy(() -> b.fdo.suspend().trigger()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("guest actor");
        }
    }
}
