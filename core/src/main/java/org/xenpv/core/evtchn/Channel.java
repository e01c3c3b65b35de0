package org.xenpv.core.evtchn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;

/**
 * Xen's {@code struct evtchn}: one port's binding and bookkeeping. Binding fields change only with
 * the owner's event lock and this object's monitor held (the per-channel lock); {@code send} reads
 * them with the monitor held, so it never sees a half-made binding.
 */
final class Channel {

    enum State { FREE, RESERVED, UNBOUND, INTERDOMAIN, VIRQ, IPI }

    private static final VarHandle SENT;
    private static final VarHandle DELIVERED;
    private static final VarHandle COALESCED;
    private static final VarHandle UPCALLS;
    private static final VarHandle SPURIOUS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SENT = l.findVarHandle(Channel.class, "sent", long.class);
            DELIVERED = l.findVarHandle(Channel.class, "delivered", long.class);
            COALESCED = l.findVarHandle(Channel.class, "coalesced", long.class);
            UPCALLS = l.findVarHandle(Channel.class, "upcalls", long.class);
            SPURIOUS = l.findVarHandle(Channel.class, "spurious", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final EventChannels owner;
    final int port;
    /** {@code SCHEDOP_poll}'s wait condition for this port, made once: a poll allocates nothing. */
    final BooleanSupplier pendingCheck;

    volatile State state = State.FREE;
    /** UNBOUND: the domain allowed to bind; INTERDOMAIN: the peer's domid. */
    volatile int remoteDomid;
    /** INTERDOMAIN: the peer's table and channel. */
    EventChannels remote;
    Channel remoteChannel;
    /** VIRQ: the virtual IRQ. */
    int virq;
    volatile int notifyVcpu;
    volatile int priority = EvtchnFifo.PRIORITY_DEFAULT;
    /** FIFO: id of the queue the port was last linked on ({@code fifo_lastq}). */
    volatile int lastQueue;
    /** FIFO: became pending while its event-array page was missing ({@code evtchn->pending}). */
    volatile boolean fifoPending;

    private volatile long sent;
    private volatile long delivered;
    private volatile long coalesced;
    private volatile long upcalls;
    private volatile long spurious;

    Channel(EventChannels owner, int port) {
        this.owner = owner;
        this.port = port;
        this.pendingCheck = () -> owner.pending(port);
    }

    /** Only {@code EVTCHNOP_send} counts, with this channel's monitor held: one writer, no atomic add. */
    void countSent() {
        SENT.setRelease(this, (long) SENT.getOpaque(this) + 1);
    }

    void countDelivered() {
        DELIVERED.getAndAdd(this, 1L);
    }

    void countCoalesced() {
        COALESCED.getAndAdd(this, 1L);
    }

    void countUpcall() {
        UPCALLS.getAndAdd(this, 1L);
    }

    void countSpurious() {
        SPURIOUS.getAndAdd(this, 1L);
    }

    void resetCounters() {
        sent = 0;
        delivered = 0;
        coalesced = 0;
        upcalls = 0;
        spurious = 0;
    }

    PortCounters counters() {
        return new PortCounters(sent, delivered, coalesced, upcalls, spurious);
    }

    boolean bound() {
        State s = state;
        return s != State.FREE && s != State.RESERVED;
    }

    /** {@code EVTCHNOP_status} view; caller holds the owner's event lock. */
    EvtchnStatus status() {
        int vcpu = notifyVcpu;
        return switch (state) {
            case FREE, RESERVED -> new EvtchnStatus.Closed(vcpu);
            case UNBOUND -> new EvtchnStatus.Unbound(vcpu, remoteDomid);
            case INTERDOMAIN -> new EvtchnStatus.Interdomain(vcpu, remoteDomid, remoteChannel.port);
            case VIRQ -> new EvtchnStatus.Virq(vcpu, virq);
            case IPI -> new EvtchnStatus.Ipi(vcpu);
        };
    }

    @Override
    public String toString() {
        return "Channel[d" + owner.domid() + " port " + port + " " + state + "]";
    }
}
