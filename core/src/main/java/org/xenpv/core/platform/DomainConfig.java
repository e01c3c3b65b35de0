package org.xenpv.core.platform;

import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.grant.GrantOps;
import org.xenpv.core.grant.GrantTable;

/**
 * How to build a domain (the parts of {@code xen_domctl_createdomain} and libxl's build info the
 * platform models).
 *
 * @param name               for logs and {@code xl list}
 * @param domid              the id to use, or {@link #AUTO_DOMID} to let the platform pick one
 * @param privileged         a control domain (may act on other domains' event channels)
 * @param vcpus              number of vCPUs (1..32: each has a {@code vcpu_info} in shared info)
 * @param maxMemoryPages     RAM in 4 KiB frames (gfn 0 .. maxMemoryPages-1)
 * @param maxGrantFrames     {@code max_grant_frames} (Xen default 64)
 * @param maxMaptrackHandles how many grants it may map at once
 * @param maxEvtchnPort      {@code max_evtchn_port} (libxl default 1023; unlimited for dom0)
 * @param fifoEvtchn         whether {@code EVTCHNOP_init_control} works (off: the guest must fall back to 2-level)
 */
public record DomainConfig(String name, int domid, boolean privileged, int vcpus, long maxMemoryPages,
                           int maxGrantFrames, int maxMaptrackHandles, int maxEvtchnPort, boolean fifoEvtchn) {

    /** Let the platform allocate the domid. */
    public static final int AUTO_DOMID = -1;
    /** Default guest RAM: 1 GiB (frames are allocated only when touched). */
    public static final long DEFAULT_MEMORY_PAGES = 262_144;
    /** libxl's default {@code event_channels} limit for guests. */
    public static final int DEFAULT_MAX_EVTCHN_PORT = 1023;

    public DomainConfig {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a domain needs a name");
        }
        if (domid != AUTO_DOMID && (domid < 0 || domid >= DomId.DOMID_FIRST_RESERVED)) {
            throw new IllegalArgumentException("domain '" + name + "': domid " + domid + " is reserved or out of range");
        }
        if (vcpus < 1 || vcpus > SharedInfo.LEGACY_MAX_VCPUS) {
            throw new IllegalArgumentException("domain '" + name + "': " + vcpus + " vCPUs (1.." + SharedInfo.LEGACY_MAX_VCPUS + ")");
        }
        if (maxMemoryPages < 1) {
            throw new IllegalArgumentException("domain '" + name + "': memory " + maxMemoryPages + " pages");
        }
        if (maxGrantFrames < GrantTable.INITIAL_FRAMES) {
            throw new IllegalArgumentException("domain '" + name + "': max_grant_frames " + maxGrantFrames);
        }
        if (maxMaptrackHandles < 0) {
            throw new IllegalArgumentException("domain '" + name + "': maptrack size " + maxMaptrackHandles);
        }
        if (maxEvtchnPort < 0) {
            throw new IllegalArgumentException("domain '" + name + "': max_evtchn_port " + maxEvtchnPort);
        }
    }

    /** An unprivileged HVM guest with Xen's and libxl's defaults, domid picked by the platform. */
    public static DomainConfig guest(String name) {
        return new DomainConfig(name, AUTO_DOMID, false, 1, DEFAULT_MEMORY_PAGES, GrantTable.DEFAULT_MAX_FRAMES,
                GrantOps.DEFAULT_MAX_HANDLES, DEFAULT_MAX_EVTCHN_PORT, true);
    }

    /** The control domain: domid 0, privileged, no event-channel port limit beyond the ABI's. */
    public static DomainConfig dom0() {
        return new DomainConfig("Domain-0", 0, true, 1, DEFAULT_MEMORY_PAGES, GrantTable.DEFAULT_MAX_FRAMES,
                GrantOps.DEFAULT_MAX_HANDLES, Integer.MAX_VALUE, true);
    }

    public DomainConfig withName(String n) {
        return new DomainConfig(n, domid, privileged, vcpus, maxMemoryPages, maxGrantFrames, maxMaptrackHandles,
                maxEvtchnPort, fifoEvtchn);
    }

    public DomainConfig withDomid(int id) {
        return new DomainConfig(name, id, privileged, vcpus, maxMemoryPages, maxGrantFrames, maxMaptrackHandles,
                maxEvtchnPort, fifoEvtchn);
    }

    public DomainConfig withPrivileged(boolean p) {
        return new DomainConfig(name, domid, p, vcpus, maxMemoryPages, maxGrantFrames, maxMaptrackHandles,
                maxEvtchnPort, fifoEvtchn);
    }

    public DomainConfig withVcpus(int n) {
        return new DomainConfig(name, domid, privileged, n, maxMemoryPages, maxGrantFrames, maxMaptrackHandles,
                maxEvtchnPort, fifoEvtchn);
    }

    public DomainConfig withMemoryPages(long pages) {
        return new DomainConfig(name, domid, privileged, vcpus, pages, maxGrantFrames, maxMaptrackHandles,
                maxEvtchnPort, fifoEvtchn);
    }

    public DomainConfig withMaxGrantFrames(int frames) {
        return new DomainConfig(name, domid, privileged, vcpus, maxMemoryPages, frames, maxMaptrackHandles,
                maxEvtchnPort, fifoEvtchn);
    }

    public DomainConfig withMaxMaptrackHandles(int handles) {
        return new DomainConfig(name, domid, privileged, vcpus, maxMemoryPages, maxGrantFrames, handles,
                maxEvtchnPort, fifoEvtchn);
    }

    public DomainConfig withMaxEvtchnPort(int port) {
        return new DomainConfig(name, domid, privileged, vcpus, maxMemoryPages, maxGrantFrames, maxMaptrackHandles,
                port, fifoEvtchn);
    }

    /** Whether the FIFO event-channel ABI is offered (false: {@code EVTCHNOP_init_control} is {@code -ENOSYS}). */
    public DomainConfig withFifoEvtchn(boolean on) {
        return new DomainConfig(name, domid, privileged, vcpus, maxMemoryPages, maxGrantFrames, maxMaptrackHandles,
                maxEvtchnPort, on);
    }
}
