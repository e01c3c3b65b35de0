package org.xenpv.harness.toolstack;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.DomainConfig;
import org.xenpv.core.platform.LeakReport;
import org.xenpv.core.platform.Platform;
import org.xenpv.xenbus.memory.GuestFrames;
import org.xenpv.xenstore.daemon.XenStore;

/**
 * A simulated {@code xl}: builds guests on the {@link Platform} with the xenstore layout of
 * {@code docs/misc/xenstore-paths.pandoc} as libxl writes it (xen-pv-protocols.md §6), seeds grant
 * entries 0/1 with the console and store ring frames and sets the HVM params the guest's XENBUS reads
 * (windows-pv-drivers.md §1.3), adds and removes PV device directories, and destroys domains.
 *
 * <p>Permissions as libxl sets them: the domain directory and its {@code cpu}, {@code memory},
 * {@code device}, {@code control} subtrees are read-only to the guest ({@code n0 r<domid>}); {@code data},
 * {@code drivers}, {@code feature}, {@code attr}, {@code error} and {@code control/shutdown} belong to the
 * guest ({@code n<domid>}). A frontend directory belongs to the guest and is readable by the backend, a
 * backend directory belongs to the backend domain and is readable by the guest.
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

    public Toolstack(Platform platform, XenStore store, IntroduceHook hook) {
        this.platform = platform;
        this.store = store;
        this.xs = new Dom0Store(store);
        this.hook = hook;
        BY_PLATFORM.put(platform, this);
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
        Domain d = platform.createDomain(config);
        int id = d.domid();
        String uuid = new UUID(0x5eed_0000_0000_0000L | id, id).toString();
        long max = d.memory().maxPages();
        long storeGfn = storeGfn(max);
        long consoleGfn = consoleGfn(max);
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
        hook.introduce(this, g);
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
            xs.setPerms(p + "/" + sub, ro);
        }
        long kib = d.memory().maxPages() * 4;
        xs.writeWithPerms(p + "/memory/static-max", Long.toString(kib), ro);
        xs.writeWithPerms(p + "/memory/target", Long.toString(kib), ro);
        xs.writeWithPerms(p + "/memory/videoram", "8192", ro);
        xs.mkdir(p + "/control/shutdown"); // an empty node, as libxl's mknod
        xs.setPerms(p + "/control/shutdown", rw);
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
        guest(feDomid);
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
