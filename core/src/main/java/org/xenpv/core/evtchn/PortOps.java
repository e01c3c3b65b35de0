package org.xenpv.core.evtchn;

import java.util.function.IntConsumer;

/**
 * One event-channel ABI, Xen's {@code struct evtchn_port_ops} plus the guest-side operations a
 * simple consumer needs. Implementations change shared memory only with atomic operations.
 */
interface PortOps {

    EvtchnAbi abi();

    /** Ports this ABI can name ({@code max_evtchns}). */
    int maxPorts();

    /** Xen: make the port pending and notify the guest as the ABI says. */
    void setPending(Channel ch);

    /** Xen: clear the pending state (on close). */
    void clearPending(Channel ch);

    /** Xen's {@code EVTCHNOP_unmask}: clear the mask and re-deliver if still pending. */
    void unmask(Channel ch);

    boolean isPending(Channel ch);

    boolean isMasked(Channel ch);

    /** Whether the port cannot be reused yet (FIFO: still linked on a queue). */
    boolean isBusy(Channel ch);

    /** Guest: set the port's mask bit. */
    void mask(Channel ch);

    /** Guest: atomically clear the pending bit, returning whether it was set. */
    boolean testAndClearPending(Channel ch);

    /** Guest: find and consume pending unmasked ports of {@code vcpu}, calling {@code handler} for each. */
    int dispatch(int vcpu, IntConsumer handler);

    /** Xen: the domain switches away from this ABI. */
    void destroy();
}
