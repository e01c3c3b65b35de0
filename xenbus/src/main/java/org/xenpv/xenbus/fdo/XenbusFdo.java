package org.xenpv.xenbus.fdo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Kernel;
import org.xenpv.xenbus.balloon.BalloonMover;
import org.xenpv.xenbus.balloon.BalloonTarget;
import org.xenpv.xenbus.console.Console;
import org.xenpv.xenbus.console.ConsoleLog;
import org.xenpv.xenbus.debug.Debug;
import org.xenpv.xenbus.enumeration.ClassScan;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.gnttab.GnttabClient;
import org.xenpv.xenbus.iface.InterfaceRegistry;
import org.xenpv.xenbus.iface.InterfaceSpec;
import org.xenpv.xenbus.iface.XenbusInterfaces;
import org.xenpv.xenbus.log.LogLevel;
import org.xenpv.xenbus.log.XenbusLog;
import org.xenpv.xenbus.memory.GuestFrames;
import org.xenpv.xenbus.sharedinfo.SharedInfoTime;
import org.xenpv.xenbus.store.StoreClient;
import org.xenpv.xenbus.store.StoreException;
import org.xenpv.xenbus.store.StoreStatus;
import org.xenpv.xenbus.store.StoreWatch;
import org.xenpv.xenbus.suspend.Suspend;
import org.xenpv.xenbus.suspend.SuspendCallback;
import org.xenpv.xenbus.suspend.SuspendCallbackType;
import org.xenpv.xenbus.suspend.SuspendOutcome;
import org.xenpv.xenbus.sync.ProcessorSync;
import org.xenpv.xenbus.unplug.Unplug;
import org.xenpv.xenbus.unplug.UnplugType;

/**
 * The XENBUS bus driver instance of one guest, its active FDO ({@code [bus fdo.c]},
 * windows-pv-drivers.md §1.5, §1.8): it owns the guest's EVTCHN, GNTTAB, STORE and SUSPEND, unplugs the
 * emulated devices at boot, publishes the guest's {@code drivers/<N>} and {@code control/feature-*}
 * keys and runs the scan, suspend and balloon threads. It also owns SHARED_INFO ({@link SharedInfoTime}),
 * DEBUG ({@link Debug}), CONSOLE ({@link Console}) with the console log disposition ({@link ConsoleLog})
 * and the {@link InterfaceRegistry} its children query.
 *
 * <p>{@link #start()} (PnP start and {@code __FdoD3ToD0}), from a guest actor:
 * <ol>
 *   <li>DEBUG, EVTCHN, SHARED_INFO, GNTTAB, STORE and (when the toolstack set
 *       {@code HVM_PARAM_CONSOLE_EVTCHN}) CONSOLE are acquired and their SUSPEND callbacks registered in
 *       the driver's order: EARLY evtchn, shared_info (the page mapped again at its gfn), gnttab, store;
 *       LATE evtchn, store, console (the FIXED channel re-opened on the port now in the param, the ring
 *       taken from the new domain's RAM), then the FDO's own.</li>
 *   <li>The interfaces it really provides are published in {@link #interfaces()}: SUSPEND, SHARED_INFO,
 *       EVTCHN, DEBUG, STORE, GNTTAB, UNPLUG (only with a platform unplug device) and CONSOLE (only if it
 *       was acquired). RANGE_SET and CACHE have no provider in this model and EMULATED is XENFILT's, so
 *       a query for them fails with {@code STATUS_NOT_SUPPORTED}.</li>
 *   <li>The emulated disks/NICs are unplugged ({@link Unplug#boot}).</li>
 *   <li>{@code drivers/<N>} at the first free N ({@link Distribution}), {@code VIRQ_DEBUG} bound on
 *       CPU0 through DEBUG (each delivery runs the registered debug callbacks), the console log
 *       disposition attached if {@link Options#consoleLogLevel()} is non-zero and the console is there,
 *       watches on {@code device} (scan thread), {@code control/shutdown} (suspend thread),
 *       {@code control/feature-suspend=1}, and with the balloon on a watch on {@code memory/target}
 *       (balloon thread) and {@code control/feature-balloon=1}. Failed feature writes are ignored, as
 *       the driver's {@code (VOID)} casts do.</li>
 * </ol>
 *
 * <p>The suspend thread ({@code FdoSuspend}) reads {@code control/shutdown} on every wake-up and acts
 * only on {@code suspend}: it takes the balloon/suspend mutex without waiting (if the balloon holds it
 * the request is skipped; the balloon thread wakes the suspend thread when it lets go, so the request
 * is looked at again), writes {@code control/shutdown=""} first, then runs {@link Suspend#trigger()}.
 * {@code poweroff}, {@code reboot} and the rest are not XENBUS's to act on: on Windows xenagent does
 * that through XENIFACE, so they are left in the store untouched.
 *
 * <p>The balloon thread ({@code FdoBalloon}) reads {@code memory/static-max} and {@code memory/videoram}
 * once, {@code memory/target} on every wake-up, and moves the balloon to
 * {@code (static-max - videoram)/4 - min(target/4, cap)} pages. Before moving it takes the mutex
 * (skipping this wake-up if a suspend holds it) and writes {@code control/balloon-active=1}; a move
 * that falls short keeps both and is retried every second; a complete one writes
 * {@code control/balloon-active=0}, lets go of the mutex and wakes the suspend thread.
 *
 * <p>On every resume the FDO's LATE callback ({@code FdoSuspendCallbackLate}) runs D0-to-D3 then
 * D3-to-D0: the stale watches are removed (no UNWATCH on the wire), the feature keys and this vendor's
 * {@code drivers/*} entries are removed where they still exist, the console log detached and attached
 * again, {@code VIRQ_DEBUG} re-bound (EVTCHN's LATE callback, before, reset every channel) and everything
 * published and watched again in the domain the guest now runs in. Children register their own
 * callbacks with {@link #suspend()} after {@link #start()}, so theirs run after the FDO's.
 *
 * <p>{@link #stop()} (D3, remove) is refused while the balloon is inflated or while a child still holds
 * an interface from {@link #interfaces()} (the leak check, naming each holder); otherwise it removes the
 * keys and {@code drivers/<N>}, joins the threads, deregisters the callbacks, withdraws the interfaces
 * and releases CONSOLE, SHARED_INFO, DEBUG, STORE and EVTCHN, so the platform's leak report is clean but
 * for the toolstack's plumbing.
 *
 * <p>Not modelled: the watchdog ({@code XEN:WATCHDOG}, per-CPU {@code VIRQ_TIMER}), the PDOs of the
 * scanned classes (only the class list is kept), the wait of device start for the balloon, and the
 * RANGE_SET and CACHE interfaces.
 */
public final class XenbusFdo {

    private static final Logger LOG = LoggerFactory.getLogger(XenbusFdo.class);

    /** {@code XENBUS_BALLOON_RETRY_PERIOD}. */
    public static final Duration BALLOON_RETRY_PERIOD = Duration.ofSeconds(1);
    /** The product name in {@code drivers/<N>}. */
    public static final String PRODUCT = "XENBUS";

    /**
     * Build and registry settings.
     *
     * @param vendor             {@code VENDOR_NAME} ({@code "Xen Project"} by default)
     * @param major              {@code MAJOR_VERSION}
     * @param minor              {@code MINOR_VERSION}
     * @param micro              {@code MICRO_VERSION}
     * @param build              {@code BUILD_NUMBER}
     * @param debugBuild         a checked build: {@code (DEBUG)} in {@code drivers/<N>}
     * @param balloon            the balloon is on ({@code XEN:BALLOON=OFF} turns it off)
     * @param installedPvDevices the PV drivers already under {@code Enum\XENBUS}: the unplug requests the
     *                           boot honours without {@code ForceUnplug}
     * @param forceUnplug        {@code ForceUnplug}
     * @param evtchn             EVTCHN registry knobs
     * @param store              STORE timing
     * @param sharedInfo         SHARED_INFO knobs ({@code RealTimeIsUniversal})
     * @param consoleLogLevel    {@code ConsoleLogLevel}: the {@link LogLevel} mask of XENBUS log messages
     *                           copied to the PV console; 0 (the default) = none
     */
    public record Options(String vendor, int major, int minor, int micro, int build, boolean debugBuild,
                          boolean balloon, Set<UnplugType> installedPvDevices, boolean forceUnplug,
                          EvtchnClient.Options evtchn, StoreClient.Options store, SharedInfoTime.Options sharedInfo,
                          int consoleLogLevel) {

        /** The upstream build defaults: Xen Project 9.1.0.0, free build, balloon on, both PV drivers installed. */
        public static final Options DEFAULT = new Options("Xen Project", 9, 1, 0, 0, false, true,
                EnumSet.allOf(UnplugType.class), false, EvtchnClient.Options.DEFAULT, StoreClient.Options.DEFAULT,
                SharedInfoTime.Options.DEFAULT, LogLevel.NONE);

        public Options {
            Objects.requireNonNull(vendor);
            installedPvDevices = installedPvDevices.isEmpty() ? EnumSet.noneOf(UnplugType.class)
                    : EnumSet.copyOf(installedPvDevices);
            Objects.requireNonNull(evtchn);
            Objects.requireNonNull(store);
            Objects.requireNonNull(sharedInfo);
        }

        public Options withBalloon(boolean on) {
            return new Options(vendor, major, minor, micro, build, debugBuild, on, installedPvDevices, forceUnplug,
                    evtchn, store, sharedInfo, consoleLogLevel);
        }

        public Options withDebugBuild(boolean debug) {
            return new Options(vendor, major, minor, micro, build, debug, balloon, installedPvDevices, forceUnplug,
                    evtchn, store, sharedInfo, consoleLogLevel);
        }

        public Options withVendor(String v) {
            return new Options(v, major, minor, micro, build, debugBuild, balloon, installedPvDevices, forceUnplug,
                    evtchn, store, sharedInfo, consoleLogLevel);
        }

        public Options withEvtchn(EvtchnClient.Options e) {
            return new Options(vendor, major, minor, micro, build, debugBuild, balloon, installedPvDevices, forceUnplug,
                    e, store, sharedInfo, consoleLogLevel);
        }

        public Options withSharedInfo(SharedInfoTime.Options si) {
            return new Options(vendor, major, minor, micro, build, debugBuild, balloon, installedPvDevices, forceUnplug,
                    evtchn, store, si, consoleLogLevel);
        }

        /** {@code ConsoleLogLevel} ({@link LogLevel#mask(LogLevel...)}; 0 = off). */
        public Options withConsoleLogLevel(int mask) {
            return new Options(vendor, major, minor, micro, build, debugBuild, balloon, installedPvDevices, forceUnplug,
                    evtchn, store, sharedInfo, mask);
        }

        /** The {@code drivers/<N>} value. */
        public String distribution() {
            return Distribution.value(vendor, PRODUCT, major, minor, micro, build, debugBuild);
        }
    }

    private final Vm vm;
    private final Kernel kernel;
    private final Options options;
    private final Unplug unplug;
    private final BalloonMover balloonMover;
    private final ProcessorSync sync;
    private final Suspend suspend;
    private final EvtchnClient evtchn;
    private final GnttabClient gnttab;
    private final StoreClient store;
    private final XenbusLog log;
    private final Debug debug;
    private final SharedInfoTime sharedInfo;
    private final Console console;
    private final ConsoleLog consoleLog;
    private final InterfaceRegistry interfaces;
    private final FdoThread scanThread;
    private final FdoThread suspendThread;
    private final FdoThread balloonThread;
    /** {@code Fdo->BalloonSuspendMutex}: only ever tried, never waited for. */
    private final AtomicBoolean balloonSuspendMutex = new AtomicBoolean();
    private final List<SuspendCallback> callbacks = new ArrayList<>();
    private final AtomicLong scans = new AtomicLong();
    private final AtomicLong suspendsSkipped = new AtomicLong();
    private final AtomicLong balloonSkips = new AtomicLong();
    private final AtomicLong ignoredStoreErrors = new AtomicLong();
    private final List<SuspendOutcome> suspends = new ArrayList<>();

    private volatile boolean d0;
    private volatile boolean started;
    private volatile boolean balloonActive;
    private volatile long balloonSize;
    private volatile List<String> classes = List.of();
    private volatile StoreWatch scanWatch;
    private volatile StoreWatch suspendWatch;
    private volatile StoreWatch balloonWatch;
    private volatile int distributionIndex = -1;
    private volatile boolean consoleAcquired;

    /**
     * @param vm           the guest
     * @param options      build and registry settings
     * @param unplug       the emulated-device unplug (its requests already made), or {@code null} if
     *                     the platform device has none
     * @param balloonMover how the balloon moves ({@link BalloonMover#ACCOUNTING_ONLY} if {@code null})
     */
    public XenbusFdo(Vm vm, Options options, Unplug unplug, BalloonMover balloonMover) {
        this.vm = Objects.requireNonNull(vm);
        this.kernel = vm.kernel();
        this.options = Objects.requireNonNull(options);
        this.unplug = unplug;
        this.balloonMover = balloonMover == null ? BalloonMover.ACCOUNTING_ONLY : balloonMover;
        this.sync = new ProcessorSync(vm);
        this.suspend = new Suspend(vm, sync, unplug);
        GuestFrames frames = new GuestFrames(vm);
        this.evtchn = new EvtchnClient(vm, frames, options.evtchn(), sync);
        this.gnttab = new GnttabClient(vm, frames);
        this.store = new StoreClient(vm, evtchn, gnttab, options.store());
        String name = DomId.name(vm.domid());
        this.log = new XenbusLog(name + " " + PRODUCT);
        this.debug = new Debug(vm, evtchn, log);
        this.sharedInfo = new SharedInfoTime(vm, frames, options.sharedInfo());
        this.console = new Console(vm, evtchn, gnttab, debug);
        this.consoleLog = new ConsoleLog(kernel, log, console, options.consoleLogLevel());
        this.interfaces = new InterfaceRegistry(name + " " + PRODUCT);
        this.scanThread = new FdoThread(kernel, name + "/xenbus-scan");
        this.suspendThread = new FdoThread(kernel, name + "/xenbus-suspend");
        this.balloonThread = options.balloon() ? new FdoThread(kernel, name + "/xenbus-balloon") : null;
    }

    // ---- start / stop ---------------------------------------------------------------------------

    /**
     * PnP start: acquires the interfaces, registers their SUSPEND callbacks, unplugs, starts the threads
     * and runs D3-to-D0. Must run on a guest actor (store calls are synchronous); start and stop are
     * not called concurrently (PnP serialises them).
     */
    public void start() {
        if (started) {
            throw new IllegalStateException(name() + ": XENBUS FDO already started");
        }
        debug.acquire();
        evtchn.acquire();
        callbacks.add(suspend.register(SuspendCallbackType.EARLY, "evtchn", evtchn::suspendEarly));
        callbacks.add(suspend.register(SuspendCallbackType.LATE, "evtchn", evtchn::resumeLate));
        sharedInfo.acquire();
        callbacks.add(suspend.register(SuspendCallbackType.EARLY, "shared_info", sharedInfo::resumeEarly));
        gnttab.acquire();
        callbacks.add(suspend.register(SuspendCallbackType.EARLY, "gnttab", gnttab::resumeEarly));
        store.acquire();
        callbacks.add(suspend.register(SuspendCallbackType.EARLY, "store", store::suspendEarly));
        callbacks.add(suspend.register(SuspendCallbackType.LATE, "store", store::resumeLate));
        consoleAcquired = console.acquire();
        if (consoleAcquired) {
            callbacks.add(suspend.register(SuspendCallbackType.LATE, "console", console::resumeLate));
        }
        callbacks.add(suspend.register(SuspendCallbackType.LATE, "fdo", this::resumeLate));
        publishInterfaces();
        if (unplug != null) {
            unplug.boot(options.installedPvDevices()::contains, options.forceUnplug());
        }
        scanThread.start(this::scanLoop);
        suspendThread.start(this::suspendLoop);
        if (balloonThread != null) {
            balloonThread.start(this::balloonLoop);
        }
        d3ToD0();
        d0 = true;
        started = true;
        // The first looks at the keys: the watches' initial events wake the threads too.
        scanThread.wake();
        suspendThread.wake();
        if (balloonThread != null) {
            balloonThread.wake();
        }
    }

    /**
     * D3 and remove: D0-to-D3 (keys, watches, VIRQ, {@code drivers/<N>}), the threads alerted and
     * joined, the callbacks deregistered, STORE and EVTCHN released. Must run on a guest actor.
     *
     * @throws IllegalStateException if the balloon is inflated (the driver vetoes stop and remove)
     */
    public void stop() {
        if (!started) {
            throw new IllegalStateException(name() + ": XENBUS FDO not started");
        }
        if (balloonSize != 0) {
            throw new IllegalStateException(name() + ": stop vetoed: the balloon holds " + balloonSize + " pages");
        }
        List<InterfaceRegistry.Held> held = interfaces.acquired();
        if (!held.isEmpty()) {
            throw new IllegalStateException(name() + ": stop vetoed: interfaces still acquired by children: " + held);
        }
        d0 = false;
        d0ToD3();
        for (FdoThread t : threads()) {
            t.alert();
        }
        for (FdoThread t : threads()) {
            t.join();
        }
        for (SuspendCallback cb : callbacks) {
            suspend.deregister(cb);
        }
        callbacks.clear();
        for (InterfaceSpec spec : interfaces.published()) {
            interfaces.withdraw(spec.name());
        }
        if (consoleAcquired) {
            console.release();
            consoleAcquired = false;
        }
        sharedInfo.release();
        store.close();
        evtchn.close();
        debug.release();
        started = false;
    }

    /** The XENBUS interfaces this FDO has a provider for (see the class comment for the ones it lacks). */
    private void publishInterfaces() {
        interfaces.publish(XenbusInterfaces.SUSPEND, suspend);
        interfaces.publish(XenbusInterfaces.SHARED_INFO, sharedInfo);
        interfaces.publish(XenbusInterfaces.EVTCHN, evtchn);
        interfaces.publish(XenbusInterfaces.DEBUG, debug);
        interfaces.publish(XenbusInterfaces.STORE, store);
        interfaces.publish(XenbusInterfaces.GNTTAB, gnttab);
        if (unplug != null) {
            interfaces.publish(XenbusInterfaces.UNPLUG, unplug);
        }
        if (consoleAcquired) {
            interfaces.publish(XenbusInterfaces.CONSOLE, console);
        }
    }

    private List<FdoThread> threads() {
        return balloonThread == null ? List.of(scanThread, suspendThread) : List.of(scanThread, suspendThread,
                balloonThread);
    }

    /** FDO's LATE callback: {@code __FdoD0ToD3} then {@code __FdoD3ToD0} in the domain the guest runs in now. */
    private void resumeLate() {
        d0ToD3();
        d3ToD0();
    }

    // ---- D3ToD0 / D0ToD3 ------------------------------------------------------------------------

    private void d3ToD0() {
        setDistribution();
        debug.enableVirq();
        if (consoleAcquired) {
            consoleLog.attach();
        }
        scanWatch = store.watchAdd(null, "device", scanThread::wake);
        suspendWatch = store.watchAdd("control", "shutdown", suspendThread::wake);
        ignoring(() -> store.printf(null, "control", "feature-suspend", "%d", 1));
        if (balloonThread != null) {
            balloonWatch = store.watchAdd("memory", "target", balloonThread::wake);
            ignoring(() -> store.printf(null, "control", "feature-balloon", "%d", 1));
        }
    }

    private void d0ToD3() {
        if (balloonThread != null) {
            ignoring(() -> store.remove(null, "control", "feature-balloon"));
            removeWatch(balloonWatch);
            balloonWatch = null;
        }
        ignoring(() -> store.remove(null, "control", "feature-suspend"));
        removeWatch(suspendWatch);
        suspendWatch = null;
        removeWatch(scanWatch);
        scanWatch = null;
        if (consoleLog.attached()) {
            consoleLog.detach();
        }
        debug.disableVirq();
        clearDistribution();
    }

    private void removeWatch(StoreWatch w) {
        if (w != null) {
            ignoring(() -> store.watchRemove(w));
        }
    }

    /** {@code FdoSetDistribution}: the first N whose READ says ENOENT; any other error gives up. */
    private void setDistribution() {
        for (int index = 0; index <= Distribution.MAXIMUM_INDEX; index++) {
            try {
                store.read(null, "drivers", Integer.toString(index));
            } catch (StoreException e) {
                if (e.status() != StoreStatus.NAME_NOT_FOUND) {
                    LOG.warn("{}: drivers/{}: {}; no distribution written", name(), index, e.getMessage());
                    return;
                }
                int n = index;
                ignoring(() -> store.write(null, "drivers", Integer.toString(n), options.distribution()));
                distributionIndex = n;
                note("distribution: drivers/" + n + " = " + options.distribution());
                return;
            }
        }
        LOG.warn("{}: drivers/0..{} all taken; no distribution written", name(), Distribution.MAXIMUM_INDEX);
    }

    /** {@code FdoClearDistribution}: removes every {@code drivers/*} of this vendor's XENBUS. */
    private void clearDistribution() {
        List<String> names;
        try {
            names = store.directory(null, null, "drivers");
        } catch (StoreException e) {
            return;
        }
        for (String n : names) {
            String v;
            try {
                v = store.read(null, "drivers", n);
            } catch (StoreException e) {
                continue;
            }
            if (Distribution.matches(v, options.vendor(), PRODUCT)) {
                ignoring(() -> store.remove(null, "drivers", n));
            }
        }
        distributionIndex = -1;
    }

    private void ignoring(Runnable storeCall) {
        try {
            storeCall.run();
        } catch (StoreException e) {
            ignoredStoreErrors.incrementAndGet();
            LOG.debug("{}: ignored: {}", name(), e.getMessage());
        }
    }

    // ---- threads --------------------------------------------------------------------------------

    /** {@code FdoScan}: the class list from {@code DIRECTORY device}. */
    private void scanLoop(FdoThread self) {
        while (true) {
            self.await(null);
            if (self.alerted()) {
                return;
            }
            if (!d0) {
                continue;
            }
            List<String> dir;
            try {
                dir = store.directory(null, null, "device");
            } catch (StoreException e) {
                dir = List.of();
            }
            List<String> found = ClassScan.scan(dir);
            if (!found.equals(classes)) {
                note("classes: " + String.join(" ", found));
            }
            classes = found;
            scans.incrementAndGet();
        }
    }

    /** {@code FdoSuspend}. */
    private void suspendLoop(FdoThread self) {
        while (true) {
            self.await(null);
            if (self.alerted()) {
                return;
            }
            if (!d0) {
                continue;
            }
            String value;
            try {
                value = store.read(null, "control", "shutdown");
            } catch (StoreException e) {
                value = null;
            }
            if (!"suspend".equals(value)) {
                if (value != null && !value.isEmpty()) {
                    LOG.debug("{}: control/shutdown={}: not XENBUS's (xenagent acts on it)", name(), value);
                }
                continue;
            }
            if (!balloonSuspendMutex.compareAndSet(false, true)) {
                suspendsSkipped.incrementAndGet();
                note("suspend request skipped: the balloon is active");
                continue;
            }
            try {
                ignoring(() -> store.write(null, "control", "shutdown", ""));
                note("suspend requested");
                SuspendOutcome o = suspend.trigger();
                note(o.rc() == 1 ? "suspend cancelled (rc 1)" : "resumed in d" + o.toDomid() + " (from d" + o.fromDomid() + ")");
                synchronized (suspends) {
                    suspends.add(o);
                }
            } finally {
                balloonSuspendMutex.set(false);
                // "We may have missed initiating a balloon whilst suspending/resuming."
                if (balloonThread != null) {
                    balloonThread.wake();
                }
            }
        }
    }

    /** {@code FdoBalloon}. */
    private void balloonLoop(FdoThread self) {
        boolean initialized = false;
        long staticMaxKiB = 0;
        long videoramKiB = 0;
        while (true) {
            self.await(balloonActive ? BALLOON_RETRY_PERIOD : null);
            if (self.alerted()) {
                if (balloonActive) {
                    balloonClearActive();
                }
                return;
            }
            if (!d0) {
                if (balloonActive) {
                    balloonClearActive();
                }
                continue;
            }
            if (!initialized) {
                long staticMax = readNumber("memory", "static-max");
                if (staticMax <= 0) {
                    continue;
                }
                long videoram = Math.max(0, readNumber("memory", "videoram"));
                if (staticMax < videoram) {
                    continue;
                }
                staticMaxKiB = staticMax;
                videoramKiB = videoram;
                initialized = true;
            }
            long target = readNumber("memory", "target");
            if (target < 0) {
                continue;
            }
            long size = BalloonTarget.balloonPages(staticMaxKiB, videoramKiB, target);
            if (balloonSize == size) {
                continue;
            }
            if (!balloonActive) {
                if (!balloonSuspendMutex.compareAndSet(false, true)) {
                    balloonSkips.incrementAndGet();
                    continue;
                }
                balloonActive = true;
                ignoring(() -> store.printf(null, "control", "balloon-active", "%d", 1));
            }
            balloonSize = balloonMover.adjust(balloonSize, size);
            if (balloonSize != size) {
                LOG.debug("{}: balloon at {} of {} pages: retry in {}", name(), balloonSize, size, BALLOON_RETRY_PERIOD);
                continue;
            }
            balloonClearActive();
        }
    }

    private void balloonClearActive() {
        ignoring(() -> store.printf(null, "control", "balloon-active", "%d", 0));
        balloonActive = false;
        balloonSuspendMutex.set(false);
        // "We may have missed initiating a suspend whilst the balloon was active."
        suspendThread.wake();
    }

    /** {@code _strtoui64(value, NULL, 10)} of a key, or -1 if it cannot be read. */
    private long readNumber(String prefix, String node) {
        String v;
        try {
            v = store.read(null, prefix, node);
        } catch (StoreException e) {
            return -1;
        }
        long n = 0;
        int i = 0;
        while (i < v.length() && Character.isWhitespace(v.charAt(i))) {
            i++;
        }
        for (; i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9'; i++) {
            n = n * 10 + (v.charAt(i) - '0');
        }
        return n;
    }

    /** The driver's {@code Info(...)}: into the event log, and through the log dispositions (SLF4J, the PV console). */
    private void note(String what) {
        if (kernel.log().enabled()) {
            kernel.log().note("xenbus", name() + " " + what);
        }
        log.log(LogLevel.INFO, what + "\n");
    }

    private String name() {
        return DomId.name(vm.domid());
    }

    // ---- accessors ------------------------------------------------------------------------------

    public Vm vm() {
        return vm;
    }

    public Options options() {
        return options;
    }

    /** SUSPEND: children register their EARLY/LATE callbacks here (after {@link #start()}). */
    public Suspend suspend() {
        return suspend;
    }

    public ProcessorSync sync() {
        return sync;
    }

    public EvtchnClient evtchn() {
        return evtchn;
    }

    public GnttabClient gnttab() {
        return gnttab;
    }

    public StoreClient store() {
        return store;
    }

    /** SHARED_INFO: the time of day from the guest's {@code shared_info} page. */
    public SharedInfoTime sharedInfo() {
        return sharedInfo;
    }

    /** DEBUG: children register their dump callbacks here; {@code VIRQ_DEBUG} runs them. */
    public Debug debug() {
        return debug;
    }

    /** CONSOLE (usable only if {@link #consoleAcquired()}). */
    public Console console() {
        return console;
    }

    /** Whether CONSOLE was acquired at start ({@code HVM_PARAM_CONSOLE_EVTCHN} was set). */
    public boolean consoleAcquired() {
        return consoleAcquired;
    }

    /** The disposition copying XENBUS log messages to the console ({@link Options#consoleLogLevel()}). */
    public ConsoleLog consoleLog() {
        return consoleLog;
    }

    /** The XENBUS log DEBUG prints to and the console log reads from. */
    public XenbusLog log() {
        return log;
    }

    /** The interfaces published to children ({@code IRP_MN_QUERY_INTERFACE}). */
    public InterfaceRegistry interfaces() {
        return interfaces;
    }

    /** Whether the FDO is in D0 (started, not stopped). */
    public boolean d0() {
        return d0;
    }

    /** The N of the {@code drivers/<N>} this FDO wrote last, or -1. */
    public int distributionIndex() {
        return distributionIndex;
    }

    /** The classes the last scan found. */
    public List<String> classes() {
        return classes;
    }

    /** Scans done. */
    public long scans() {
        return scans.get();
    }

    /** {@code VIRQ_DEBUG} deliveries (each ran DEBUG's callbacks). */
    public long debugVirqs() {
        return debug.virqCount();
    }

    /** Suspend requests skipped because the balloon held the mutex. */
    public long suspendsSkipped() {
        return suspendsSkipped.get();
    }

    /** Balloon wake-ups skipped because a suspend held the mutex. */
    public long balloonSkips() {
        return balloonSkips.get();
    }

    /** Store errors ignored as the driver ignores them ({@code (VOID)} writes and removes). */
    public long ignoredStoreErrors() {
        return ignoredStoreErrors.get();
    }

    /** Balloon size in pages. */
    public long balloonSize() {
        return balloonSize;
    }

    /** Whether the balloon thread holds the mutex ({@code control/balloon-active=1}). */
    public boolean balloonActive() {
        return balloonActive;
    }

    /** The suspends triggered so far, oldest first. */
    public List<SuspendOutcome> suspends() {
        synchronized (suspends) {
            return List.copyOf(suspends);
        }
    }

    /** The watches the FDO holds now ({@code device}, {@code control/shutdown}, {@code memory/target}). */
    public List<StoreWatch> watches() {
        List<StoreWatch> out = new ArrayList<>();
        for (StoreWatch w : new StoreWatch[] {scanWatch, suspendWatch, balloonWatch}) {
            if (w != null) {
                out.add(w);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "XenbusFdo[" + name() + (d0 ? " D0" : " D3") + ", " + suspend + "]";
    }
}
