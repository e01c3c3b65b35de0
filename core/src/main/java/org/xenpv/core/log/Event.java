package org.xenpv.core.log;

/**
 * One platform action, as recorded in the {@link EventLog}. Time and actor are added by the log;
 * an event holds only what happened. {@link #text()} is the stable one-line rendering used in
 * protocol traces; field names are the JSON-lines names.
 *
 * <p>The platform's own events are the records below. Higher layers (store, XENBUS, backends)
 * record {@link Note}s with their component name, so the set stays closed for pattern switches.
 */
public sealed interface Event {

    /** Short kebab-case name, the {@code "type"} in JSON lines. */
    String type();

    /** Stable one-line rendering without time and actor. */
    String text();

    record ActorSpawn(String name) implements Event {
        public String type() { return "actor-spawn"; }
        public String text() { return "spawn " + name; }
    }

    record ActorRun(String name) implements Event {
        public String type() { return "actor-run"; }
        public String text() { return "run " + name; }
    }

    record ActorExit(String name, String failure) implements Event {
        public String type() { return "actor-exit"; }
        public String text() { return "exit " + name + (failure == null ? "" : " failed: " + failure); }
    }

    record ClockAdvance(long fromNanos, long toNanos) implements Event {
        public String type() { return "clock"; }
        public String text() { return "clock " + EventLog.seconds(fromNanos) + " -> " + EventLog.seconds(toNanos); }
    }

    record DomainCreate(int domid, String name, boolean privileged) implements Event {
        public String type() { return "domain-create"; }
        public String text() { return "domain create d" + domid + " '" + name + "'" + (privileged ? " privileged" : ""); }
    }

    record DomainDestroy(int domid) implements Event {
        public String type() { return "domain-destroy"; }
        public String text() { return "domain destroy d" + domid; }
    }

    record DomainShutdown(int domid, String reason) implements Event {
        public String type() { return "domain-shutdown"; }
        public String text() { return "domain shutdown d" + domid + " " + reason; }
    }

    record DomainResume(int domid, int rc) implements Event {
        public String type() { return "domain-resume"; }
        public String text() { return "domain resume d" + domid + " rc=" + rc; }
    }

    record DomainRestore(int fromDomid, int domid) implements Event {
        public String type() { return "domain-restore"; }
        public String text() { return "domain restore d" + fromDomid + " -> d" + domid; }
    }

    record GrantPermit(int granter, int ref, int grantee, long gfn, boolean readOnly) implements Event {
        public String type() { return "grant-permit"; }
        public String text() {
            return "grant permit d" + granter + " ref " + ref + " -> d" + grantee + " gfn 0x" + Long.toHexString(gfn)
                    + (readOnly ? " ro" : " rw");
        }
    }

    record GrantRevoke(int granter, int ref, boolean ok) implements Event {
        public String type() { return "grant-revoke"; }
        public String text() { return "grant revoke d" + granter + " ref " + ref + (ok ? "" : " refused (in use)"); }
    }

    record GrantMap(int mapper, int granter, int ref, boolean readOnly, int handle, int status) implements Event {
        public String type() { return "grant-map"; }
        public String text() {
            return "grant map d" + mapper + " <- d" + granter + " ref " + ref + (readOnly ? " ro" : " rw")
                    + (status == 0 ? " handle " + handle : " status " + status);
        }
    }

    record GrantUnmap(int mapper, int granter, int ref, int handle, int status) implements Event {
        public String type() { return "grant-unmap"; }
        public String text() {
            return "grant unmap d" + mapper + " handle " + handle + " (d" + granter + " ref " + ref + ")"
                    + (status == 0 ? "" : " status " + status);
        }
    }

    record GrantCopy(int caller, String source, String dest, int length, int status) implements Event {
        public String type() { return "grant-copy"; }
        public String text() {
            return "grant copy d" + caller + " " + source + " -> " + dest + " len " + length
                    + (status == 0 ? "" : " status " + status);
        }
    }

    record EvtchnBind(int domid, int port, String binding) implements Event {
        public String type() { return "evtchn-bind"; }
        public String text() { return "evtchn bind d" + domid + " port " + port + " " + binding; }
    }

    record EvtchnClose(int domid, int port) implements Event {
        public String type() { return "evtchn-close"; }
        public String text() { return "evtchn close d" + domid + " port " + port; }
    }

    record EvtchnSend(int domid, int port, int remoteDomid, int remotePort) implements Event {
        public String type() { return "evtchn-send"; }
        public String text() {
            return "evtchn send d" + domid + " port " + port + " -> d" + remoteDomid + " port " + remotePort;
        }
    }

    /** A port became pending in {@code domid}; {@code upcall} tells whether the vCPU was interrupted. */
    record EvtchnDeliver(int domid, int port, boolean masked, boolean upcall) implements Event {
        public String type() { return "evtchn-deliver"; }
        public String text() {
            return "evtchn deliver d" + domid + " port " + port + (masked ? " masked" : "") + (upcall ? " upcall" : "");
        }
    }

    record EvtchnMask(int domid, int port, boolean masked) implements Event {
        public String type() { return "evtchn-mask"; }
        public String text() { return "evtchn " + (masked ? "mask" : "unmask") + " d" + domid + " port " + port; }
    }

    /** A producer published new entries: {@code side} is {@code req} or {@code rsp}. */
    record RingPush(String ring, String side, int oldProd, int newProd, boolean notified) implements Event {
        public String type() { return "ring-push"; }
        public String text() {
            return "ring " + ring + " push " + side + "_prod " + Integer.toUnsignedString(oldProd) + "->"
                    + Integer.toUnsignedString(newProd) + " notify=" + (notified ? "yes" : "no");
        }
    }

    /** A consumer took entries: {@code side} is {@code req} or {@code rsp}. */
    record RingConsume(String ring, String side, int oldCons, int newCons) implements Event {
        public String type() { return "ring-consume"; }
        public String text() {
            return "ring " + ring + " consume " + side + "_cons " + Integer.toUnsignedString(oldCons) + "->"
                    + Integer.toUnsignedString(newCons);
        }
    }

    /** A protocol fault found by a validating peer (XSA-376 style checks). */
    record Fault(String component, String what) implements Event {
        public String type() { return "fault"; }
        public String text() { return "FAULT " + component + ": " + what; }
    }

    /** Free-form protocol step from a higher layer (store, XENBUS, a backend, the toolstack). */
    record Note(String component, String message) implements Event {
        public String type() { return "note"; }
        public String text() { return component + ": " + message; }
    }
}
