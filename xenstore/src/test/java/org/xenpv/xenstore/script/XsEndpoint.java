package org.xenpv.xenstore.script;

import java.io.IOException;
import org.xenpv.xenstore.client.XsConnection;

/**
 * A running xenstore daemon that op scripts can talk to: privileged dom0 connections (the Unix
 * socket) and, where supported, unprivileged guests over shared rings. One endpoint serves one
 * script run from a fresh store.
 */
public interface XsEndpoint extends AutoCloseable {

    /** A new privileged (dom0) connection named {@code name}. */
    XsConnection dom0(String name) throws IOException;

    /**
     * The connection of guest {@code domid}, named {@code name}. It becomes usable once dom0 has
     * sent {@code INTRODUCE domid <gfn> <evtchn>}.
     *
     * @throws UnsupportedOperationException if this endpoint cannot host guests
     */
    XsConnection guest(String name, int domid) throws IOException;

    /** A short description for messages ({@code "cxenstored 4.17 pid 1234"}). */
    String describe();

    @Override
    void close();
}
