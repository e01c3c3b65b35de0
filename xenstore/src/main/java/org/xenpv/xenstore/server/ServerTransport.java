package org.xenpv.xenstore.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The Netty transport carrying the server's Unix domain sockets. {@link #EPOLL} (Netty's native
 * transport: {@code epoll_wait} and {@code read}/{@code writev} straight into pooled direct buffers,
 * no selector key bookkeeping) serves a synchronous client's round trip with noticeably less CPU than the
 * JDK's NIO channels, so it is the default where the native library loads (Linux x86_64); {@link #NIO}
 * is the portable fallback. The system property {@value #PROPERTY} ({@code nio} or {@code epoll})
 * forces one, e.g. to test both paths.
 */
enum ServerTransport {
    NIO {
        @Override
        IoHandlerFactory ioHandler(long spinNanos) {
            return spinNanos == 0 ? NioIoHandler.newFactory()
                    : NioIoHandler.newFactory(SelectorProvider.provider(), () -> new SpinSelectStrategy(spinNanos));
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return NioServerDomainSocketChannel.class;
        }

        @Override
        SocketAddress address(Path socket) {
            return UnixDomainSocketAddress.of(socket);
        }
    },
    EPOLL {
        @Override
        IoHandlerFactory ioHandler(long spinNanos) {
            return spinNanos == 0 ? EpollIoHandler.newFactory()
                    : EpollIoHandler.newFactory(0, () -> new SpinSelectStrategy(spinNanos));
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return EpollServerDomainSocketChannel.class;
        }

        @Override
        SocketAddress address(Path socket) {
            return new DomainSocketAddress(socket.toString());
        }
    };

    /** System property choosing the transport: {@code nio} or {@code epoll}; unset: epoll if available. */
    static final String PROPERTY = "xenpv.server.transport";

    /** The event loop's I/O handler; {@code spinNanos > 0} polls after activity ({@link SpinSelectStrategy}). */
    abstract IoHandlerFactory ioHandler(long spinNanos);

    /** The listening channel type. */
    abstract Class<? extends ServerChannel> serverChannel();

    /** The address to bind {@code socket} with this transport. */
    abstract SocketAddress address(Path socket);

    /**
     * The transport selected by {@value #PROPERTY}, else epoll when its native library loads, else NIO.
     *
     * @throws IllegalStateException if the property names an unknown transport, or epoll where it cannot load
     */
    static ServerTransport select() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            return Epoll.isAvailable() ? EPOLL : NIO;
        }
        ServerTransport t;
        try {
            t = valueOf(p.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("-D" + PROPERTY + "=" + p + ": expected nio or epoll");
        }
        if (t == EPOLL && !Epoll.isAvailable()) {
            throw new IllegalStateException("-D" + PROPERTY + "=epoll: the native epoll transport is not available: "
                    + Epoll.unavailabilityCause());
        }
        return t;
    }
}
