package org.xenpv.core.ring.xs;

import java.util.Optional;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.ByteRing;
import org.xenpv.core.ring.RingFault;
import org.xenpv.core.sim.Kernel;

/**
 * The xenstore ring page, {@code struct xenstore_domain_interface} in {@code io/xs_wire.h}
 * (reference §1.10): {@code req[1024]}@0, {@code rsp[1024]}@1024, {@code req_cons}@2048,
 * {@code req_prod}@2052, {@code rsp_cons}@2056, {@code rsp_prod}@2060, {@code server_features}@2064,
 * {@code connection}@2068, {@code error}@2072; 2076 bytes used of the page.
 *
 * <p>The guest produces on {@link #req()} and consumes {@link #rsp()}; the store daemon does the reverse.
 * Indices are free-running u32 and need not start at 0.
 */
public final class XenstoreRing {

    /** {@code XENSTORE_RING_SIZE}. */
    public static final int RING_SIZE = 1024;
    public static final int REQ = 0;
    public static final int RSP = 1024;
    public static final int REQ_CONS = 2048;
    public static final int REQ_PROD = 2052;
    public static final int RSP_CONS = 2056;
    public static final int RSP_PROD = 2060;
    public static final int SERVER_FEATURES = 2064;
    public static final int CONNECTION = 2068;
    public static final int ERROR = 2072;
    /** {@code sizeof(struct xenstore_domain_interface)}. */
    public static final int SIZE = 2076;

    /** {@code XENSTORE_PAYLOAD_MAX}. */
    public static final int PAYLOAD_MAX = 4096;
    /** {@code XENSTORE_ABS_PATH_MAX}. */
    public static final int ABS_PATH_MAX = 3072;
    /** {@code XENSTORE_REL_PATH_MAX}. */
    public static final int REL_PATH_MAX = 2048;
    /** {@code XENSTORE_SERVER_FEATURE_RECONNECTION}. */
    public static final int SERVER_FEATURE_RECONNECTION = 1;
    /** {@code XENSTORE_SERVER_FEATURE_ERROR}. */
    public static final int SERVER_FEATURE_ERROR = 2;
    /** {@code XENSTORE_CONNECTED}. */
    public static final int CONNECTED = 0;
    /** {@code XENSTORE_RECONNECT}. */
    public static final int RECONNECT = 1;
    /** {@code XENSTORE_ERROR_NONE}. */
    public static final int ERROR_NONE = 0;
    /** {@code XENSTORE_ERROR_COMM}. */
    public static final int ERROR_COMM = 1;
    /** {@code XENSTORE_ERROR_RINGIDX}. */
    public static final int ERROR_RINGIDX = 2;
    /** {@code XENSTORE_ERROR_PROTO}. */
    public static final int ERROR_PROTO = 3;

    private final MemoryView view;
    private final ByteRing req;
    private final ByteRing rsp;

    public XenstoreRing(MemoryView view) {
        this(view, null);
    }

    /** @param kernel the simulation kernel to instrument index accesses with, or {@code null} */
    public XenstoreRing(MemoryView view, Kernel kernel) {
        if (view.size() < SIZE) {
            throw new IllegalArgumentException("xenstore ring needs " + SIZE + " bytes, view has " + view.size());
        }
        this.view = view;
        this.req = new ByteRing("xenstore req", view, REQ, RING_SIZE, REQ_CONS, REQ_PROD, kernel);
        this.rsp = new ByteRing("xenstore rsp", view, RSP, RING_SIZE, RSP_CONS, RSP_PROD, kernel);
    }

    public MemoryView view() {
        return view;
    }

    /** Requests to the store daemon (guest produces). */
    public ByteRing req() {
        return req;
    }

    /** Replies and watch events (daemon produces). */
    public ByteRing rsp() {
        return rsp;
    }

    public int serverFeatures() {
        return view.getIntAcquire(SERVER_FEATURES);
    }

    public void setServerFeatures(int value) {
        view.putIntRelease(SERVER_FEATURES, value);
    }

    public int connection() {
        return view.getIntAcquire(CONNECTION);
    }

    public void setConnection(int value) {
        view.putIntRelease(CONNECTION, value);
    }

    public int error() {
        return view.getIntAcquire(ERROR);
    }

    public void setError(int value) {
        view.putIntRelease(ERROR, value);
    }

    /** The first index fault of either direction (the daemon's {@code XENSTORE_ERROR_RINGIDX} condition). */
    public Optional<RingFault> check() {
        Optional<RingFault> f = req.check();
        return f.isPresent() ? f : rsp.check();
    }

    @Override
    public String toString() {
        return "XenstoreRing[" + req + "; " + rsp + "; server_features=" + view.getInt(SERVER_FEATURES)
                + " connection=" + view.getInt(CONNECTION) + " error=" + view.getInt(ERROR) + "]";
    }
}
