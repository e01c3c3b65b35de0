package org.xenpv.xenstore.server;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsProtocolException;

/**
 * A client of a {@code --domain N=PATH} socket: one process inside unprivileged guest N talking to
 * xenstore through the guest's single ring connection, which {@link GuestMux} shares between all such
 * clients the way a guest kernel's xenbus device does. The session remembers which watches and
 * transactions it created so that they can be routed back to it and cleaned up when it goes.
 *
 * <p>A framing violation ({@code len > 4096}) ends only this client: in the model the bytes never reach
 * the shared ring (a guest kernel refuses such a write), so the domain's connection stays healthy.
 */
final class GuestSession extends XsSocketSession {

    /** A watch registered through this client: byte-exact path and token. */
    record WatchKey(String wpath, String token) {
    }

    private final GuestMux mux;
    private final int number;
    final List<WatchKey> watches = new ArrayList<>();
    final Set<Integer> transactions = new LinkedHashSet<>();

    GuestSession(XsServer server, GuestMux mux, int number) {
        super(server);
        this.mux = mux;
        this.number = number;
    }

    @Override
    protected void opened() {
        mux.attach(this);
    }

    @Override
    protected boolean request(XsMessage msg) {
        mux.request(this, msg);
        return !isEnded();
    }

    @Override
    protected void protocolError(XsProtocolException e) {
        // Only this client goes; closed() detaches it from the shared connection.
    }

    @Override
    protected void closed() {
        mux.detach(this);
    }

    @Override
    protected boolean wantsInput() {
        return !mux.stalled();
    }

    @Override
    public String describe() {
        return "domain " + Integer.toUnsignedString(mux.domid()) + " socket " + mux.listener() + " client #" + number;
    }
}
