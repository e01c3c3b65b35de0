package org.xenpv.xenstore.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * Default {@link XsDomainPlatform} without a hypervisor: dom0 exists, every domain that connects or is
 * introduced exists from then on, and tests can declare, shut down or kill domains. INTRODUCE always
 * succeeds and leaves the connection's output unattached until {@code XsConnection.setOutput}.
 */
public final class SimpleDomainPlatform implements XsDomainPlatform {

    private final Map<Integer, DomainInfo> domains = new HashMap<>();

    public SimpleDomainPlatform() {
        domains.put(0, DomainInfo.RUNNING);
    }

    /** Declares a running domain (it "exists in the hypervisor"). */
    public SimpleDomainPlatform create(int domid) {
        domains.put(domid, DomainInfo.RUNNING);
        return this;
    }

    public void shutdown(int domid) {
        if (domains.containsKey(domid)) {
            domains.put(domid, new DomainInfo(true, domains.get(domid).dying()));
        }
    }

    /** Marks the domain dying: the next {@code checkDomains()} destroys it in the daemon. */
    public void kill(int domid) {
        domains.put(domid, new DomainInfo(true, true));
    }

    /** Removes the domain entirely (as after it has been fully destroyed). */
    public void destroy(int domid) {
        domains.remove(domid);
    }

    @Override
    public DomainInfo domainInfo(int domid) {
        return domains.get(domid);
    }

    @Override
    public Consumer<XsMessage> introduce(int domid, String gfn, int port) {
        domains.putIfAbsent(domid, DomainInfo.RUNNING);
        return null;
    }

    @Override
    public void domainConnected(int domid) {
        domains.putIfAbsent(domid, DomainInfo.RUNNING);
    }

    @Override
    public void domainReleased(int domid) {
        DomainInfo i = domains.get(domid);
        if (i != null && i.dying()) {
            domains.remove(domid);
        }
    }
}
