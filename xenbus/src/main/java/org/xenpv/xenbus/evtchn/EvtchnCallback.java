package org.xenpv.xenbus.evtchn;

/**
 * What a channel's owner runs when its port fires: XENBUS's {@code KSERVICE_ROUTINE} callback, run
 * here from the domain's DPC actor (windows-pv-drivers.md §1.2 "Delivery").
 */
@FunctionalInterface
public interface EvtchnCallback {

    void fired(EvtchnChannel channel);
}
