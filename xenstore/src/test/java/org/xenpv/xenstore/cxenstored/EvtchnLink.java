package org.xenpv.xenstore.cxenstored;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test's end of the stub's event-channel socket ({@code XSSTUB_EVTCHN} in {@code xsstub.c}).
 * The daemon side writes one line per event-channel operation; this side writes 4-byte
 * little-endian local port numbers, which {@code xenevtchn_pending()} hands to the daemon as the
 * port that fired. Tracks which local port is bound to which domain and dispatches
 * {@code notify} lines to the guest owning the port.
 */
public final class EvtchnLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EvtchnLink.class);

    /** {@code VIRQ_DOM_EXC} from {@code xen/xen.h}: the daemon re-checks all domains when it fires. */
    public static final int VIRQ_DOM_EXC = 3;

    /** What a guest hears from the stub about its domain. */
    public interface GuestListener {
        /** The daemon notified the guest's event channel. */
        void onNotify();

        /** The daemon unmapped the guest's ring page (the domain was released or destroyed). */
        void onUnmap();
    }

    /** One {@code bind} line: local port {@code local} is connected to {@code domid}'s {@code remote}. */
    public record Binding(int local, int domid, int remote) {
    }

    private final SocketChannel channel;
    private final Thread reader;
    private final Object lock = new Object();
    private final Map<Integer, Binding> byLocal = new HashMap<>();
    private final Map<Integer, Integer> virqs = new HashMap<>();
    private final Map<Integer, GuestListener> listeners = new HashMap<>(); // by domid
    private final java.util.Set<Integer> unmapped = new java.util.HashSet<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    EvtchnLink(SocketChannel channel) {
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "xsstub-evtchn");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        StringBuilder line = new StringBuilder();
        try {
            while (channel.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    char c = (char) (buf.get() & 0xff);
                    if (c == '\n') {
                        handle(line.toString());
                        line.setLength(0);
                    } else {
                        line.append(c);
                    }
                }
                buf.clear();
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("event channel link ended: {}", e.toString());
            }
        }
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    private void handle(String l) {
        lines.add(l);
        String[] f = l.split(" ");
        GuestListener target = null;
        boolean unmap = false;
        synchronized (lock) {
            switch (f[0]) {
                case "bind" -> {
                    Binding b = new Binding(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]));
                    byLocal.put(b.local(), b);
                }
                case "virq" -> virqs.put(Integer.parseInt(f[2]), Integer.parseInt(f[1]));
                case "unbind" -> byLocal.remove(Integer.parseInt(f[1]));
                case "notify" -> {
                    Binding b = byLocal.get(Integer.parseInt(f[1]));
                    target = b == null ? null : listeners.get(b.domid());
                }
                case "map" -> {
                    if (f.length > 3 && f[3].equals("ok")) {
                        unmapped.remove(Integer.parseInt(f[1]));
                    }
                }
                case "unmap" -> {
                    int domid = Integer.parseInt(f[1]);
                    unmapped.add(domid);
                    target = listeners.get(domid);
                    unmap = true;
                }
                default -> LOG.warn("unknown line from the xenstored stub: {}", l);
            }
            lock.notifyAll();
        }
        if (target != null) {
            if (unmap) {
                target.onUnmap();
            } else {
                target.onNotify();
            }
        }
    }

    /** Every line the stub wrote so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * The daemon-side local port currently bound to {@code domid}, waiting up to {@code timeout} for
     * the daemon to bind one (it does so on INTRODUCE).
     *
     * @return the binding, or {@code null} if none appeared in time or the domain's ring was
     *     unmapped (released) since it was last mapped
     */
    public Binding awaitBinding(int domid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                for (Binding b : byLocal.values()) {
                    if (b.domid() == domid) {
                        return b;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed || unmapped.contains(domid)) {
                    return null;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    /** Whether the daemon unmapped {@code domid}'s ring since it last mapped it (the domain was released). */
    public boolean isUnmapped(int domid) {
        synchronized (lock) {
            return unmapped.contains(domid);
        }
    }

    /** The current bindings, by local port. */
    public List<Binding> bindings() {
        synchronized (lock) {
            return new ArrayList<>(byLocal.values());
        }
    }

    /**
     * Routes {@code notify} lines for whatever port is bound to {@code domid} to {@code listener}
     * ({@code null} removes it).
     */
    public void listen(int domid, GuestListener listener) {
        synchronized (lock) {
            if (listener == null) {
                listeners.remove(domid);
            } else {
                listeners.put(domid, listener);
            }
        }
    }

    /** Fires local port {@code port} in the daemon, as a hypervisor event would. */
    public void kick(int port) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(port).flip();
        synchronized (channel) {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }
    }

    /** Fires {@code VIRQ_DOM_EXC}: the daemon re-reads every domain's state ({@code check_domains}). */
    public void kickVirq() throws IOException {
        Integer port;
        synchronized (lock) {
            port = virqs.get(VIRQ_DOM_EXC);
        }
        if (port == null) {
            throw new IOException("the daemon bound no port to VIRQ_DOM_EXC (lines: " + lines + ")");
        }
        kick(port);
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing event channel link: {}", e.toString());
        }
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
