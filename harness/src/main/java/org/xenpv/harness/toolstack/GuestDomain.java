package org.xenpv.harness.toolstack;

/**
 * What the toolstack set up for one guest: its store and console ring frames and ports (the guest's
 * ports as first allocated; XENBUS may re-bind them and rewrite the HVM params), and dom0's ends once
 * bound.
 */
public final class GuestDomain {

    private final int domid;
    private final String name;
    private final String uuid;
    private final long storeGfn;
    private final long consoleGfn;
    private final int storePort;
    private final int consolePort;
    private volatile int dom0StorePort = -1;
    private volatile int dom0ConsolePort = -1;
    private final java.util.List<DeviceSpec> devices = new java.util.concurrent.CopyOnWriteArrayList<>();

    GuestDomain(int domid, String name, String uuid, long storeGfn, long consoleGfn, int storePort, int consolePort) {
        this.domid = domid;
        this.name = name;
        this.uuid = uuid;
        this.storeGfn = storeGfn;
        this.consoleGfn = consoleGfn;
        this.storePort = storePort;
        this.consolePort = consolePort;
    }

    public int domid() { return domid; }

    public String name() { return name; }

    public String uuid() { return uuid; }

    /** {@code /local/domain/<domid>}. */
    public String path() { return "/local/domain/" + domid; }

    /** {@code /vm/<uuid>}. */
    public String vmPath() { return "/vm/" + uuid; }

    public long storeGfn() { return storeGfn; }

    public long consoleGfn() { return consoleGfn; }

    public int storePort() { return storePort; }

    public int consolePort() { return consolePort; }

    /** dom0's end of the store channel, or -1 before the introduce hook bound it. */
    public int dom0StorePort() { return dom0StorePort; }

    public void dom0StorePort(int p) { dom0StorePort = p; }

    /** dom0's end of the console channel, or -1. */
    public int dom0ConsolePort() { return dom0ConsolePort; }

    public void dom0ConsolePort(int p) { dom0ConsolePort = p; }

    /** The devices attached with {@link Toolstack#addDevice} and not removed, in attach order. */
    public java.util.List<DeviceSpec> devices() { return java.util.List.copyOf(devices); }

    void addDevice(DeviceSpec d) { devices.add(d); }

    void removeDevice(String type, int devid) { devices.removeIf(d -> d.type().equals(type) && d.devid() == devid); }

    @Override
    public String toString() {
        return "d" + domid + " '" + name + "' store gfn 0x" + Long.toHexString(storeGfn) + " port " + storePort
                + ", console gfn 0x" + Long.toHexString(consoleGfn) + " port " + consolePort;
    }
}
