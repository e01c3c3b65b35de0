package org.xenpv.harness.toolstack;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.ring.Xenstored;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * The toolstack's dom0 connection to the in-process store engine: synchronous requests (the engine
 * answers inside {@link XsConnection#handle}), an {@code XS_ERROR} reply becoming an exception that
 * names the operation and path. Over a {@link Xenstored} daemon every request runs on the daemon's
 * actor ({@link Xenstored#call}), so the daemon notices the watch events it produces for guests and
 * puts them on their rings at once, as cxenstored does for a request from its Unix socket.
 */
public final class Dom0Store implements AutoCloseable {

    /** Runs engine work where the engine lives. */
    private interface Engine {
        <T> T run(Supplier<T> work);
    }

    private final Engine engine;
    private final XsConnection conn;
    private XsMessage reply;
    private int reqId;

    /** A connection straight to {@code store}, called on the caller's thread. */
    public Dom0Store(XenStore store) {
        this.engine = Supplier::get;
        this.conn = store.connect(0, true, this::onMessage);
    }

    /** A connection to the engine of {@code xenstored}, every request handed to the daemon's actor. */
    public Dom0Store(Xenstored xenstored) {
        this.engine = new Engine() {
            @Override
            public <T> T run(Supplier<T> work) {
                return xenstored.call(s -> work.get());
            }
        };
        this.conn = xenstored.call(s -> s.connect(0, true, this::onMessage));
    }

    private void onMessage(XsMessage m) {
        if (m.type() != XsType.WATCH_EVENT.code()) {
            reply = m;
        }
    }

    private synchronized XsMessage call(XsMessage request, String path) {
        XsMessage r = engine.run(() -> {
            reply = null;
            conn.handle(request);
            return reply;
        });
        if (r == null) {
            throw new IllegalStateException("xenstore gave no reply to " + XsType.of(request.type()) + " " + path);
        }
        if (r.type() == XsType.ERROR.code()) {
            throw new IllegalStateException("xenstore " + XsType.of(request.type()) + " " + path + ": " + r.payloadText()
                    .replace("\0", ""));
        }
        return r;
    }

    public void write(String path, String value) {
        call(XsMessage.write(++reqId, 0, path, value.getBytes(StandardCharsets.UTF_8)), path);
    }

    public void mkdir(String path) {
        call(XsMessage.of(XsType.MKDIR, ++reqId, 0, path), path);
    }

    public void rm(String path) {
        call(XsMessage.of(XsType.RM, ++reqId, 0, path), path);
    }

    /** {@code SET_PERMS path perm...} ({@code n0}, {@code r1}, ...). */
    public void setPerms(String path, String... perms) {
        String[] args = new String[perms.length + 1];
        args[0] = path;
        System.arraycopy(perms, 0, args, 1, perms.length);
        call(XsMessage.of(XsType.SET_PERMS, ++reqId, 0, args), path);
    }

    /** {@code GET_PERMS}: the perm strings. */
    public List<String> perms(String path) {
        return call(XsMessage.of(XsType.GET_PERMS, ++reqId, 0, path), path).strings();
    }

    public String read(String path) {
        return new String(call(XsMessage.of(XsType.READ, ++reqId, 0, path), path).payload(), StandardCharsets.UTF_8);
    }

    public List<String> directory(String path) {
        return call(XsMessage.of(XsType.DIRECTORY, ++reqId, 0, path), path).strings();
    }

    /** Writes {@code value} and gives the node {@code perms}. */
    public void writeWithPerms(String path, String value, String... perms) {
        write(path, value);
        setPerms(path, perms);
    }

    @Override
    public void close() {
        try {
            engine.run(() -> {
                conn.close();
                return null;
            });
        } catch (IllegalStateException daemonGone) {
            // A stopped daemon took the connection with it.
        }
    }
}
