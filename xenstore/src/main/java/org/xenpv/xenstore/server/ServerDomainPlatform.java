package org.xenpv.xenstore.server;

import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * The daemon's hypervisor side when it runs as a socket server: domain existence comes from a delegate
 * (by default {@link org.xenpv.xenstore.domain.SimpleDomainPlatform}); the "rings" of guests with a
 * {@code --domain} socket are their {@link GuestMux}es. INTRODUCE of a domain without such a socket
 * succeeds with an output that discards everything (nobody could read that ring), so a dom0 tool
 * introducing arbitrary domains cannot make the server queue output without bound.
 */
final class ServerDomainPlatform implements XsDomainPlatform {

    private static final Logger LOG = LoggerFactory.getLogger(ServerDomainPlatform.class);

    private final XsDomainPlatform delegate;
    private final IntFunction<GuestMux> muxes;

    ServerDomainPlatform(XsDomainPlatform delegate, IntFunction<GuestMux> muxes) {
        this.delegate = delegate;
        this.muxes = muxes;
    }

    @Override
    public DomainInfo domainInfo(int domid) {
        return delegate.domainInfo(domid);
    }

    @Override
    public Consumer<XsMessage> introduce(int domid, String gfn, int port) throws PlatformException {
        Consumer<XsMessage> out = delegate.introduce(domid, gfn, port);
        GuestMux mux = muxes.apply(domid);
        if (mux != null) {
            return mux.output();
        }
        if (out != null) {
            return out;
        }
        LOG.info("INTRODUCE of domain {} which has no socket: its output is discarded", Integer.toUnsignedString(domid));
        return m -> LOG.debug("domain {} has no socket; discarding {}", Integer.toUnsignedString(domid), m);
    }

    @Override
    public void rebind(int domid, int port) {
        delegate.rebind(domid, port);
    }

    @Override
    public void resetRing(int domid) {
        delegate.resetRing(domid);
        GuestMux mux = muxes.apply(domid);
        if (mux != null) {
            mux.reset();
        }
    }

    @Override
    public void ringError(int domid, int reason) {
        delegate.ringError(domid, reason);
    }

    @Override
    public void domainConnected(int domid) {
        delegate.domainConnected(domid);
    }

    @Override
    public void domainReleased(int domid) {
        delegate.domainReleased(domid);
        GuestMux mux = muxes.apply(domid);
        if (mux != null) {
            mux.released();
        }
    }
}
