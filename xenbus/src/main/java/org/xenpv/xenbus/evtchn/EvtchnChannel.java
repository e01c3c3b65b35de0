package org.xenpv.xenbus.evtchn;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One open channel of {@link EvtchnClient} ({@code XENBUS_EVTCHN_CHANNEL}): its type, local port, the
 * remote end it was opened to, whether it auto-masks, its callback and its delivery count
 * ({@code Channel->Count}, which backs {@link EvtchnClient#await}).
 */
public final class EvtchnChannel {

    private final EvtchnType type;
    private final int localPort;
    private final int remoteDomid;
    private final int remotePortOrVirq;
    private final boolean mask;
    private final EvtchnCallback callback;
    private final AtomicLong count = new AtomicLong();
    private volatile int cpu;
    private volatile boolean active = true;
    private volatile boolean closed;

    EvtchnChannel(EvtchnType type, int localPort, int remoteDomid, int remotePortOrVirq, boolean mask,
                  EvtchnCallback callback) {
        this.type = type;
        this.localPort = localPort;
        this.remoteDomid = remoteDomid;
        this.remotePortOrVirq = remotePortOrVirq;
        this.mask = mask;
        this.callback = callback;
    }

    public EvtchnType type() {
        return type;
    }

    /** The guest's port ({@code EvtchnGetPort}). */
    public int localPort() {
        return localPort;
    }

    /** Remote domid (UNBOUND, INTER_DOMAIN), or -1. */
    public int remoteDomid() {
        return remoteDomid;
    }

    /** Remote port (INTER_DOMAIN), the VIRQ number (VIRQ), or -1. */
    public int remotePortOrVirq() {
        return remotePortOrVirq;
    }

    /** Whether the port is masked before its callback runs and stays masked until {@link EvtchnClient#unmask}. */
    public boolean autoMask() {
        return mask;
    }

    /** The vCPU whose DPC runs the callback. */
    public int cpu() {
        return cpu;
    }

    void cpu(int c) {
        cpu = c;
    }

    /** Deliveries so far. */
    public long count() {
        return count.get();
    }

    long countDelivery() {
        return count.incrementAndGet();
    }

    EvtchnCallback callback() {
        return callback;
    }

    /** False after suspend-early: {@link EvtchnClient#send} is a no-op until the owner re-opens. */
    public boolean active() {
        return active && !closed;
    }

    void deactivate() {
        active = false;
    }

    boolean closed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    @Override
    public String toString() {
        return type + " port " + localPort + (remoteDomid >= 0 ? " -> d" + remoteDomid : "")
                + (remotePortOrVirq >= 0 ? (type == EvtchnType.VIRQ ? " virq " : " port ") + remotePortOrVirq : "")
                + (mask ? " (mask)" : "") + (active() ? "" : " inactive");
    }
}
