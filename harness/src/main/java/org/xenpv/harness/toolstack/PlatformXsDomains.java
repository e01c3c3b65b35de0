package org.xenpv.harness.toolstack;

import java.util.function.Consumer;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * The store engine's view of the hypervisor ({@code xc_domain_getinfo}) answered by the simulated
 * {@link Platform}: a domain exists while it runs or is dying. INTRODUCE attaches no ring here (the
 * output is attached later, by the ring transport); the engine's SET_PERMS checks owners against this.
 * A domain in {@code SCHEDOP_shutdown} reports shut down, so xenstored fires {@code @releaseDomain}.
 */
public final class PlatformXsDomains implements XsDomainPlatform {

    private final Platform platform;

    public PlatformXsDomains(Platform platform) {
        this.platform = platform;
    }

    @Override
    public DomainInfo domainInfo(int domid) {
        if (domid == 0) {
            return DomainInfo.RUNNING;
        }
        for (Domain z : platform.zombies()) {
            if (z.domid() == domid) {
                return new DomainInfo(false, true);
            }
        }
        return platform.findDomain(domid).map(d -> d.isShutdown() ? new DomainInfo(true, false) : DomainInfo.RUNNING)
                .orElse(null);
    }

    @Override
    public Consumer<XsMessage> introduce(int domid, String gfn, int port) {
        return null;
    }
}
