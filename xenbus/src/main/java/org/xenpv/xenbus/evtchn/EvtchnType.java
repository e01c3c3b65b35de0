package org.xenpv.xenbus.evtchn;

/** The kinds of channel XENBUS's EVTCHN interface opens (windows-pv-drivers.md §1.2 "Channel types"). */
public enum EvtchnType {
    /** A port that already exists (store, console): bound by the toolstack, never closed by the guest. */
    FIXED,
    /** {@code EVTCHNOP_alloc_unbound} to a backend domid (what every frontend uses). */
    UNBOUND,
    /** {@code EVTCHNOP_bind_interdomain} to a remote port. */
    INTER_DOMAIN,
    /** {@code EVTCHNOP_bind_virq}. */
    VIRQ
}
