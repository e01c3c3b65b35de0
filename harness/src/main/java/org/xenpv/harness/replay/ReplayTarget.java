package org.xenpv.harness.replay;

import java.io.IOException;
import java.time.Duration;
import org.xenpv.xenstore.client.XsConnection;

/**
 * The xenstore daemon a trace is replayed against ({@code docs/traces.md}, "Replay"): it hands out
 * client connections of the two kinds a trace contains, privileged socket clients and domains' ring
 * connections. Connections are {@link XsConnection}s, so an in-process daemon ({@link SimTarget}), a
 * Unix socket ({@link SocketTarget}) and test rigs with real rings all look the same to the replayer.
 */
public interface ReplayTarget extends AutoCloseable {

    /** One line for reports: what was replayed against. */
    String describe();

    /**
     * How long to wait for a reply or watch event that the trace says comes. Zero for an in-process
     * daemon, which has answered before {@code send} returns.
     */
    Duration waitTime();

    /**
     * Whether messages arrive asynchronously (a real transport): then, before a connection is closed
     * and at the end, the replayer makes one round trip on it so that every event the daemon queued for
     * it has arrived and can be compared.
     */
    default boolean asynchronous() {
        return !waitTime().isZero();
    }

    /** A new privileged client connection (a Unix-socket client: dom0 in cxenstored 4.17). */
    XsConnection openSocket(String name) throws IOException;

    /**
     * The ring connection of domain {@code domid} (domid 0: dom0's own ring). Called after the
     * replayed INTRODUCE created it, or for a trace that shows a domain connection without its
     * INTRODUCE.
     *
     * @throws UnsupportedOperationException with a message saying why, when this target cannot talk
     *                                       as a domain (a Unix socket only has dom0 clients)
     */
    XsConnection domainConnection(int domid, String name) throws IOException;

    /** Called before an INTRODUCE of {@code domid} is sent (a ring rig prepares the guest's page). */
    default void beforeIntroduce(int domid) throws IOException {
    }

    /**
     * The hypervisor destroyed domain {@code domid} (it died without a RELEASE): tell the daemon as the
     * hypervisor would ({@code VIRQ_DOM_EXC}, then cxenstored's {@code check_domains()}), so that it
     * releases the domain and fires {@code @releaseDomain}.
     *
     * @throws UnsupportedOperationException if this target's hypervisor cannot be driven (a socket)
     */
    default void domainGone(int domid) throws IOException {
        throw new UnsupportedOperationException("cannot make domain " + Integer.toUnsignedString(domid) + " die on "
                + describe());
    }

    /** Whether {@link #domainConnection} works here. */
    boolean supportsDomains();

    @Override
    void close();
}
