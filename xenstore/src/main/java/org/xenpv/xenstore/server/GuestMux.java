package org.xenpv.xenstore.server;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.wire.XsError;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * The ring connection of one unprivileged guest domain, shared by every client of that guest's
 * {@code --domain N=PATH} socket. In a real guest all processes reach xenstored through one ring, and the
 * guest kernel's xenbus device multiplexes them (routes replies to the process that asked, watch events to
 * the process that registered the watch, and unwatches and aborts what a process leaves behind when it
 * exits). This class does the same in front of the daemon's connection for domain N, so to the daemon the
 * guest is exactly one unprivileged connection: relative paths resolve under {@code /local/domain/N},
 * permissions, quotas (per domain, as in cxenstored) and watch-event filtering apply.
 *
 * <p>Routing needs no id rewriting because the daemon answers each request before the next is handed to
 * it: every reply produced while a client's request is processed is that client's. Watch events are routed
 * by token and watched path. Limits of the model (documented in docs/xenstore-deviations.md): two clients
 * cannot register the very same (path, token) pair (the daemon answers EEXIST, as for one connection);
 * RESET_WATCHES from one client resets the whole domain connection; transaction ids are shared.
 *
 * <p>Requests arriving while the domain is not introduced (a listener that waits for dom0's INTRODUCE) or
 * while the daemon will not read from the domain ({@code domain_can_read()} false: memory or outstanding
 * quota) are held in order, and the clients' input is paused until they can be processed. Confined to the
 * server's event loop.
 */
final class GuestMux {

    private static final Logger LOG = LoggerFactory.getLogger(GuestMux.class);

    private record Held(GuestSession from, XsMessage msg) {
    }

    private final XsServer server;
    private final int domid;
    private final Path listener;
    private final boolean autoIntroduce;
    private final int port;
    private final List<GuestSession> clients = new ArrayList<>();
    private final Deque<Held> held = new ArrayDeque<>();
    private XsConnection conn;
    private GuestSession current;
    private XsMessage reply;
    /** The WATCH being processed: its initial event goes to {@link #current}. */
    private GuestSession.WatchKey registering;
    private int sessions;

    GuestMux(XsServer server, int domid, Path listener, boolean autoIntroduce, int port) {
        this.server = server;
        this.domid = domid;
        this.listener = listener;
        this.autoIntroduce = autoIntroduce;
        this.port = port;
    }

    int domid() {
        return domid;
    }

    Path listener() {
        return listener;
    }

    /** Where the daemon sends this domain's replies and events. */
    Consumer<XsMessage> output() {
        return this::deliver;
    }

    GuestSession newSession() {
        return new GuestSession(server, this, ++sessions);
    }

    /** True while requests are held back (not introduced yet, or over quota). */
    boolean stalled() {
        return !held.isEmpty();
    }

    /** The daemon's live connection of this domain, or null. */
    private XsConnection connection() {
        if (conn == null || conn.isClosed()) {
            conn = server.store().domainConnection(domid).orElse(null);
        }
        return conn;
    }

    /**
     * Introduces the domain on behalf of the toolstack if it is not introduced, and gives it a home
     * ({@code /local/domain/<domid>} owned by the guest) if it has none (first start, or after a RELEASE
     * deleted the nodes the guest owned).
     */
    void ensureIntroduced() {
        if (connection() == null) {
            conn = server.store().introduce(domid, port, output());
            LOG.info("domain {} introduced for socket {}", Integer.toUnsignedString(domid), listener);
            server.createHome(domid);
        }
    }

    void attach(GuestSession s) {
        if (autoIntroduce) {
            ensureIntroduced();
        }
        clients.add(s);
    }

    /** A client went away: drop its held requests, abort its transactions, remove its watches. */
    void detach(GuestSession s) {
        clients.remove(s);
        held.removeIf(h -> h.from == s);
        XsConnection c = connection();
        if (c != null && !c.isClosed() && !c.isIgnored()) {
            for (Integer tx : List.copyOf(s.transactions)) {
                internal(XsMessage.of(XsType.TRANSACTION_END, 0, tx, "F"));
            }
            for (GuestSession.WatchKey w : List.copyOf(s.watches)) {
                internal(XsMessage.of(XsType.UNWATCH, 0, 0, w.wpath(), w.token()));
            }
        }
        s.transactions.clear();
        s.watches.clear();
        updateClients();
    }

    /** A request from client {@code s}. */
    void request(GuestSession s, XsMessage m) {
        if (!held.isEmpty() || !ready()) {
            held.add(new Held(s, m));
            updateClients();
            return;
        }
        process(s, m);
    }

    /** Processes held requests once the daemon reads from the domain again. */
    void resume() {
        if (held.isEmpty()) {
            return;
        }
        while (!held.isEmpty() && ready()) {
            Held h = held.poll();
            if (!h.from.isEnded()) {
                process(h.from, h.msg);
            }
        }
        updateClients();
    }

    private boolean ready() {
        XsConnection c = connection();
        // An ignored connection is handed requests anyway: the daemon drops them, as cxenstored does.
        return c != null && (c.canAcceptInput() || c.isIgnored());
    }

    private void updateClients() {
        for (GuestSession s : clients) {
            s.updateAutoRead();
        }
    }

    private void process(GuestSession s, XsMessage m) {
        XsType type = m.knownType();
        List<String> args = type == XsType.WATCH || type == XsType.UNWATCH ? m.strings() : List.of();
        GuestSession.WatchKey key = args.size() >= 2 ? new GuestSession.WatchKey(args.get(0), args.get(1)) : null;
        if (type == XsType.WATCH && key != null) {
            s.watches.add(key);
            registering = key;
        }
        current = s;
        reply = null;
        try {
            conn.handle(m);
        } finally {
            current = null;
            registering = null;
        }
        XsMessage r = reply;
        reply = null;
        if (r == null || type == null) {
            if (type == XsType.WATCH && key != null) {
                s.watches.remove(key);
            }
            return;
        }
        boolean ok = r.type() != XsType.ERROR.code();
        switch (type) {
            case WATCH -> {
                if (!ok && key != null) {
                    s.watches.remove(key);
                }
            }
            case UNWATCH -> {
                if (ok && key != null) {
                    s.watches.remove(key);
                }
            }
            case TRANSACTION_START -> {
                if (ok) {
                    try {
                        s.transactions.add(Integer.parseUnsignedInt(XsPayload.cString(r.payload(), 0)));
                    } catch (NumberFormatException e) {
                        LOG.warn("domain {}: TRANSACTION_START reply without an id: {}", Integer.toUnsignedString(domid), r);
                    }
                }
            }
            case TRANSACTION_END -> {
                // The transaction is gone unless the request was refused before the lookup.
                String err = ok ? null : XsPayload.cString(r.payload(), 0);
                if (ok || !(XsError.EINVAL.name().equals(err) || XsError.ENOENT.name().equals(err))) {
                    for (GuestSession c : clients) {
                        c.transactions.remove(m.txId());
                    }
                }
            }
            case RESET_WATCHES -> {
                if (ok) {
                    forgetAll();
                }
            }
            default -> {
            }
        }
    }

    /** A request made on behalf of a departed client; its reply is discarded. */
    private void internal(XsMessage m) {
        current = null;
        conn.handle(m);
        reply = null;
    }

    /** Output of the domain's connection. */
    private void deliver(XsMessage m) {
        if (m.type() != XsType.WATCH_EVENT.code()) {
            if (current != null) {
                reply = m;
                current.send(m);
            } else {
                LOG.debug("domain {}: discarding reply to an internal request: {}", Integer.toUnsignedString(domid), m);
            }
            return;
        }
        List<String> ev = m.strings();
        if (ev.size() < 2) {
            LOG.warn("domain {}: malformed watch event from the daemon: {}", Integer.toUnsignedString(domid), m);
            return;
        }
        String epath = ev.get(0);
        String token = ev.get(1);
        if (registering != null && current != null && registering.wpath().equals(epath)
                && registering.token().equals(token)) {
            registering = null;
            current.send(m);
            return;
        }
        List<GuestSession> byToken = new ArrayList<>(1);
        List<GuestSession> byPath = new ArrayList<>(1);
        for (GuestSession c : clients) {
            for (GuestSession.WatchKey w : c.watches) {
                if (w.token().equals(token)) {
                    if (!byToken.contains(c)) {
                        byToken.add(c);
                    }
                    if (covers(w.wpath(), epath) && !byPath.contains(c)) {
                        byPath.add(c);
                    }
                }
            }
        }
        List<GuestSession> to = byToken.size() <= 1 || byPath.isEmpty() ? byToken : byPath;
        if (to.isEmpty()) {
            LOG.debug("domain {}: no client watches token {}; event dropped: {}", Integer.toUnsignedString(domid),
                    token, m);
        }
        for (GuestSession c : to) {
            c.send(m);
        }
    }

    /** Whether a watch on {@code wpath} fires for a change of {@code epath} ({@code is_child()}). */
    static boolean covers(String wpath, String epath) {
        if (wpath.equals(epath)) {
            return true;
        }
        if (wpath.equals("/")) {
            return epath.startsWith("/");
        }
        return epath.startsWith(wpath) && epath.length() > wpath.length() && epath.charAt(wpath.length()) == '/';
    }

    private void forgetAll() {
        for (GuestSession c : clients) {
            c.watches.clear();
            c.transactions.clear();
        }
    }

    // ---------------------------------------------------------------- platform callbacks

    /** {@code domain_conn_reset()} (INTRODUCE again, RESET): the daemon dropped watches and transactions. */
    void reset() {
        forgetAll();
    }

    /** The daemon destroyed the domain (RELEASE, domain death): the ring is gone, so are its clients. */
    void released() {
        conn = null;
        held.clear();
        List<GuestSession> gone = List.copyOf(clients);
        clients.clear();
        for (GuestSession s : gone) {
            s.watches.clear();
            s.transactions.clear();
            s.close();
        }
        LOG.info("domain {} released; closed {} client(s) of {}", Integer.toUnsignedString(domid), gone.size(),
                listener);
    }
}
