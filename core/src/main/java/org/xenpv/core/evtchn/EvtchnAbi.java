package org.xenpv.core.evtchn;

/** The event-channel ABI a domain uses: 2-level until {@code EVTCHNOP_init_control} switches it to FIFO. */
public enum EvtchnAbi {
    /** Pending and mask bitmaps in the shared-info page; 4096 ports on x86_64. */
    TWO_LEVEL,
    /** Event words in guest pages, per-vCPU control blocks with 16 priority queues; up to 2^17 ports. */
    FIFO
}
