package org.xenpv.xenstore.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.Flushable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.daemon.XsTraceSink;
import org.xenpv.xenstore.domain.SimpleDomainPlatform;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.domain.XsQuotaConfig;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * The XenStore daemon ({@link XenStore}, cxenstored 4.17 semantics) served on Unix domain sockets, the
 * transport of {@code xenstored}'s {@code /var/run/xenstored/socket} (xen-pv-protocols.md §1.1, §2):
 * {@code xsd_sockmsg} frames in both directions, replies and watch events in cxenstored's order.
 *
 * <ul>
 * <li>A dom0 listener ({@link Builder#listen}): every connection is a privileged dom0 client with its own
 * watches and transactions, as every socket client of cxenstored 4.17 is.</li>
 * <li>A domain listener ({@link Builder#listenAsDomain}): every connection is a process of unprivileged
 * guest N; all of them share the guest's one connection to the daemon ({@link GuestMux}), so relative paths
 * resolve under {@code /local/domain/N} and permissions, quotas and watch filtering apply.</li>
 * </ul>
 *
 * <p>The daemon is single-threaded, so the server runs everything — accepting, reading, the daemon,
 * writing — on one Netty event loop ({@link ServerTransport}: native epoll where available, else JDK NIO
 * Unix-domain-socket channels; {@code -Dxenpv.server.transport=nio|epoll} forces one). Use
 * {@link #call} to look at the store from another thread. Input is never trusted: a frame header with
 * {@code len > 4096} drops that connection (cxenstored's {@code XENSTORE_ERROR_PROTO}), unknown types are
 * answered ENOSYS by the daemon, and an internal error ends one connection, never the server.
 */
public final class XsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(XsServer.class);

    /** Default cap on output queued for one connection that does not read it. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 16L << 20;
    /**
     * Default time, in microseconds, the event loop keeps polling the sockets after activity before it
     * sleeps ({@link SpinSelectStrategy}: non-blocking polls with {@code sched_yield} in between, so clients
     * that need the core get it). It catches a synchronous client's next request without the loop
     * thread's sleep and wake-up; costs at most this much CPU after each burst of requests.
     */
    public static final int DEFAULT_SPIN_MICROS = 20;
    /** {@code sun_path} holds 108 bytes including the NUL. */
    static final int MAX_SOCKET_PATH = 107;

    /** A socket to listen on: dom0 ({@code domid == null}) or guest {@code domid}. */
    private record Listener(Path path, Integer domid, boolean introduceAtStart) {
    }

    /** Configuration of a server. */
    public static final class Builder {
        private final List<Listener> listeners = new ArrayList<>();
        private XsQuotaConfig quotas = new XsQuotaConfig();
        private XsTraceSink trace = XsTraceSink.NONE;
        private XsDomainPlatform platform;
        private LongSupplier clock;
        private Consumer<XenStore.Builder> customizer = b -> { };
        private long maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private int spinMicros = DEFAULT_SPIN_MICROS;
        private ServerTransport transport;

        private Builder() {
        }

        /** A socket whose connections are privileged dom0 clients (the daemon's main socket). */
        public Builder listen(Path socket) {
            listeners.add(new Listener(socket, null, false));
            return this;
        }

        /**
         * A socket whose connections act as unprivileged guest {@code domid} (sharing its one connection).
         *
         * @param introduceAtStart introduce the domain when the server starts (and again when a client
         *                         connects after it was released), as a toolstack would, and create
         *                         {@code /local/domain/<domid>} owned by the guest if it is missing;
         *                         false: the domain's clients wait until dom0 sends {@code INTRODUCE}
         *                         (the ring-like behaviour the differential tests compare)
         */
        public Builder listenAsDomain(int domid, Path socket, boolean introduceAtStart) {
            if (domid == 0) {
                throw new IllegalArgumentException("domain 0 is privileged: use listen(" + socket + ")");
            }
            listeners.add(new Listener(socket, domid, introduceAtStart));
            return this;
        }

        public Builder quotas(XsQuotaConfig q) {
            this.quotas = Objects.requireNonNull(q);
            return this;
        }

        /**
         * Observer of the daemon's trace; called on the event loop. A {@link Flushable} sink is flushed whenever
         * output is flushed to the clients.
         */
        public Builder trace(XsTraceSink sink) {
            this.trace = Objects.requireNonNull(sink);
            return this;
        }

        /** Which domains exist (SET_PERMS owners, domain checks); default {@link SimpleDomainPlatform}. */
        public Builder platform(XsDomainPlatform p) {
            this.platform = p;
            return this;
        }

        /** The daemon's millisecond clock (watch-event timeouts); default monotonic time since start. */
        public Builder clock(LongSupplier millis) {
            this.clock = millis;
            return this;
        }

        /** Further daemon options (e.g. {@code keepOrphans}); platform, quotas, trace and clock are set here. */
        public Builder configure(Consumer<XenStore.Builder> c) {
            this.customizer = Objects.requireNonNull(c);
            return this;
        }

        /** Output bytes queued for a non-reading client before it is dropped (default 16 MiB). */
        public Builder maxOutputBytes(long bytes) {
            if (bytes < 4112) {
                throw new IllegalArgumentException("maxOutputBytes must hold at least one frame (4112): " + bytes);
            }
            this.maxOutputBytes = bytes;
            return this;
        }

        /**
         * How long the event loop keeps polling the sockets after activity before it sleeps
         * ({@link SpinSelectStrategy}, yielding between polls); 0 disables polling. Default
         * {@value #DEFAULT_SPIN_MICROS} µs.
         */
        public Builder spinMicros(int micros) {
            if (micros < 0 || micros > 10_000) {
                throw new IllegalArgumentException("spinMicros must be 0..10000: " + micros);
            }
            this.spinMicros = micros;
            return this;
        }

        /** Forces a transport (tests of both paths); default {@link ServerTransport#select()}. */
        Builder transport(ServerTransport t) {
            this.transport = Objects.requireNonNull(t);
            return this;
        }

        /**
         * Starts the event loop, the daemon and every listener.
         *
         * @throws IOException if a socket cannot be bound (path too long, in use by a live daemon, not a
         *                     socket, parent not creatable); nothing is left running then
         */
        public XsServer start() throws IOException {
            if (listeners.isEmpty()) {
                throw new IllegalStateException("no socket to listen on");
            }
            Set<Path> seen = new LinkedHashSet<>();
            Set<Integer> domids = new LinkedHashSet<>();
            for (Listener l : listeners) {
                if (!seen.add(l.path.toAbsolutePath().normalize())) {
                    throw new IllegalArgumentException("socket " + l.path + " given twice");
                }
                if (l.domid != null && !domids.add(l.domid)) {
                    throw new IllegalArgumentException("domain " + Integer.toUnsignedString(l.domid)
                            + " has two sockets");
                }
            }
            XsServer s = new XsServer(this);
            try {
                s.startUp();
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            return s;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private final Builder config;
    private final ServerTransport transport;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final OutputFlusher flusher;
    private final Map<Integer, GuestMux> muxes = new LinkedHashMap<>();
    private final Set<XsSocketSession> sessions = new LinkedHashSet<>();
    private final List<Channel> serverChannels = new ArrayList<>();
    private final List<Path> sockets = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private XenStore store;
    private volatile boolean closed;

    private XsServer(Builder b) {
        this.config = b;
        this.transport = b.transport != null ? b.transport : ServerTransport.select();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("xenstored", true),
                transport.ioHandler(b.spinMicros * 1000L));
        this.loop = group.next();
        this.flusher = new OutputFlusher(this::flushTrace);
    }

    private void startUp() throws IOException {
        onLoop(() -> {
            for (Listener l : config.listeners) {
                if (l.domid != null) {
                    muxes.put(l.domid, new GuestMux(this, l.domid, l.path, l.introduceAtStart, 1));
                }
            }
            XsDomainPlatform delegate = config.platform == null ? new SimpleDomainPlatform() : config.platform;
            LongSupplier clock = config.clock != null ? config.clock
                    : () -> (System.nanoTime() - startNanos) / 1_000_000L;
            XenStore.Builder b = XenStore.builder();
            config.customizer.accept(b);
            store = b.quotas(config.quotas).trace(config.trace).clock(clock)
                    .platform(new ServerDomainPlatform(delegate, muxes::get)).build();
            for (Listener l : config.listeners) {
                if (l.introduceAtStart) {
                    muxes.get(l.domid).ensureIntroduced();
                }
            }
            return null;
        });
        for (Listener l : config.listeners) {
            bind(l);
        }
        loop.scheduleAtFixedRate(() -> {
            try {
                store.poll();
                afterEngineCall();
            } catch (RuntimeException e) {
                LOG.error("periodic daemon work failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** {@code /local/domain/<domid>} owned by the guest, as a toolstack creates it (done as dom0). */
    void createHome(int domid) {
        String home = "/local/domain/" + Integer.toUnsignedString(domid);
        if (store.node(home).isPresent()) {
            return;
        }
        List<XsMessage> replies = new ArrayList<>();
        XsConnection c = store.connect(0, true, replies::add);
        try {
            c.handle(XsMessage.of(XsType.MKDIR, 1, 0, home));
            c.handle(XsMessage.of(XsType.SET_PERMS, 2, 0, home, "n" + Integer.toUnsignedString(domid)));
        } finally {
            c.close();
        }
        for (XsMessage r : replies) {
            if (r.type() == XsType.ERROR.code()) {
                LOG.warn("creating {} for domain {} failed: {}", home, Integer.toUnsignedString(domid), r);
            }
        }
    }

    private void bind(Listener l) throws IOException {
        Path path = l.path.toAbsolutePath();
        if (path.toString().length() > MAX_SOCKET_PATH) {
            throw new IOException("socket path too long for AF_UNIX (" + path.toString().length() + " > "
                    + MAX_SOCKET_PATH + " bytes): " + path);
        }
        Path parent = path.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        removeStaleSocket(path);
        ServerBootstrap b = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childOption(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(l.domid == null ? new Dom0Session(XsServer.this, path)
                                : muxes.get(l.domid).newSession());
                    }
                });
        io.netty.channel.ChannelFuture f = b.bind(transport.address(path)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("cannot listen on " + path + ": " + f.cause(), f.cause());
        }
        serverChannels.add(f.channel());
        sockets.add(path);
        LOG.info("listening on {} ({} transport, {})", path, transport.name().toLowerCase(java.util.Locale.ROOT),
                l.domid == null ? "dom0, privileged"
                : "domain " + Integer.toUnsignedString(l.domid) + ", unprivileged");
    }

    /** cxenstored unlinks a leftover socket before binding; a live one means another daemon runs. */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new IOException("cannot listen on " + path + ": it exists and is not a socket");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            throw new IOException("cannot listen on " + path + ": another daemon is accepting connections there");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot listen")) {
                throw e;
            }
        }
        LOG.info("removing stale socket {}", path);
        Files.deleteIfExists(path);
    }

    private static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        }
    }

    // ---------------------------------------------------------------- public API

    /** The sockets listened on, in the order given. */
    public List<Path> sockets() {
        return List.copyOf(sockets);
    }

    /** The dom0 socket (the first dom0 listener), or null if there is none. */
    public Path dom0Socket() {
        for (int i = 0; i < config.listeners.size() && i < sockets.size(); i++) {
            if (config.listeners.get(i).domid == null) {
                return sockets.get(i);
            }
        }
        return null;
    }

    /**
     * Runs {@code f} with the daemon on the server's event loop and returns its result (blocks up to 10 s).
     * The way to inspect the store ({@link XenStore#node}, {@link XenStore#dump}) from tests.
     */
    public <T> T call(Function<XenStore, T> f) {
        return onLoop(() -> {
            try {
                return f.apply(store);
            } finally {
                afterEngineCall();
            }
        });
    }

    /** Number of open socket connections (all listeners). */
    public int connectionCount() {
        return call(s -> sessions.size());
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes every connection and listener (removing the socket files) and stops the event loop. The
     * daemon's connections are closed on the way, so the trace sees them go. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loop.inEventLoop()) {
            throw new IllegalStateException("XsServer.close() called on its own event loop");
        }
        if (!group.isShuttingDown()) {
            try {
                loop.submit(() -> {
                    for (Channel c : serverChannels) {
                        c.close();
                    }
                    for (XsSocketSession s : List.copyOf(sessions)) {
                        s.close();
                        s.end();
                    }
                    flushTrace();
                }).await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Future<?> f = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (Path p : sockets) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("could not remove socket {}: {}", p, e.toString());
            }
        }
        LOG.info("xenstore server stopped ({})", sockets);
    }

    // ---------------------------------------------------------------- package internals (event loop only)

    XenStore store() {
        return store;
    }

    OutputFlusher flusher() {
        return flusher;
    }

    long maxOutputBytes() {
        return config.maxOutputBytes;
    }

    void sessionOpened(XsSocketSession s) {
        sessions.add(s);
        LOG.debug("{}: connected", s.describe());
    }

    void sessionClosed(XsSocketSession s) {
        sessions.remove(s);
        LOG.debug("{}: disconnected", s.describe());
    }

    /**
     * After any call into the daemon: guests stalled on quota may continue, then everything written is
     * flushed (and the trace with it).
     */
    void afterEngineCall() {
        for (GuestMux m : muxes.values()) {
            if (m.stalled()) {
                m.resume();
            }
        }
        flusher.run();
    }

    /** Flushes a {@link Flushable} trace sink (after client output was flushed, and at close). */
    void flushTrace() {
        if (config.trace instanceof Flushable f) {
            try {
                f.flush();
            } catch (IOException e) {
                LOG.warn("flushing the trace failed: {}", e.toString());
            }
        }
    }

    private <T> T onLoop(Callable<T> task) {
        if (loop.inEventLoop()) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return loop.submit(task).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the xenstore event loop", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("xenstore event loop did not answer within 10 s", e);
        }
    }
}
