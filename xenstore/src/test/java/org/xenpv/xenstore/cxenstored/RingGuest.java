package org.xenpv.xenstore.cxenstored;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsFrameDecoder;
import org.xenpv.xenstore.client.XsInbox;
import org.xenpv.xenstore.client.XsProtocolException;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.client.XsTimeoutException;

/**
 * An unprivileged guest talking to the real xenstored over a {@code struct
 * xenstore_domain_interface} page ({@code xen/io/xs_wire.h}; reference §1.10): the file
 * {@code ring-<domid>} that the stub maps when the daemon maps the guest's grant ref 1, so both
 * processes share it. The guest is the ring's requester: it produces into {@code req} and consumes
 * {@code rsp}, with free-running u32 indices, and kicks its event channel after every index update.
 * It becomes live when dom0 sends {@code INTRODUCE domid gfn evtchn} (the daemon then zeroes the
 * indices and binds a local port, which this side learns from the stub's {@code bind} line).
 */
public final class RingGuest implements XsConnection {

    /** Offsets in {@code struct xenstore_domain_interface}. */
    static final int REQ = 0;
    static final int RSP = 1024;
    static final int REQ_CONS = 2048;
    static final int REQ_PROD = 2052;
    static final int RSP_CONS = 2056;
    static final int RSP_PROD = 2060;
    static final int SERVER_FEATURES = 2064;
    static final int CONNECTION = 2068;
    static final int ERROR = 2072;
    /** {@code XENSTORE_RING_SIZE}. */
    static final int RING_SIZE = 1024;
    static final int PAGE = 4096;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final int domid;
    private final Path file;
    private final MappedByteBuffer page;
    private final EvtchnLink link;
    private final Duration timeout;
    private final XsInbox inbox;
    private final XsFrameDecoder decoder;
    private final AtomicInteger reqIds = new AtomicInteger(1);
    private final Object space = new Object();

    RingGuest(String name, int domid, Path file, EvtchnLink link, Duration timeout) throws IOException {
        this.name = name;
        this.domid = domid;
        this.file = file;
        this.link = link;
        this.timeout = timeout;
        this.inbox = new XsInbox(name);
        this.decoder = new XsFrameDecoder(name + " (rsp ring of domain " + domid + ")");
        link.listen(domid, new EvtchnLink.GuestListener() {
            @Override
            public void onNotify() {
                drain();
            }

            @Override
            public void onUnmap() {
                drain();
                inbox.end(released());
            }
        });
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (ch.size() < PAGE) {
                ch.write(java.nio.ByteBuffer.allocate(PAGE), 0);
            }
            page = ch.map(FileChannel.MapMode.READ_WRITE, 0, PAGE);
        }
    }

    /** The guest's domid. */
    public int domid() {
        return domid;
    }

    /** The shared page file. */
    public Path file() {
        return file;
    }

    @Override
    public String name() {
        return name;
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

    /** The daemon's {@code error} field (0 none, 1 comm, 2 bad ring index, 3 protocol). */
    public int ringError() {
        return (int) INT.getAcquire(page, ERROR);
    }

    /** The daemon's {@code server_features} field. */
    public int serverFeatures() {
        return (int) INT.getAcquire(page, SERVER_FEATURES);
    }

    /** The ring indices {@code req_cons, req_prod, rsp_cons, rsp_prod}, for assertions. */
    public int[] indices() {
        return new int[] {(int) INT.getAcquire(page, REQ_CONS), (int) INT.getAcquire(page, REQ_PROD),
                (int) INT.getAcquire(page, RSP_CONS), (int) INT.getAcquire(page, RSP_PROD)};
    }

    /** Reads a u32 field of the page at {@code offset} (indices, {@code connection}, ...). */
    public int field(int offset) {
        return (int) INT.getAcquire(page, offset);
    }

    /** Writes a raw index or field of the page (for tests of the daemon's ring validation). */
    public void poke(int offset, int value) throws IOException {
        INT.setRelease(page, offset, value);
        kick();
    }

    /** The daemon's local port for this domain (it changes when the domain is re-introduced). */
    private int awaitPort() throws XsClientException {
        EvtchnLink.Binding b = link.awaitBinding(domid, timeout);
        if (b == null && link.isUnmapped(domid)) {
            inbox.end(released());
        }
        XsClientException ended = inbox.endCause();
        if (ended != null) {
            throw ended;
        }
        if (b == null) {
            throw new XsTimeoutException(name + ": domain " + domid + " has no event channel bound in xenstored "
                    + "within " + timeout.toMillis() + " ms (was it INTRODUCEd?)");
        }
        return b.local();
    }

    /** Kicks the daemon (a notify on this guest's event channel). */
    public void kick() throws IOException {
        link.kick(awaitPort());
    }

    @Override
    public void sendRaw(byte[] bytes) throws XsClientException {
        XsClientException ended = inbox.endCause();
        if (ended != null) {
            throw ended;
        }
        int p = awaitPort();
        int off = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (off < bytes.length) {
                int cons = (int) INT.getAcquire(page, REQ_CONS);
                int prod = (int) INT.getAcquire(page, REQ_PROD);
                int used = prod - cons;
                if (Integer.compareUnsigned(used, RING_SIZE) > 0) {
                    throw new XsProtocolException(name + ": req ring indices broken (req_cons " + cons
                            + ", req_prod " + prod + ")");
                }
                int free = RING_SIZE - used;
                if (free == 0) {
                    awaitSpace(deadline);
                    continue;
                }
                int chunk = Math.min(free, Math.min(bytes.length - off, RING_SIZE - (prod & (RING_SIZE - 1))));
                for (int i = 0; i < chunk; i++) {
                    page.put(REQ + ((prod + i) & (RING_SIZE - 1)), bytes[off + i]);
                }
                INT.setRelease(page, REQ_PROD, prod + chunk);
                off += chunk;
                link.kick(p);
            }
        } catch (XsClientException e) {
            throw e;
        } catch (IOException e) {
            XsClosedException c = new XsClosedException(name, XsClosedException.Kind.RESET, e);
            inbox.end(c);
            throw c;
        }
    }

    private void awaitSpace(long deadline) throws XsTimeoutException {
        synchronized (space) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new XsTimeoutException(name + ": req ring of domain " + domid + " stayed full for "
                        + timeout.toMillis() + " ms");
            }
            try {
                space.wait(Math.max(1, Math.min(left / 1_000_000, 20)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new XsTimeoutException(name + ": interrupted waiting for ring space");
            }
        }
    }

    private XsClosedException released() {
        return new XsClosedException(name + " (domain " + domid + " released)", XsClosedException.Kind.EOF, null);
    }

    /** Runs on the link's reader thread for every notify of this guest's port. */
    private void drain() {
        synchronized (space) {
            space.notifyAll();
        }
        int prod = (int) INT.getAcquire(page, RSP_PROD);
        int cons = (int) INT.getAcquire(page, RSP_CONS);
        int avail = prod - cons;
        if (avail == 0) {
            return;
        }
        if (Integer.compareUnsigned(avail, RING_SIZE) > 0) {
            inbox.end(new XsProtocolException(name + ": rsp ring indices broken (rsp_cons " + cons + ", rsp_prod "
                    + prod + ")"));
            return;
        }
        byte[] data = new byte[avail];
        for (int i = 0; i < avail; i++) {
            data[i] = page.get(RSP + ((cons + i) & (RING_SIZE - 1)));
        }
        INT.setRelease(page, RSP_CONS, prod);
        try {
            for (XsSocketMessage m : decoder.feed(data, 0, data.length)) {
                inbox.add(m);
            }
            EvtchnLink.Binding b = link.awaitBinding(domid, Duration.ZERO);
            if (b != null) {
                link.kick(b.local());
            }
        } catch (XsProtocolException e) {
            inbox.end(e);
        } catch (IOException e) {
            inbox.end(new XsClosedException(name, XsClosedException.Kind.RESET, e));
        }
    }

    @Override
    public void close() {
        link.listen(domid, null);
        inbox.end(new XsClosedException(name, XsClosedException.Kind.LOCAL, null));
    }

    @Override
    public String toString() {
        return "RingGuest[" + name + ", domain " + domid + "]";
    }
}
