package org.xenpv.xenstore.client;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A xenstore client over the daemon's Unix domain socket ({@code $XENSTORED_PATH}, default
 * {@code /var/run/xenstored/socket}; reference §2). Socket clients are dom0 and privileged in
 * Xen 4.17. Blocking socket I/O: a reader thread decodes frames into the {@link XsInbox} as they
 * arrive, so events are never lost while the caller is not reading, and reads honour timeouts.
 * The end of the stream, a reset and an oversize reply header end the inbox with a
 * {@link XsClosedException} or {@link XsProtocolException}.
 */
public final class XsSocketClient implements XsConnection {

    private static final Logger LOG = LoggerFactory.getLogger(XsSocketClient.class);

    /** Default wait for a reply. Generous: it only bounds how long a broken daemon can stall a test. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final Path socket;
    private final SocketChannel channel;
    private final XsInbox inbox;
    private final Thread reader;
    private final Object writeLock = new Object();
    private final AtomicInteger reqIds = new AtomicInteger(1);
    private final Duration timeout;
    private volatile boolean closedLocally;

    private XsSocketClient(String name, Path socket, SocketChannel channel, Duration timeout) {
        this.name = name;
        this.socket = socket;
        this.channel = channel;
        this.timeout = timeout;
        this.inbox = new XsInbox(name);
        this.reader = new Thread(this::readLoop, "xs-reader-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Connects to the daemon socket at {@code socket}. */
    public static XsSocketClient connect(Path socket) throws IOException {
        return connect(socket, socket.getFileName().toString(), DEFAULT_TIMEOUT);
    }

    /**
     * Connects to {@code socket}.
     *
     * @param name names this connection in messages
     * @param timeout how long the convenience calls wait for a reply
     * @throws IOException naming the socket if the connect fails (no daemon, permission)
     */
    public static XsSocketClient connect(Path socket, String name, Duration timeout) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to xenstored socket " + socket + ": " + e.getMessage(), e);
        }
        return new XsSocketClient(name, socket, ch, timeout);
    }

    @Override
    public String name() {
        return name;
    }

    /** The socket this client is connected to. */
    public Path socket() {
        return socket;
    }

    @Override
    public XsInbox inbox() {
        return inbox;
    }

    @Override
    public int nextReqId() {
        return reqIds.getAndIncrement();
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public void sendRaw(byte[] bytes) throws XsClientException {
        synchronized (writeLock) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            try {
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            } catch (IOException e) {
                XsClosedException closed = new XsClosedException(name,
                        closedLocally ? XsClosedException.Kind.LOCAL : XsClosedException.Kind.RESET, e);
                inbox.end(closed);
                throw closed;
            }
        }
    }

    private void readLoop() {
        XsFrameDecoder decoder = new XsFrameDecoder(name);
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (true) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    inbox.end(new XsClosedException(name, XsClosedException.Kind.EOF, null));
                    return;
                }
                for (XsSocketMessage m : decoder.feed(buf.array(), 0, n)) {
                    inbox.add(m);
                }
            }
        } catch (XsProtocolException e) {
            LOG.warn("{}", e.getMessage());
            inbox.end(e);
            closeChannel();
        } catch (ClosedChannelException e) {
            inbox.end(new XsClosedException(name, XsClosedException.Kind.LOCAL, e));
        } catch (IOException e) {
            inbox.end(new XsClosedException(name,
                    closedLocally ? XsClosedException.Kind.LOCAL : XsClosedException.Kind.RESET, e));
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("{}: close: {}", name, e.toString());
        }
    }

    /** Closes the socket; messages already received stay takeable, then calls fail with LOCAL. */
    @Override
    public void close() {
        closedLocally = true;
        closeChannel();
        inbox.end(new XsClosedException(name, XsClosedException.Kind.LOCAL, null));
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "XsSocketClient[" + name + " -> " + socket + "]";
    }
}
