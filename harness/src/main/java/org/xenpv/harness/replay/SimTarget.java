package org.xenpv.harness.replay;

import java.time.Duration;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.daemon.XenStore;

/**
 * Replay against xenpv's own daemon ({@link XenStore}, cxenstored 4.17 semantics) in this process: a
 * fresh daemon as cxenstored starts (tree {@code /}, {@code /tool}, {@code /tool/xenstored}; dom0
 * introduced), socket clients as privileged dom0 connections, domains as unprivileged ring
 * connections. Everything is synchronous: a reply and the events a request causes are in the inboxes
 * before {@code send} returns, so nothing is ever waited for.
 */
public final class SimTarget implements ReplayTarget {

    private final XenStore store;
    private final ReplayPlatform platform;

    public SimTarget(ReplayPlatform platform) {
        this(platform, XenStore.builder());
    }

    /** With a daemon configured by {@code builder} (e.g. with a trace sink); the platform is set here. */
    public SimTarget(ReplayPlatform platform, XenStore.Builder builder) {
        this.platform = platform;
        this.store = builder.platform(platform).build();
    }

    /** A fresh daemon where every domain exists. */
    public static SimTarget fresh() {
        return new SimTarget(ReplayPlatform.allDomains());
    }

    /** The daemon, for inspection after a replay. */
    public XenStore store() {
        return store;
    }

    @Override
    public String describe() {
        return "sim (in-process xenpv daemon, cxenstored 4.17 semantics; " + platform.describe() + ")";
    }

    @Override
    public Duration waitTime() {
        return Duration.ZERO;
    }

    @Override
    public XsConnection openSocket(String name) {
        return new SimConnection(name, store.connect(0, true, null), true);
    }

    @Override
    public XsConnection domainConnection(int domid, String name) {
        org.xenpv.xenstore.daemon.XsConnection c = store.domainConnection(domid)
                .orElseGet(() -> store.connect(domid, false, null));
        return new SimConnection(name, c, false);
    }

    @Override
    public void domainGone(int domid) {
        platform.kill(domid);
        store.checkDomains();
    }

    @Override
    public boolean supportsDomains() {
        return true;
    }

    @Override
    public void close() {
        for (org.xenpv.xenstore.daemon.XsConnection c : store.connections()) {
            if (!c.isDomainConnection()) {
                c.close();
            }
        }
    }
}
