package org.xenpv.core.evtchn;

/**
 * What happened on one port since it was bound.
 *
 * @param sent      {@code EVTCHNOP_send} calls made on this port (including ones an unbound port dropped)
 * @param delivered times the port went from not pending to pending (what a consumer can observe)
 * @param coalesced notifications that found the port already pending and merged into it
 * @param upcalls   deliveries that raised the vCPU's upcall
 * @param spurious  wake-ups the consumer reported as having found no work
 *                  (like lateeoi's {@code XEN_EOI_FLAG_SPURIOUS})
 */
public record PortCounters(long sent, long delivered, long coalesced, long upcalls, long spurious) {

    public static final PortCounters ZERO = new PortCounters(0, 0, 0, 0, 0);
}
