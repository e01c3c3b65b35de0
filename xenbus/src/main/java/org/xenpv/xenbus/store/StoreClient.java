package org.xenpv.xenbus.store;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.log.Event;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.ring.RingIndexException;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;
import org.xenpv.core.sim.KernelLock;
import org.xenpv.core.sim.WaitQueue;
import org.xenpv.xenbus.evtchn.EvtchnChannel;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.gnttab.GnttabClient;
import org.xenpv.xenbus.sync.ProcessorSync;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * XENBUS's STORE interface ({@code [bus store.c]}, windows-pv-drivers.md §1.4; wire format
 * xen-pv-protocols.md §1, ring §1.10): the guest's client of xenstored over the ring page whose gfn is in
 * grant entry 1, signalled through the FIXED event channel in {@code HVM_PARAM_STORE_EVTCHN}.
 *
 * <p>Every call is synchronous and must come from a kernel actor. The caller queues its request, runs a
 * poll pass, then waits on the store channel in {@link Options#pollPeriod} slices (5 s) with no overall
 * timeout, polling after each; the channel's callback (the DPC) polls too. A poll pass copies as many
 * queued request bytes as fit (a request may span passes), then reads at most one reply, and repeats
 * until nothing moved; the channel is kicked after any bytes were written <em>and</em> after any were
 * read. Requests from several actors are outstanding together and replies are matched by the 16-bit
 * {@code req_id}, in whatever order they come.
 *
 * <p>Quirks of the Windows driver reproduced here (§1.4 unless noted):
 * <ul>
 *   <li>{@code req_id} is a 16-bit counter (seeded per client, wrapping); a reply whose id matches no
 *       pending request is dropped ("SPURIOUS RESPONSE ID").</li>
 *   <li>Replies of type DEBUG, GET_PERMS, INTRODUCE, RELEASE, GET_DOMAIN_PATH, MKDIR,
 *       IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET or RESTRICT are ignored, even when their {@code req_id}
 *       matches: that request stays pending.</li>
 *   <li>A reply header with {@code len >= 4096} is invalid (the checked build's assert; note
 *       {@code XENSTORE_PAYLOAD_MAX} itself is allowed by the protocol).</li>
 *   <li>WRITE is {@code path\0value} with no trailing NUL; TRANSACTION_END is {@code T\0}/{@code F\0};
 *       SET_PERMS is {@code path\0} + {@code <n|r|w|b><domid>\0} per entry; paths are {@code prefix/node}
 *       or {@code node} and limited client-side to 3072 (absolute) / 2048 (relative) bytes.</li>
 *   <li>Error strings are matched with {@code strncmp} over the payload length ({@link StoreErrors}).</li>
 *   <li>READ values are used as C strings by the callers: {@link #read} cuts at the first NUL
 *       ({@link #readBytes} gives the raw value); DIRECTORY ends at the first empty name (double NUL).</li>
 *   <li>Watch tokens are {@code TOK|%p|%04X}; an event must be exactly {@code path\0token\0} and name a
 *       registered watch, otherwise it is ignored; events only set the watch's event, so they
 *       coalesce.</li>
 *   <li>EAGAIN on TRANSACTION_END means the whole transaction is re-run by the caller
 *       ({@link #transaction}: at most 10 attempts for VIF/CONS, unlimited for VBD/XENCRSH).</li>
 *   <li>The watchdog (every 15 s): if a producer index moved since the last look but its consumer did
 *       not, it dumps the debug state, kicks the channel and polls (§1.4 "Watchdog", §7).</li>
 *   <li>Suspend (§1.4 "Suspend"): early marks every transaction and watch inactive; late re-opens the
 *       FIXED channel from the new {@code HVM_PARAM_STORE_EVTCHN}, drops any partial reply and sets every
 *       watch's event once. Watches are not re-registered; UNWATCH of a stale one skips the wire; a stale
 *       transaction's ops fail and its END returns RETRY without the wire. Neither XS_RESUME nor the
 *       ring's reconnection fields are used.</li>
 * </ul>
 *
 * <p>Divergences (untrusted-peer rule of this project): a ring index fault ({@code prod - cons > 1024}),
 * an invalid reply length or a {@code TRANSACTION_START} reply of id 0 are not ignored as in the free
 * build; the client records a {@link Event.Fault}, stops using the ring and fails every waiting and later
 * call with {@link StoreStatus#RING_FAULT}. A watch event's token is compared byte for byte with the
 * registered one (the driver parses the id with {@code strtoul} and only asserts the caller).
 */
public final class StoreClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoreClient.class);

    /** Transactions re-run without limit (VBD, XENCRSH). */
    public static final int UNLIMITED = 0;
    /** The VIF/CONS bound on transaction attempts. */
    public static final int VIF_ATTEMPTS = 10;

    /** Timing knobs; the defaults are the driver's. */
    public record Options(Duration pollPeriod, Duration watchdogPeriod, boolean watchdog) {
        /** 5 s wait slices ({@code XENBUS_STORE_POLL_PERIOD}), 15 s watchdog. */
        public static final Options DEFAULT = new Options(Duration.ofSeconds(5), Duration.ofSeconds(15), true);
    }

    /** The body of a transaction; it may be run several times. */
    @FunctionalInterface
    public interface TransactionBody<T> {
        T run(StoreTransaction tx);
    }

    private final Kernel kernel;
    private final Vm vm;
    private final EvtchnClient evtchn;
    private final GnttabClient gnttab;
    private final ProcessorSync sync;
    private final Options options;
    private final KernelLock lock;
    private final WaitQueue wake;
    private final WaitQueue watchWake;
    private final WaitQueue watchdogWake;
    private final ArrayDeque<StoreRequest> submitted = new ArrayDeque<>();
    private final Map<Integer, StoreRequest> pending = new LinkedHashMap<>();
    private final List<StoreWatch> watches = new ArrayList<>();
    private final List<StoreTransaction> transactions = new ArrayList<>();
    private final SplittableRandom seed;
    private int requestId;
    private int watchId;

    private volatile XenstoreRing ring;
    /** gfn of the ring page, from grant entry 1 at acquire ({@code Context->Address}). */
    private long ringGfn = -1;
    private volatile EvtchnChannel channel;
    private Actor watchdogActor;
    private volatile boolean acquired;
    private volatile boolean stopping;
    private volatile String fault;

    // The partially received response (StoreResetResponse clears it).
    private final byte[] rspHeader = new byte[XsHeader.SIZE];
    private int rspHeaderUsed;
    private XsHeader rspCurrent;
    private byte[] rspPayload;
    private int rspPayloadUsed;

    // watchdog samples
    private int wdReqProd;
    private int wdReqCons;
    private int wdRspProd;
    private int wdRspCons;

    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong sends = new AtomicLong();
    private final AtomicLong spuriousResponses = new AtomicLong();
    private final AtomicLong ignoredResponses = new AtomicLong();
    private final AtomicLong ignoredWatchEvents = new AtomicLong();
    private final AtomicLong watchdogFires = new AtomicLong();
    private final AtomicLong transactionRetries = new AtomicLong();
    private final AtomicLong waitTimeouts = new AtomicLong();

    /**
     * @param vm     the guest
     * @param evtchn an acquired EVTCHN client of the guest (its {@link ProcessorSync} is the store's)
     * @param gnttab an acquired GNTTAB client of the guest (grant entry 1 holds the ring gfn)
     */
    public StoreClient(Vm vm, EvtchnClient evtchn, GnttabClient gnttab, Options options) {
        this.vm = Objects.requireNonNull(vm);
        this.kernel = vm.kernel();
        this.evtchn = Objects.requireNonNull(evtchn);
        this.gnttab = Objects.requireNonNull(gnttab);
        this.sync = evtchn.sync();
        this.options = Objects.requireNonNull(options);
        String name = name();
        this.lock = kernel.lock(name + "/xenbus store");
        this.wake = kernel.waitQueue(name + "/xenbus store replies");
        this.watchWake = kernel.waitQueue(name + "/xenbus store watches");
        this.watchdogWake = kernel.waitQueue(name + "/xenbus store watchdog");
        // StoreInitialize seeds the request and watch counters; here from the kernel seed, so runs replay.
        this.seed = new SplittableRandom(kernel.seed() * 31 + vm.domid());
        this.requestId = seed.nextInt(0x10000);
        this.watchId = seed.nextInt(0x10000);
    }

    // ---- acquire / release ----------------------------------------------------------------------

    /**
     * {@code StoreAcquire}: maps the ring page from grant entry 1, opens the FIXED store channel from
     * {@code HVM_PARAM_STORE_EVTCHN}, queues an initial poll and starts the watchdog. May be called from
     * the controlling thread.
     */
    public synchronized void acquire() {
        if (acquired) {
            throw new IllegalStateException(name() + ": STORE already acquired");
        }
        long gfn = gnttab.storeRingGfn();
        ringGfn = gfn;
        ring = new XenstoreRing(vm.domain().memory().page(gfn), kernel);
        resetResponse();
        enable();
        stopping = false;
        sampleWatchdog();
        if (options.watchdog()) {
            watchdogActor = kernel.spawn(name() + "/xenbus-store-watchdog", this::watchdogLoop);
        }
        acquired = true;
        LOG.debug("{}: STORE: PAGE @ gfn 0x{}, port {}", name(), Long.toHexString(gfn), channel.localPort());
    }

    private String name() {
        return DomId.name(vm.domid());
    }

    private void enable() {
        int port = (int) vm.domain().hvmParam(HvmParam.STORE_EVTCHN);
        channel = evtchn.openFixed(port, false, ch -> dpc());
        evtchn.unmask(channel, false, true);
        // "Trigger an initial poll": the DPC, here a one-shot actor (held while the processors are captured).
        kernel.spawn(name() + "/xenbus-store-initial-poll", () -> {
            sync.enterDispatch();
            try {
                dpc();
            } finally {
                sync.exitDispatch();
            }
        });
    }

    private void dpc() {
        if (stopping) {
            return;
        }
        lock.with(this::pollLocked);
        wake.wakeAll();
    }

    /** {@code StoreRelease}: stops the watchdog and forgets the FIXED channel (never closed on the wire). */
    @Override
    public synchronized void close() {
        if (!acquired) {
            return;
        }
        stopping = true;
        watchdogWake.wakeAll();
        if (channel != null) {
            evtchn.close(channel);
        }
        acquired = false;
    }

    // ---- poll -----------------------------------------------------------------------------------

    /** {@code StorePollLocked}. */
    private void pollLocked() {
        polls.incrementAndGet();
        if (fault != null) {
            return;
        }
        try {
            int written;
            int read;
            do {
                written = sendRequests();
                if (written != 0) {
                    kick();
                }
                read = receiveResponse();
                if (read != 0) {
                    kick();
                }
            } while ((written != 0 || read != 0) && fault == null);
        } catch (RingIndexException e) {
            fail("xenstore ring of " + name() + ": " + e.getMessage());
        }
    }

    private void kick() {
        EvtchnChannel ch = channel;
        if (ch != null && evtchn.send(ch)) {
            sends.incrementAndGet();
        }
    }

    private int sendRequests() {
        int total = 0;
        while (!submitted.isEmpty()) {
            StoreRequest r = submitted.peekFirst();
            int n = ring.req().write(r.bytes, r.written, r.bytes.length - r.written);
            r.written += n;
            total += n;
            if (r.written < r.bytes.length) {
                break;
            }
            submitted.removeFirst();
            r.state = StoreRequest.State.PENDING;
            pending.put(r.reqId, r);
        }
        return total;
    }

    /** {@code StoreReceiveResponse} + {@code StoreProcessResponse}: reads at most one reply. */
    private int receiveResponse() {
        int read = 0;
        if (rspCurrent == null) {
            int n = ring.rsp().read(rspHeader, rspHeaderUsed, XsHeader.SIZE - rspHeaderUsed);
            rspHeaderUsed += n;
            read += n;
            if (rspHeaderUsed < XsHeader.SIZE) {
                return read;
            }
            rspCurrent = XsHeader.decode(ByteBuffer.wrap(rspHeader).order(ByteOrder.LITTLE_ENDIAN));
            if (rspCurrent.unsignedLen() >= XsHeader.PAYLOAD_MAX) {
                fail("xenstore ring of " + name() + ": reply header len " + rspCurrent.unsignedLen()
                        + " >= XENSTORE_PAYLOAD_MAX (type " + rspCurrent.type() + ", req_id "
                        + rspCurrent.reqId() + ", rsp_cons " + Integer.toUnsignedString(ring.rsp().cons()) + ")");
                return read;
            }
            rspPayload = new byte[rspCurrent.len()];
            rspPayloadUsed = 0;
        }
        int n = ring.rsp().read(rspPayload, rspPayloadUsed, rspPayload.length - rspPayloadUsed);
        rspPayloadUsed += n;
        read += n;
        if (rspPayloadUsed == rspPayload.length) {
            XsMessage m = new XsMessage(rspCurrent.type(), rspCurrent.reqId(), rspCurrent.txId(), rspPayload);
            resetResponse();
            processResponse(m);
        }
        return read;
    }

    private void resetResponse() {
        rspHeaderUsed = 0;
        rspCurrent = null;
        rspPayload = null;
        rspPayloadUsed = 0;
    }

    private static boolean ignoredType(int type) {
        XsType t = XsType.of(type);
        if (t == null) {
            return false;
        }
        return switch (t) {
            case CONTROL, GET_PERMS, INTRODUCE, RELEASE, GET_DOMAIN_PATH, MKDIR, IS_DOMAIN_INTRODUCED, RESUME,
                 SET_TARGET, RESTRICT -> true;
            default -> false;
        };
    }

    private void processResponse(XsMessage m) {
        if (ignoredType(m.type())) {
            ignoredResponses.incrementAndGet();
            LOG.warn("{}: IGNORING RESPONSE TYPE {} (req_id {})", name(), m.type(), m.reqId());
            return;
        }
        if (m.type() == XsType.WATCH_EVENT.code()) {
            processWatchEvent(m.payload());
            return;
        }
        StoreRequest r = pending.remove(m.reqId());
        if (r == null) {
            spuriousResponses.incrementAndGet();
            LOG.warn("{}: SPURIOUS RESPONSE ID {}", name(), String.format("%08X", m.reqId()));
            return;
        }
        r.response = m;
        r.state = StoreRequest.State.COMPLETED;
        wake.wakeAll();
    }

    private void processWatchEvent(byte[] payload) {
        String token = WatchToken.tokenOf(payload);
        int id = token == null ? -1 : WatchToken.idOf(token);
        StoreWatch w = null;
        synchronized (watches) {
            for (StoreWatch x : watches) {
                if (x.id() == id) {
                    w = x;
                    break;
                }
            }
        }
        if (w == null || !w.token().equals(token)) {
            ignoredWatchEvents.incrementAndGet();
            LOG.warn("{}: SPURIOUS WATCH EVENT ({}) token {}", name(), WatchToken.pathOf(payload), token);
            return;
        }
        if (w.active()) {
            w.set();
        }
    }

    private void fail(String message) {
        resetResponse();
        if (fault == null) {
            fault = message;
            LOG.error("{}", message);
            kernel.log().record(new Event.Fault(name() + " xenbus store", message));
        }
        List<StoreRequest> all = new ArrayList<>(submitted);
        all.addAll(pending.values());
        submitted.clear();
        pending.clear();
        for (StoreRequest r : all) {
            r.failure = new StoreException(StoreStatus.RING_FAULT, null, message);
            r.state = StoreRequest.State.FAILED;
        }
        wake.wakeAll();
    }

    // ---- submit ---------------------------------------------------------------------------------

    /** {@code StoreSubmitRequest}: queue, poll, then wait in 5 s slices (no overall timeout), polling after each. */
    private XsMessage submit(int type, int txId, byte[] payload, String what) {
        if (payload.length > XsHeader.PAYLOAD_MAX) {
            throw new StoreException(StoreStatus.INVALID_PARAMETER, null,
                    what + ": payload of " + payload.length + " bytes > XENSTORE_PAYLOAD_MAX");
        }
        if (!acquired) {
            throw new IllegalStateException(name() + ": STORE not acquired (" + what + ")");
        }
        // [bus store.c StoreSubmitRequest] "make sure we don't suspend": the whole request is one
        // DISPATCH_LEVEL section, so a suspend's capture waits for the reply.
        sync.enterDispatch();
        try {
            return submitInDispatch(type, txId, payload, what);
        } finally {
            sync.exitDispatch();
        }
    }

    private XsMessage submitInDispatch(int type, int txId, byte[] payload, String what) {
        StoreRequest r;
        lock.lock();
        try {
            if (fault != null) {
                throw new StoreException(StoreStatus.RING_FAULT, null, what + ": " + fault);
            }
            r = new StoreRequest(type, requestId, txId, payload);
            requestId = (requestId + 1) & 0xffff;
            submitted.addLast(r);
            pollLocked();
        } finally {
            lock.unlock();
        }
        while (!r.done()) {
            EvtchnChannel ch = channel;
            long count = ch.count();
            boolean woke = wake.await(() -> r.done() || ch.count() > count || stopping, options.pollPeriod());
            if (!woke) {
                waitTimeouts.incrementAndGet();
                LOG.warn("{}: TIMED OUT waiting for {} (req_id {})", name(), what, r.reqId);
            }
            if (r.done()) {
                break;
            }
            lock.with(this::pollLocked);
        }
        if (r.state == StoreRequest.State.FAILED) {
            throw new StoreException(r.failure.status(), null, what + ": " + r.failure.getMessage());
        }
        XsMessage m = r.response;
        if (m.type() == XsType.ERROR.code()) {
            throw StoreErrors.fromErrorPayload(m.payload(), what);
        }
        return m;
    }

    // ---- paths and payloads ---------------------------------------------------------------------

    /** {@code prefix/node} or {@code node}, with the client-side limits 3072 (absolute) / 2048 (relative). */
    static String path(String prefix, String node) {
        Objects.requireNonNull(node, "node");
        String p = prefix == null ? node : prefix + "/" + node;
        int max = p.startsWith("/") ? XenstoreRing.ABS_PATH_MAX : XenstoreRing.REL_PATH_MAX;
        if (p.length() > max) {
            throw new StoreException(StoreStatus.INVALID_PARAMETER, null, "store path of " + p.length()
                    + " bytes exceeds " + max + ": " + p.substring(0, 64) + "...");
        }
        return p;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] strings(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : parts) {
            out.writeBytes(bytes(s));
            out.write(0);
        }
        return out.toByteArray();
    }

    private int txId(StoreTransaction tx, String what) {
        if (tx == null) {
            return 0;
        }
        if (!tx.active()) {
            throw new StoreException(StoreStatus.UNSUCCESSFUL, null, what + ": " + tx + " is stale after suspend");
        }
        if (tx.ended()) {
            throw new IllegalStateException(what + ": " + tx + " already ended");
        }
        return tx.id();
    }

    // ---- the STORE interface --------------------------------------------------------------------

    /** {@code Read}: the value as the drivers use it, a C string (cut at the first NUL). */
    public String read(StoreTransaction tx, String prefix, String node) {
        byte[] v = readBytes(tx, prefix, node);
        int n = 0;
        while (n < v.length && v[n] != 0) {
            n++;
        }
        return new String(v, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** {@code Read}: the raw value bytes. */
    public byte[] readBytes(StoreTransaction tx, String prefix, String node) {
        String p = path(prefix, node);
        String what = "READ " + p;
        return submit(XsType.READ.code(), txId(tx, what), strings(p), what).payload();
    }

    /**
     * What the child drivers do with {@code Read} + {@code strtoul(value, NULL, base)}: skips leading
     * white space, takes an optional sign and (base 16) {@code 0x}, parses digits until the first that is
     * not one, ignores the rest; no digits gives 0. Throws like {@link #read} when the key is missing.
     */
    public long readUnsigned(StoreTransaction tx, String prefix, String node, int base) {
        return strtoul(read(tx, prefix, node), base);
    }

    /** {@code strtoul} as the drivers call it on store values (see {@link #readUnsigned}). */
    public static long strtoul(String s, int base) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        if (base == 16 && s.startsWith("0x", i) || base == 16 && s.startsWith("0X", i)) {
            i += 2;
        }
        long v = 0;
        for (; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), base);
            if (d < 0) {
                break;
            }
            v = (v * base + d) & 0xffffffffL;
        }
        return neg ? (-v) & 0xffffffffL : v;
    }

    /** {@code Printf}: formats the value ({@link String#format}, ROOT locale) and WRITEs it. */
    public void printf(StoreTransaction tx, String prefix, String node, String format, Object... args) {
        write(tx, prefix, node, String.format(Locale.ROOT, format, args));
    }

    /** WRITE {@code path\0value}, the value without a trailing NUL. */
    public void write(StoreTransaction tx, String prefix, String node, String value) {
        writeBytes(tx, prefix, node, bytes(value));
    }

    /** WRITE of raw value bytes (no trailing NUL added). */
    public void writeBytes(StoreTransaction tx, String prefix, String node, byte[] value) {
        String p = path(prefix, node);
        String what = "WRITE " + p;
        byte[] head = strings(p);
        byte[] payload = new byte[head.length + value.length];
        System.arraycopy(head, 0, payload, 0, head.length);
        System.arraycopy(value, 0, payload, head.length, value.length);
        submit(XsType.WRITE.code(), txId(tx, what), payload, what);
    }

    /** {@code Remove}: RM {@code path\0}. */
    public void remove(StoreTransaction tx, String prefix, String node) {
        String p = path(prefix, node);
        String what = "RM " + p;
        submit(XsType.RM.code(), txId(tx, what), strings(p), what);
    }

    /** {@code Directory}: the children up to the first empty name (the driver double-NUL terminates). */
    public List<String> directory(StoreTransaction tx, String prefix, String node) {
        String p = path(prefix, node);
        String what = "DIRECTORY " + p;
        byte[] v = submit(XsType.DIRECTORY.code(), txId(tx, what), strings(p), what).payload();
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < v.length) {
            int end = start;
            while (end < v.length && v[end] != 0) {
                end++;
            }
            if (end == start) {
                break;
            }
            out.add(new String(v, start, end - start, StandardCharsets.ISO_8859_1));
            start = end + 1;
        }
        return out;
    }

    /** {@code PermissionsSet} (STORE v2): SET_PERMS {@code path\0} + {@code <n|r|w|b><domid>\0} each. */
    public void permissionsSet(StoreTransaction tx, String prefix, String node, StorePermission... perms) {
        if (perms.length == 0) {
            throw new IllegalArgumentException("PermissionsSet needs at least one permission");
        }
        String p = path(prefix, node);
        String what = "SET_PERMS " + p;
        String[] parts = new String[perms.length + 1];
        parts[0] = p;
        for (int i = 0; i < perms.length; i++) {
            parts[i + 1] = perms[i].wire();
        }
        submit(XsType.SET_PERMS.code(), txId(tx, what), strings(parts), what);
    }

    /** {@code TransactionStart}: payload {@code \0}; the reply is a decimal id, which must not be 0. */
    public StoreTransaction transactionStart() {
        XsMessage m = submit(XsType.TRANSACTION_START.code(), 0, new byte[] {0}, "TRANSACTION_START");
        long id = strtoul(new String(m.payload(), StandardCharsets.ISO_8859_1).split("\0", 2)[0], 10);
        if (id == 0) {
            lock.with(() -> fail("xenstore ring of " + name() + ": TRANSACTION_START reply id 0 (payload \""
                    + m.payloadText().replace("\0", "\\0") + "\")"));
            throw new StoreException(StoreStatus.RING_FAULT, null, "TRANSACTION_START: reply id 0");
        }
        StoreTransaction tx = new StoreTransaction((int) id);
        synchronized (transactions) {
            transactions.add(tx);
        }
        return tx;
    }

    /**
     * {@code TransactionEnd}: {@code T\0} to commit, {@code F\0} to abort, in the transaction's
     * {@code tx_id}. A stale transaction (suspended) returns RETRY without the wire.
     *
     * @throws StoreException with {@link StoreStatus#RETRY} on EAGAIN: re-run the whole transaction
     */
    public void transactionEnd(StoreTransaction tx, boolean commit) {
        Objects.requireNonNull(tx, "transaction");
        if (tx.ended()) {
            throw new IllegalStateException(tx + " already ended");
        }
        tx.markEnded();
        synchronized (transactions) {
            transactions.remove(tx);
        }
        if (!tx.active()) {
            throw new StoreException(StoreStatus.RETRY, null, "TRANSACTION_END: " + tx + " is stale after suspend");
        }
        submit(XsType.TRANSACTION_END.code(), tx.id(), strings(commit ? "T" : "F"),
                "TRANSACTION_END " + (commit ? "T" : "F") + " " + tx);
    }

    /**
     * Runs {@code body} in a transaction and commits it; when the commit fails with RETRY (EAGAIN) the
     * whole transaction, body included, is run again: at most {@code maxAttempts} times in all
     * ({@link #VIF_ATTEMPTS} for VIF/CONS) or without limit ({@link #UNLIMITED}, VBD/XENCRSH). If the body
     * throws, the transaction is aborted ({@code F}) and the exception propagates.
     */
    public <T> T transaction(int maxAttempts, TransactionBody<T> body) {
        int attempt = 0;
        while (true) {
            attempt++;
            StoreTransaction tx = transactionStart();
            T result;
            try {
                result = body.run(tx);
            } catch (RuntimeException e) {
                if (!tx.ended()) {
                    try {
                        transactionEnd(tx, false);
                    } catch (StoreException ignored) {
                        // the body's failure is the one to report
                    }
                }
                throw e;
            }
            try {
                transactionEnd(tx, true);
                return result;
            } catch (StoreException e) {
                if (e.status() != StoreStatus.RETRY || (maxAttempts != UNLIMITED && attempt >= maxAttempts)) {
                    throw e;
                }
                transactionRetries.incrementAndGet();
                LOG.debug("{}: transaction EAGAIN, attempt {} re-runs", name(), attempt + 1);
            }
        }
    }

    /**
     * {@code WatchAdd}: WATCH {@code path\0token\0} with the token {@code TOK|<caller>|<id>}. The caller
     * value is derived from the calling class (the driver prints its caller's return address).
     */
    public StoreWatch watchAdd(String prefix, String node) {
        String c = StackWalker.getInstance().walk(s -> s.skip(1).findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName()).orElse("?"));
        return watchAdd(prefix, node, 0xFFFFF80000000000L | ((c.hashCode() & 0xFFFFFFFL) << 4));
    }

    /**
     * {@code WatchAdd(prefix, node, Event)}: like {@link #watchAdd(String, String)}, and every set of the
     * watch also runs {@code event} (the owner's KEVENT: it must only set a flag and wake, never block;
     * it runs in the store's poll).
     */
    public StoreWatch watchAdd(String prefix, String node, Runnable event) {
        String c = StackWalker.getInstance().walk(s -> s.skip(1).findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName()).orElse("?"));
        return watchAdd(prefix, node, 0xFFFFF80000000000L | ((c.hashCode() & 0xFFFFFFFL) << 4), Objects.requireNonNull(event));
    }

    /** {@code WatchAdd} with an explicit caller value for the token. */
    public StoreWatch watchAdd(String prefix, String node, long caller) {
        return watchAdd(prefix, node, caller, null);
    }

    private StoreWatch watchAdd(String prefix, String node, long caller, Runnable event) {
        String p = path(prefix, node);
        StoreWatch w;
        synchronized (watches) {
            int id;
            do {
                id = watchId;
                watchId = (watchId + 1) & 0xffff;
            } while (findWatch(id) != null);
            w = new StoreWatch(p, id, caller, watchWake, event);
            watches.add(w);
        }
        String what = "WATCH " + p + " " + w.token();
        try {
            submit(XsType.WATCH.code(), 0, strings(p, w.token()), what);
        } catch (RuntimeException e) {
            synchronized (watches) {
                watches.remove(w);
            }
            throw e;
        }
        return w;
    }

    private StoreWatch findWatch(int id) {
        for (StoreWatch x : watches) {
            if (x.id() == id) {
                return x;
            }
        }
        return null;
    }

    /** {@code WatchRemove}: UNWATCH {@code path\0token\0}, skipped for a watch made stale by suspend. */
    public void watchRemove(StoreWatch w) {
        synchronized (watches) {
            if (!watches.remove(w)) {
                throw new IllegalStateException(w + " is not registered");
            }
        }
        w.markRemoved();
        if (w.active()) {
            submit(XsType.UNWATCH.code(), 0, strings(w.path(), w.token()), "UNWATCH " + w.path() + " " + w.token());
        }
    }

    /** {@code Poll}: one poll pass from the caller (crash-dump style polling). */
    public void poll() {
        lock.with(this::pollLocked);
        wake.wakeAll();
    }

    // ---- suspend --------------------------------------------------------------------------------

    /** Suspend EARLY callback: every transaction and watch becomes inactive. */
    public void suspendEarly() {
        synchronized (transactions) {
            transactions.forEach(StoreTransaction::deactivate);
        }
        synchronized (watches) {
            watches.forEach(StoreWatch::deactivate);
        }
    }

    /**
     * Suspend LATE callback (after EVTCHN's late callback re-bound the store port): forgets the old FIXED
     * channel, drops any partial reply, opens the port now in {@code HVM_PARAM_STORE_EVTCHN}, polls, and
     * sets every watch's event once. Must run from an actor.
     */
    public void resumeLate() {
        lock.with(() -> {
            // [bus store.c StoreSuspendCallbackLate]: the address from grant entry 1 is asserted (checked
            // builds) to be the one in use; the ring stays where it was, looked up in the domain the
            // guest runs in now (after a restore a new domain, same gfn, RAM copied).
            long now = gnttab.entry(GrantTable.RESERVED_XENSTORE).frame();
            if (now != ringGfn) {
                LOG.warn("{}: STORE: grant entry 1 now names gfn 0x{}, ring stays at gfn 0x{}", name(),
                        Long.toHexString(now), Long.toHexString(ringGfn));
            }
            ring = new XenstoreRing(vm.domain().memory().page(ringGfn), kernel);
            if (channel != null) {
                evtchn.close(channel);
            }
            resetResponse();
            sampleWatchdog();
            enable();
            synchronized (watches) {
                watches.forEach(StoreWatch::set);
            }
        });
    }

    // ---- watchdog -------------------------------------------------------------------------------

    private void sampleWatchdog() {
        wdReqProd = ring.req().prod();
        wdReqCons = ring.req().cons();
        wdRspProd = ring.rsp().prod();
        wdRspCons = ring.rsp().cons();
    }

    private void watchdogLoop() {
        while (!stopping) {
            watchdogWake.await(() -> stopping, options.watchdogPeriod());
            if (stopping) {
                return;
            }
            boolean fire;
            int reqProd = ring.req().prod();
            int reqCons = ring.req().cons();
            int rspProd = ring.rsp().prod();
            int rspCons = ring.rsp().cons();
            fire = (reqProd != wdReqProd && reqCons == wdReqCons) || (rspProd != wdRspProd && rspCons == wdRspCons);
            wdReqProd = reqProd;
            wdReqCons = reqCons;
            wdRspProd = rspProd;
            wdRspCons = rspCons;
            if (fire && fault == null && sync.tryEnterDispatch()) {
                // A timer DPC: skipped while the processors are captured for a suspend.
                try {
                    watchdogFires.incrementAndGet();
                    LOG.warn("{}: STORE WATCHDOG: ring stalled\n{}", name(), debugState());
                    kick();
                    poll();
                } finally {
                    sync.exitDispatch();
                }
            }
        }
    }

    /** {@code StoreDebugCallback}: ring indices, counters, watches and transactions. */
    public String debugState() {
        StringBuilder sb = new StringBuilder();
        XenstoreRing r = ring;
        if (r != null) {
            sb.append(r.req()).append('\n').append(r.rsp()).append('\n');
        }
        sb.append("Polls = ").append(polls.get()).append(" Sends = ").append(sends.get())
                .append(" Events = ").append(channel == null ? 0 : channel.count()).append('\n');
        synchronized (watches) {
            for (StoreWatch w : watches) {
                sb.append("- ").append(w).append(' ').append(w.token()).append('\n');
            }
        }
        synchronized (transactions) {
            for (StoreTransaction t : transactions) {
                sb.append("- ").append(t).append('\n');
            }
        }
        if (fault != null) {
            sb.append("FAULT: ").append(fault).append('\n');
        }
        return sb.toString();
    }

    // ---- counters for tests and the debugger ---------------------------------------------------

    /** The store channel (FIXED). */
    public EvtchnChannel channel() {
        return channel;
    }

    /** The mapped ring. */
    public XenstoreRing ring() {
        return ring;
    }

    /** Poll passes run. */
    public long polls() {
        return polls.get();
    }

    /** {@code EVTCHNOP_send}s on the store channel. */
    public long sends() {
        return sends.get();
    }

    /** Replies dropped because no pending request had their {@code req_id}. */
    public long spuriousResponses() {
        return spuriousResponses.get();
    }

    /** Replies dropped because of their type. */
    public long ignoredResponses() {
        return ignoredResponses.get();
    }

    /** Watch events dropped as malformed or for an unknown token. */
    public long ignoredWatchEvents() {
        return ignoredWatchEvents.get();
    }

    /** Times the watchdog found a stalled ring and kicked it. */
    public long watchdogFires() {
        return watchdogFires.get();
    }

    /** Transactions re-run after EAGAIN by {@link #transaction}. */
    public long transactionRetries() {
        return transactionRetries.get();
    }

    /** 5 s wait slices that ended without the reply ("TIMED OUT"). */
    public long waitTimeouts() {
        return waitTimeouts.get();
    }

    /** The ring fault that stopped this client, or {@code null}. */
    public String fault() {
        return fault;
    }

    /** Registered watches. */
    public List<StoreWatch> watches() {
        synchronized (watches) {
            return List.copyOf(watches);
        }
    }

    /** Open transactions. */
    public List<StoreTransaction> transactions() {
        synchronized (transactions) {
            return List.copyOf(transactions);
        }
    }

    /** The {@code req_id} the next request will carry. */
    public synchronized int nextRequestId() {
        return requestId;
    }
}
