package org.xenpv.xenstore.domain;

import java.util.function.Consumer;
import org.xenpv.xenstore.wire.XsMessage;

/**
 * What the daemon asks the hypervisor side (cxenstored 4.17 uses libxenctrl, gnttab and evtchn for
 * this; xen-pv-protocols.md §3.5). The platform supplies it; {@link SimpleDomainPlatform} is the default
 * for tests without a simulated hypervisor.
 */
public interface XsDomainPlatform {

    /** State of an existing domain ({@code xc_dominfo_t} flags cxenstored looks at). */
    record DomainInfo(boolean shutdown, boolean dying) {
        public static final DomainInfo RUNNING = new DomainInfo(false, false);
    }

    /** Failure of a hypervisor call, carrying the errno cxenstored would report. */
    final class PlatformException extends Exception {
        private final int errno;

        public PlatformException(int errno, String message) {
            super(message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    /**
     * {@code xc_domain_getinfo()}: the domain's state, or {@code null} if no such domain exists. Used for
     * SET_PERMS (an owner that does not exist gives ENOENT, other entries are ignored), node accounting
     * and {@code check_domains()}.
     */
    DomainInfo domainInfo(int domid);

    default boolean domainExists(int domid) {
        return domainInfo(domid) != null;
    }

    /**
     * INTRODUCE of a domain not yet introduced: map its ring ({@code GNTTAB_RESERVED_XENSTORE}) and bind
     * the event channel. Returns where the new connection's output goes (the ring writer), or {@code null}
     * to attach it later ({@code XsConnection.setOutput}).
     *
     * @param gfn the gfn argument as sent (cxenstored 4.17 does not use it)
     * @throws PlatformException when mapping or binding fails; INTRODUCE then fails with its errno
     */
    Consumer<XsMessage> introduce(int domid, String gfn, int port) throws PlatformException;

    /** INTRODUCE of an already introduced domain: rebind the event channel. */
    default void rebind(int domid, int port) {
    }

    /** {@code domain_conn_reset()}: the ring indexes are reset to 0 after INTRODUCE. */
    default void resetRing(int domid) {
    }

    /** {@code ignore_connection()}: the ring's {@code error} field is set to this reason. */
    default void ringError(int domid, int reason) {
    }

    /** A domain connection exists now (INTRODUCE or a direct connect). */
    default void domainConnected(int domid) {
    }

    /** The domain was destroyed in the daemon: unbind the event channel, unmap the ring. */
    default void domainReleased(int domid) {
    }
}
