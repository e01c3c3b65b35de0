package org.xenpv.harness.replay;

import java.io.IOException;
import java.time.Duration;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.cxenstored.RealCxenstored;

/**
 * The real cxenstored 4.17 rig as a replay target: dom0 clients on its Unix socket and guests on
 * shared rings ({@link org.xenpv.xenstore.cxenstored.RingGuest}), so that traces with domain connections
 * replay against the real daemon too. The daemon is owned by the caller.
 */
final class RealCxenstoredTarget implements ReplayTarget {

    /** Replies of the real daemon come within milliseconds; this only bounds a missing one. */
    static final Duration WAIT = Duration.ofSeconds(2);

    private final RealCxenstored daemon;
    private final java.util.Set<Integer> domains;

    /** @param domains the domains the daemon's stub hypervisor has (as started) */
    RealCxenstoredTarget(RealCxenstored daemon, java.util.Set<Integer> domains) {
        this.daemon = daemon;
        this.domains = new java.util.TreeSet<>(domains);
    }

    /** The stub's hypervisor forgets the domain and raises VIRQ_DOM_EXC; the daemon handles it asynchronously. */
    @Override
    public void domainGone(int domid) throws IOException {
        domains.remove(domid);
        StringBuilder sb = new StringBuilder();
        for (int d : domains) {
            sb.append(sb.isEmpty() ? "" : " ").append(d);
        }
        daemon.setDomains(sb.toString());
        daemon.kickVirq();
    }

    @Override
    public String describe() {
        return "real cxenstored 4.17 (pid " + daemon.pid() + ", socket and guest rings)";
    }

    @Override
    public Duration waitTime() {
        return WAIT;
    }

    @Override
    public XsConnection openSocket(String name) throws IOException {
        return daemon.connect(name);
    }

    @Override
    public void beforeIntroduce(int domid) throws IOException {
        daemon.guest(domid);
    }

    @Override
    public XsConnection domainConnection(int domid, String name) throws IOException {
        if (domid == 0) {
            throw new UnsupportedOperationException("dom0's own ring is not reachable in the rig");
        }
        return daemon.guest(domid, name);
    }

    @Override
    public boolean supportsDomains() {
        return true;
    }

    @Override
    public void close() {
    }
}
