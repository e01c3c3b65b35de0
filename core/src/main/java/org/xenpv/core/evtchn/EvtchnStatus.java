package org.xenpv.core.evtchn;

import org.xenpv.core.domain.DomId;

/**
 * The answer of {@code EVTCHNOP_status} ({@code struct evtchn_status}): the channel's state, its
 * notification vCPU and the state's union member.
 */
public sealed interface EvtchnStatus {

    /** {@code EVTCHNSTAT_closed}. */
    int CLOSED = 0;
    /** {@code EVTCHNSTAT_unbound}. */
    int UNBOUND = 1;
    /** {@code EVTCHNSTAT_interdomain}. */
    int INTERDOMAIN = 2;
    /** {@code EVTCHNSTAT_pirq}. */
    int PIRQ = 3;
    /** {@code EVTCHNSTAT_virq}. */
    int VIRQ = 4;
    /** {@code EVTCHNSTAT_ipi}. */
    int IPI = 5;

    /** The {@code EVTCHNSTAT_*} code. */
    int status();

    /** vCPU notified when the port becomes pending. */
    int vcpu();

    /** One line for traces and leak reports. */
    String describe();

    /** Not in use ({@code ECS_FREE} or {@code ECS_RESERVED}). */
    record Closed(int vcpu) implements EvtchnStatus {
        public int status() { return CLOSED; }
        public String describe() { return "closed"; }
    }

    /** Allocated, waiting for {@code remoteDomid} to bind to it. */
    record Unbound(int vcpu, int remoteDomid) implements EvtchnStatus {
        public int status() { return UNBOUND; }
        public String describe() { return "unbound, for " + DomId.name(remoteDomid); }
    }

    /** Connected to {@code remotePort} of {@code remoteDomid}. */
    record Interdomain(int vcpu, int remoteDomid, int remotePort) implements EvtchnStatus {
        public int status() { return INTERDOMAIN; }
        public String describe() { return "interdomain <-> " + DomId.name(remoteDomid) + " port " + remotePort; }
    }

    /** Bound to a virtual IRQ. */
    record Virq(int vcpu, int virq) implements EvtchnStatus {
        public int status() { return VIRQ; }
        public String describe() {
            return org.xenpv.core.evtchn.Virq.name(virq) + " on vCPU " + vcpu;
        }
    }

    /** An inter-processor interrupt to {@code vcpu}. */
    record Ipi(int vcpu) implements EvtchnStatus {
        public int status() { return IPI; }
        public String describe() { return "ipi to vCPU " + vcpu; }
    }
}
