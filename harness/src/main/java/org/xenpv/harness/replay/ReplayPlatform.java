package org.xenpv.harness.replay;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * The hypervisor as a replay assumes it: which domains exist for {@code xc_domain_getinfo}. A trace
 * does not record this, yet it decides SET_PERMS (an owner that does not exist is ENOENT) and
 * INTRODUCE. By default every domain exists (a toolstack writes a guest's tree after creating the
 * domain); a replay that knows better lists the existing domains ({@code --domains}, or {@code domains}
 * in the trace's expectations file). Domains that connect or are introduced exist from then on, as in
 * {@link org.xenpv.xenstore.domain.SimpleDomainPlatform}.
 */
public final class ReplayPlatform implements XsDomainPlatform {

    private final boolean all;
    private final Map<Integer, DomainInfo> domains = new HashMap<>();
    /** With "every domain exists": domains destroyed since, until introduced or connected again. */
    private final Set<Integer> gone = new java.util.HashSet<>();

    private ReplayPlatform(boolean all, Set<Integer> listed) {
        this.all = all;
        domains.put(0, DomainInfo.RUNNING);
        for (int d : listed) {
            domains.put(d, DomainInfo.RUNNING);
        }
    }

    /** Every domain exists. */
    public static ReplayPlatform allDomains() {
        return new ReplayPlatform(true, Set.of());
    }

    /** Only dom0 and these domains exist (until others are introduced). */
    public static ReplayPlatform only(Set<Integer> domids) {
        return new ReplayPlatform(false, domids);
    }

    /** For reports: {@code all} or the list. */
    public String describe() {
        return all ? "every domain exists" : "domains " + new TreeSet<>(domains.keySet());
    }

    @Override
    public DomainInfo domainInfo(int domid) {
        DomainInfo i = domains.get(domid);
        return i == null && all && !gone.contains(domid) ? DomainInfo.RUNNING : i;
    }

    @Override
    public Consumer<XsMessage> introduce(int domid, String gfn, int port) {
        gone.remove(domid);
        domains.putIfAbsent(domid, DomainInfo.RUNNING);
        return null;
    }

    @Override
    public void domainConnected(int domid) {
        gone.remove(domid);
        domains.putIfAbsent(domid, DomainInfo.RUNNING);
    }

    /** The domain is dying: the daemon's next {@code check_domains()} destroys it. */
    public void kill(int domid) {
        domains.put(domid, new DomainInfo(true, true));
    }

    /** Once the daemon has released a dying domain, the hypervisor forgets it. */
    @Override
    public void domainReleased(int domid) {
        DomainInfo i = domains.get(domid);
        if (i != null && i.dying()) {
            domains.remove(domid);
            if (all) {
                gone.add(domid);
            }
        }
    }
}
