package org.xenpv.harness.toolstack;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakReport;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.ShutdownReason;
import org.xenpv.core.sim.DeadlockException;
import org.xenpv.core.sim.SimTimeoutException;
import org.xenpv.xenbus.memory.GuestFrames;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.ring.Xenstored;

/**
 * A simulated {@code xl}: builds guests on the {@link Platform} with the xenstore layout of
 * {@code docs/misc/xenstore-paths.pandoc} as libxl writes it (xen-pv-protocols.md §6), seeds grant
 * entries 0/1 with the console and store ring frames and sets the HVM params the guest's XENBUS reads
 * (windows-pv-drivers.md §1.3), adds and removes PV device directories, and destroys domains.
 *
 * <p>Permissions as libxl sets them: the domain directory and its {@code cpu}, {@code memory},
 * {@code device}, {@code control} subtrees are read-only to the guest ({@code n0 r<domid>}); {@code data},
 * {@code drivers}, {@code feature}, {@code attr}, {@code error} and the empty nodes
 * {@code control/shutdown}, {@code control/feature-{poweroff,reboot,suspend,s3,s4}} and
 * {@code control/sysrq} belong to the guest ({@code n<domid>}). A frontend directory belongs to the
 * guest and is readable by the backend, a backend directory belongs to the backend domain and is
 * readable by the guest.
 *
 * <p>Life cycle: {@link #shutdown} (poweroff, reboot), {@link #suspend}/{@link #resume},
 * {@link #save}/{@link #restore}/{@link #migrate} to a new domid, {@link #destroy}. Operations
 * that wait for the guest run the kernel from the calling (test) thread with a kernel-time limit.
 *
 * <p>Not done here: {@code XS_INTRODUCE} (the {@link IntroduceHook}), device model start-up, the
 * libxl transaction around the writes (they are sequential, from one dom0 connection).
 */
public final class Toolstack implements AutoCloseable {

    private static final Map<Platform, Toolstack> BY_PLATFORM = new ConcurrentHashMap<>();

    private final Platform platform;
    private final XenStore store;
    private final Dom0Store xs;
    private final IntroduceHook hook;
    private final Map<Integer, GuestDomain> guests = new ConcurrentSkipListMap<>();
    private volatile boolean controlWritableByGuest;

    public Toolstack(Platform platform, XenStore store, IntroduceHook hook) {
        this(platform, store, new Dom0Store(store), hook);
    }

    /**
     * A toolstack whose store is the {@link Xenstored} daemon serving guest rings: its requests go
     * through the daemon's actor (so guests get their watch events at once) and domains are
     * introduced to and released from the daemon ({@link XenstoredIntroduceHook}).
     */
    public Toolstack(Platform platform, Xenstored xenstored) {
        this(platform, xenstored.call(s -> s), new Dom0Store(xenstored), new XenstoredIntroduceHook(xenstored));
    }

    private Toolstack(Platform platform, XenStore store, Dom0Store xs, IntroduceHook hook) {
        this.platform = platform;
        this.store = store;
        this.xs = xs;
        this.hook = hook;
        BY_PLATFORM.put(platform, this);
    }

    /**
     * Whether domains built from now on (created, restored, rebooted) get a {@code control} directory
     * the guest may create keys in ({@code n<domid>}), as the Windows PV drivers assume when they write
     * {@code control/feature-balloon} and {@code control/balloon-active}. libxl does not do this (the
     * default, {@code false}): there {@code control} is {@code n0 r<domid>} and the guest can only
     * write the empty nodes libxl created for it (xen-devel, May 2023, "xenstored: EACCESS error
     * accessing control/feature-balloon").
     */
    public void setControlWritableByGuest(boolean writable) {
        controlWritableByGuest = writable;
    }

    /** The toolstack built on {@code platform}, if any (for leak filtering). */
    public static Optional<Toolstack> of(Platform platform) {
        return Optional.ofNullable(BY_PLATFORM.get(platform));
    }

    public Platform platform() {
        return platform;
    }

    public XenStore store() {
        return store;
    }

    /** The toolstack's dom0 store connection. */
    public Dom0Store xs() {
        return xs;
    }

    /** Store ring gfn of a guest with {@code maxPages} of RAM (a special page at the top). */
    public static long storeGfn(long maxPages) {
        return maxPages - 2;
    }

    /** Console ring gfn (a special page at the top). */
    public static long consoleGfn(long maxPages) {
        return maxPages - 3;
    }

    /** {@code xl create} of a guest with default config. */
    public GuestDomain create(String name) {
        return create(DomainConfig.guest(name));
    }

    /** {@code xl create}. */
    public GuestDomain create(DomainConfig config) {
        return createWith(config, null, List.of());
    }

    /**
     * Creates, builds and introduces a domain, then attaches {@code devices} in order; {@code uuid}
     * null derives one from the domid.
     */
    private GuestDomain createWith(DomainConfig config, String uuid, List<DeviceSpec> devices) {
        Domain d = platform.createDomain(config);
        int id = d.domid();
        String u = uuid != null ? uuid : new UUID(0x5eed_0000_0000_0000L | id, id).toString();
        GuestDomain g = build(d, u, storeGfn(d.memory().maxPages()), consoleGfn(d.memory().maxPages()));
        hook.introduce(this, g);
        addDevices(g, devices);
        return g;
    }

    private void addDevices(GuestDomain g, List<DeviceSpec> devices) {
        for (DeviceSpec dev : devices) {
            addDevice(g.domid(), dev.type(), dev.devid(), dev.beDomid(), dev.backendKeys());
        }
    }

    /**
     * The part of domain building shared by create and restore: the store and console pages cleared
     * (on restore, {@code xc_sr_restore} clears them too, so no partial message survives a
     * migration), grant entries 0/1 seeded, fresh unbound channels in dom0, the four HVM params, the
     * xenstore layout.
     */
    private GuestDomain build(Domain d, String uuid, long storeGfn, long consoleGfn) {
        int id = d.domid();
        d.memory().page(storeGfn).fill(0, 4096, (byte) 0);
        d.memory().page(consoleGfn).fill(0, 4096, (byte) 0);
        // xc_dom_gnttab_seed: the builder writes entries 0 and 1 of the guest's table, granting dom0.
        d.grantTable().permit(GrantTable.RESERVED_CONSOLE, 0, consoleGfn, false);
        d.grantTable().permit(GrantTable.RESERVED_XENSTORE, 0, storeGfn, false);
        var d0 = platform.dom0().evtchn();
        int storePort = d0.allocUnbound(id, 0);
        int consolePort = d0.allocUnbound(id, 0);
        d.setHvmParam(HvmParam.STORE_PFN, storeGfn);
        d.setHvmParam(HvmParam.STORE_EVTCHN, storePort);
        d.setHvmParam(HvmParam.CONSOLE_PFN, consoleGfn);
        d.setHvmParam(HvmParam.CONSOLE_EVTCHN, consolePort);
        GuestDomain g = new GuestDomain(id, d.name(), uuid, storeGfn, consoleGfn, storePort, consolePort);
        writeLayout(g, d);
        guests.put(id, g);
        return g;
    }

    private void writeLayout(GuestDomain g, Domain d) {
        String p = g.path();
        String id = Integer.toString(g.domid());
        String[] ro = {"n0", "r" + id};
        String[] rw = {"n" + id};
        xs.mkdir(g.vmPath());
        xs.setPerms(g.vmPath(), ro);
        xs.writeWithPerms(g.vmPath() + "/name", g.name(), ro);
        xs.writeWithPerms(g.vmPath() + "/uuid", g.uuid(), ro);
        xs.mkdir(p);
        xs.setPerms(p, ro);
        xs.writeWithPerms(p + "/name", g.name(), ro);
        xs.writeWithPerms(p + "/domid", id, ro);
        xs.writeWithPerms(p + "/vm", g.vmPath(), ro);
        for (String sub : List.of("cpu", "memory", "device", "control")) {
            xs.mkdir(p + "/" + sub);
            xs.setPerms(p + "/" + sub, sub.equals("control") && controlWritableByGuest ? rw : ro);
        }
        long kib = d.memory().maxPages() * 4;
        xs.writeWithPerms(p + "/memory/static-max", Long.toString(kib), ro);
        xs.writeWithPerms(p + "/memory/target", Long.toString(kib), ro);
        xs.writeWithPerms(p + "/memory/videoram", "8192", ro);
        // libxl__domain_make: empty nodes the guest owns inside the read-only control directory (the
        // guest can write them, but cannot create siblings such as control/feature-balloon).
        for (String node : List.of("shutdown", "feature-poweroff", "feature-reboot", "feature-suspend", "feature-s3",
                "feature-s4", "sysrq")) {
            xs.mkdir(p + "/control/" + node);
            xs.setPerms(p + "/control/" + node, rw);
        }
        for (String sub : List.of("data", "drivers", "feature", "attr", "error")) {
            xs.mkdir(p + "/" + sub);
            xs.setPerms(p + "/" + sub, rw);
        }
        xs.writeWithPerms(p + "/store/port", Integer.toString(g.storePort()), ro);
        xs.writeWithPerms(p + "/store/ring-ref", Long.toString(g.storeGfn()), ro);
        xs.writeWithPerms(p + "/console/port", Integer.toString(g.consolePort()), ro);
        xs.writeWithPerms(p + "/console/ring-ref", Long.toString(g.consoleGfn()), ro);
    }

    /** The guest built with {@code domid}. */
    public GuestDomain guest(int domid) {
        GuestDomain g = guests.get(domid);
        if (g == null) {
            throw new IllegalArgumentException("the toolstack built no d" + domid);
        }
        return g;
    }

    /** Frontend directory {@code /local/domain/<fe>/device/<type>/<devid>}. */
    public static String frontendPath(int feDomid, String type, int devid) {
        return "/local/domain/" + feDomid + "/device/" + type + "/" + devid;
    }

    /** Backend directory {@code /local/domain/<be>/backend/<type>/<fe>/<devid>}. */
    public static String backendPath(int beDomid, String type, int feDomid, int devid) {
        return "/local/domain/" + beDomid + "/backend/" + type + "/" + feDomid + "/" + devid;
    }

    /**
     * {@code xl <type>-attach}: the frontend directory {@code {backend, backend-id, state=1}} (owned by
     * the guest, readable by the backend) and the backend directory
     * {@code {frontend, frontend-id, online=1, state=1}} plus {@code backendKeys} (owned by the backend,
     * readable by the guest).
     */
    public void addDevice(int feDomid, String type, int devid, int beDomid, Map<String, String> backendKeys) {
        guest(feDomid).addDevice(new DeviceSpec(type, devid, beDomid, backendKeys));
        String fe = frontendPath(feDomid, type, devid);
        String be = backendPath(beDomid, type, feDomid, devid);
        String[] fePerms = {"n" + feDomid, "r" + beDomid};
        String[] bePerms = {"n" + beDomid, "r" + feDomid};
        xs.mkdir(be);
        xs.setPerms(be, bePerms);
        xs.writeWithPerms(be + "/frontend", fe, bePerms);
        xs.writeWithPerms(be + "/frontend-id", Integer.toString(feDomid), bePerms);
        xs.writeWithPerms(be + "/online", "1", bePerms);
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(backendKeys).entrySet()) {
            xs.writeWithPerms(be + "/" + e.getKey(), e.getValue(), bePerms);
        }
        xs.writeWithPerms(be + "/state", "1", bePerms);
        xs.mkdir(fe);
        xs.setPerms(fe, fePerms);
        xs.writeWithPerms(fe + "/backend", be, fePerms);
        xs.writeWithPerms(fe + "/backend-id", Integer.toString(beDomid), fePerms);
        xs.writeWithPerms(fe + "/state", "1", fePerms);
    }

    /** {@code xl <type>-detach} after the handshake: both directories removed. */
    public void removeDevice(int feDomid, String type, int devid, int beDomid) {
        GuestDomain g = guests.get(feDomid);
        if (g != null) {
            g.removeDevice(type, devid);
        }
        xs.rm(frontendPath(feDomid, type, devid));
        xs.rm(backendPath(beDomid, type, feDomid, devid));
    }

    /**
     * {@code xl destroy}: release hook, dom0's channel ends closed, the domain's store subtree and
     * {@code /vm} entry removed, backend directories for it removed, the domain destroyed on the platform.
     */
    public void destroy(int domid) {
        GuestDomain g = guests.remove(domid);
        if (g == null) {
            throw new IllegalArgumentException("the toolstack built no d" + domid + " to destroy");
        }
        hook.release(this, g);
        platform.destroyDomain(domid);
        var d0 = platform.dom0().evtchn();
        for (int port : new int[] {g.dom0StorePort(), g.dom0ConsolePort()}) {
            if (port > 0 && d0.boundPorts().containsKey(port)) {
                d0.close(port);
            }
        }
        xs.rm(g.path());
        xs.rm(g.vmPath());
        try {
            for (String type : xs.directory("/local/domain/0/backend")) {
                String dir = "/local/domain/0/backend/" + type + "/" + domid;
                if (store.node(dir).isPresent()) {
                    xs.rm(dir);
                }
            }
        } catch (IllegalStateException noBackends) {
            // no /local/domain/0/backend yet
        }
    }

    // ---------------------------------------------------------------- life cycle (xl shutdown/reboot/save/restore)

    /** Writes {@code control/shutdown} = {@code reason}'s word, as {@code xl shutdown/reboot/save} do first. */
    public void requestShutdown(int domid, ShutdownReason reason) {
        GuestDomain g = guest(domid);
        xs.write(g.path() + "/control/shutdown", reason.controlValue());
    }

    /**
     * Waits (running the kernel, from the test thread) until domain {@code domid} is shut down, for
     * at most {@code timeout} of kernel time.
     *
     * @return the reason, or empty on timeout (or when nothing in the world can run any more)
     */
    public Optional<ShutdownReason> awaitShutdown(int domid, Duration timeout) {
        Domain d = platform.domain(domid);
        waitFor(d::isShutdown, timeout);
        return d.shutdownReason();
    }

    /**
     * The guest side of {@code xl save}, {@code libxl__domain_suspend}: {@code control/shutdown=suspend},
     * then wait for {@code SHUTDOWN_suspend}. On timeout the request is withdrawn (the node set back
     * to empty if the guest never acknowledged it) and the call fails naming what was seen.
     *
     * @throws ToolstackException if the guest did not suspend within {@code timeout}, or shut down for another reason
     */
    public void suspend(int domid, Duration timeout) {
        GuestDomain g = guest(domid);
        requestShutdown(domid, ShutdownReason.SUSPEND);
        Optional<ShutdownReason> r = awaitShutdown(domid, timeout);
        if (r.isEmpty()) {
            String node = g.path() + "/control/shutdown";
            String seen = xs.read(node);
            if (seen.equals(ShutdownReason.SUSPEND.controlValue())) {
                xs.write(node, "");
            }
            throw new ToolstackException(DomId.name(domid) + " did not suspend within " + timeout.toSeconds() + " s ("
                    + node + " was '" + seen + "'" + (seen.isEmpty() ? ": acknowledged, no SCHEDOP_shutdown" : ": never acknowledged")
                    + ")");
        }
        if (r.get() != ShutdownReason.SUSPEND) {
            throw new ToolstackException(DomId.name(domid) + " was asked to suspend but shut down for " + r.get().controlValue());
        }
    }

    /**
     * {@code xc_domain_resume} cooperative, what {@code xl} does when a save or a checkpoint ends
     * without destroying the domain: the guest's suspend hypercall returns 1 (cancelled).
     */
    public void resume(int domid) {
        guest(domid);
        platform.resumeDomain(domid, true);
        if (platform.kernel().log().enabled()) {
            platform.kernel().log().note("toolstack", DomId.name(domid) + " resumed (cancelled suspend)");
        }
    }

    /**
     * {@code xl save}: suspend the guest, take its image (RAM, HVM params, devices, the
     * toolstack's {@code memory/*} keys), destroy the domain.
     */
    public SavedDomain save(int domid, Duration timeout) {
        suspend(domid, timeout);
        GuestDomain g = guest(domid);
        Map<String, String> keys = new TreeMap<>();
        for (String k : xs.directory(g.path() + "/memory")) {
            keys.put("memory/" + k, xs.read(g.path() + "/memory/" + k));
        }
        SavedDomain saved = new SavedDomain(platform.saveDomain(domid), g.name(), g.uuid(), g.devices(), keys);
        destroy(domid);
        if (platform.kernel().log().enabled()) {
            platform.kernel().log().note("toolstack", DomId.name(domid) + " saved (" + saved.image().pages()
                    + " RAM frames, " + saved.devices().size() + " devices) and destroyed");
        }
        return saved;
    }

    /**
     * {@code xl restore}: a new domain with a fresh domid, RAM and HVM params from the image, the
     * store and console pages cleared, grant entries 0/1 seeded, new store and console channels
     * (params rewritten), the layout and carried keys written with the same name and uuid,
     * introduced, devices re-added in their original order, then unpaused: the guest's
     * {@code SCHEDOP_shutdown(suspend)} returns 0 in the new domain.
     */
    public GuestDomain restore(SavedDomain saved) {
        Domain d = platform.restoreDomain(saved.image(), saved.image().config().withDomid(DomainConfig.AUTO_DOMID)
                .withName(saved.name()));
        long max = d.memory().maxPages();
        long storeGfn = d.hvmParam(HvmParam.STORE_PFN) != 0 ? d.hvmParam(HvmParam.STORE_PFN) : storeGfn(max);
        long consoleGfn = d.hvmParam(HvmParam.CONSOLE_PFN) != 0 ? d.hvmParam(HvmParam.CONSOLE_PFN) : consoleGfn(max);
        GuestDomain g = build(d, saved.uuid(), storeGfn, consoleGfn);
        String[] ro = {"n0", "r" + g.domid()};
        saved.storeKeys().forEach((k, v) -> xs.writeWithPerms(g.path() + "/" + k, v, ro));
        hook.introduce(this, g);
        addDevices(g, saved.devices());
        if (platform.kernel().log().enabled()) {
            platform.kernel().log().note("toolstack", DomId.name(saved.savedFrom()) + " restored as " + DomId.name(g.domid()));
        }
        platform.unpauseDomain(g.domid());
        return g;
    }

    /** {@code xl migrate localhost}: {@link #save} then {@link #restore}. */
    public GuestDomain migrate(int domid, Duration timeout) {
        return restore(save(domid, timeout));
    }

    /**
     * {@code xl shutdown} ({@link ShutdownReason#POWEROFF}) or {@code xl reboot}
     * ({@link ShutdownReason#REBOOT}): request, wait for the guest's {@code SCHEDOP_shutdown}, then
     * act on the reason it gave, as libxl's defaults ({@code on_poweroff=destroy},
     * {@code on_reboot=restart}, {@code on_crash=destroy}) say: destroy, and for a reboot create the
     * domain again (new domid, same name, uuid and devices).
     *
     * @return the rebooted guest, or empty when the domain was destroyed
     * @throws ToolstackException if the guest did not shut down within {@code timeout}
     */
    public Optional<GuestDomain> shutdown(int domid, ShutdownReason reason, Duration timeout) {
        if (reason != ShutdownReason.POWEROFF && reason != ShutdownReason.REBOOT) {
            throw new IllegalArgumentException("xl shutdown/reboot ask for poweroff or reboot, not " + reason.controlValue());
        }
        GuestDomain g = guest(domid);
        requestShutdown(domid, reason);
        Optional<ShutdownReason> r = awaitShutdown(domid, timeout);
        if (r.isEmpty()) {
            throw new ToolstackException(DomId.name(domid) + " did not shut down within " + timeout.toSeconds()
                    + " s after control/shutdown=" + reason.controlValue() + " (the node is now '"
                    + xs.read(g.path() + "/control/shutdown") + "')");
        }
        return onShutdown(domid, r.get());
    }

    /**
     * What libxl's domain death handler does for a domain that shut down by itself with
     * {@code reason}: {@code reboot} restarts it, anything else but {@code suspend} destroys it.
     */
    public Optional<GuestDomain> onShutdown(int domid, ShutdownReason reason) {
        GuestDomain g = guest(domid);
        if (reason == ShutdownReason.SUSPEND) {
            throw new IllegalArgumentException(DomId.name(domid) + ": a suspended domain is resumed, saved or destroyed"
                    + " explicitly");
        }
        DomainConfig config = platform.domain(domid).config().withDomid(DomainConfig.AUTO_DOMID);
        List<DeviceSpec> devices = g.devices();
        destroy(domid);
        if (reason != ShutdownReason.REBOOT) {
            return Optional.empty();
        }
        GuestDomain again = createWith(config, g.uuid(), devices);
        if (platform.kernel().log().enabled()) {
            platform.kernel().log().note("toolstack", DomId.name(domid) + " rebooted as " + DomId.name(again.domid()));
        }
        return Optional.of(again);
    }

    private void waitFor(BooleanSupplier cond, Duration timeout) {
        if (cond.getAsBoolean()) {
            return;
        }
        try {
            platform.kernel().runUntil(cond, timeout);
        } catch (SimTimeoutException | DeadlockException e) {
            // reported by the caller from the state it sees
        }
    }

    /** The guests built and not destroyed. */
    public List<GuestDomain> guests() {
        return List.copyOf(guests.values());
    }

    /**
     * Whether a leak is the toolstack's own plumbing for a live guest: grant entries 0/1, the guest's
     * current store/console ports, dom0's ends of them.
     */
    public boolean owns(LeakReport.Leak leak) {
        return switch (leak) {
            case LeakReport.PermittedRef r -> guests.containsKey(r.granter()) && r.ref() < GrantTable.NR_RESERVED_ENTRIES;
            case LeakReport.BoundChannel c -> ownsPort(c.domid(), c.port());
            default -> false;
        };
    }

    private boolean ownsPort(int domid, int port) {
        if (domid == 0) {
            return guests.values().stream().anyMatch(g -> port == g.dom0StorePort() || port == g.dom0ConsolePort());
        }
        if (!guests.containsKey(domid)) {
            return false;
        }
        Domain d = platform.domain(domid);
        return port == d.hvmParam(HvmParam.STORE_EVTCHN) || port == d.hvmParam(HvmParam.CONSOLE_EVTCHN);
    }

    /** Destroys every guest still built, then closes the dom0 store connection. */
    @Override
    public void close() {
        for (GuestDomain g : guests()) {
            try {
                destroy(g.domid());
            } catch (RuntimeException e) {
                // the platform may already be gone with its kernel
            }
        }
        xs.close();
        BY_PLATFORM.remove(platform, this);
    }

    /** {@link GuestFrames#SPECIAL_PAGES}: the pages at the top of RAM the builder may use. */
    public static int specialPages() {
        return GuestFrames.SPECIAL_PAGES;
    }
}
