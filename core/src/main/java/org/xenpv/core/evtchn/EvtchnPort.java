package org.xenpv.core.evtchn;

import org.xenpv.core.domain.DomId;

/** A port in a domain's event-channel table ({@code evtchn_port_t}), qualified by its domain. */
public record EvtchnPort(int domid, int port) {

    public EvtchnPort {
        if (port < 0) {
            throw new IllegalArgumentException("negative event-channel port " + port);
        }
    }

    @Override
    public String toString() {
        return DomId.name(domid) + ":" + port;
    }
}
