package org.xenpv.core.platform;

import java.util.List;
import java.util.function.Predicate;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.evtchn.EvtchnStatus;

/**
 * What is still set up on the platform: live grant mappings (mapper, granter, ref, handle), refs
 * still permitted (granter, ref, grantee), bound event channels, and destroyed domains kept alive
 * because someone still maps their grants. At the end of a test that tore everything down this is
 * empty; anything left is a leak (XSA-396: a page reused while still mapped).
 */
public record LeakReport(List<Leak> leaks) {

    public LeakReport {
        leaks = List.copyOf(leaks);
    }

    /** One thing left over. */
    public sealed interface Leak permits LiveMapping, PermittedRef, BoundChannel, ZombieDomain {
        /** One line naming it. */
        String describe();
    }

    /** {@code mapper} still maps {@code granter}'s {@code ref} under {@code handle}. */
    public record LiveMapping(int mapper, int granter, int ref, int handle, boolean readOnly) implements Leak {
        public String describe() {
            return "grant mapping: " + DomId.name(mapper) + " maps " + DomId.name(granter) + " ref " + ref + " (handle "
                    + handle + (readOnly ? ", ro" : ", rw") + ")";
        }
    }

    /** {@code granter}'s entry {@code ref} still permits {@code grantee} to access {@code gfn}. */
    public record PermittedRef(int granter, int ref, int grantee, long gfn, boolean readOnly, boolean inUse)
            implements Leak {
        public String describe() {
            return "grant permitted: " + DomId.name(granter) + " ref " + ref + " -> " + DomId.name(grantee) + " (gfn 0x"
                    + Long.toHexString(gfn) + (readOnly ? ", ro" : ", rw") + (inUse ? ", in use" : "") + ")";
        }
    }

    /** {@code domid}'s {@code port} is still bound. */
    public record BoundChannel(int domid, int port, EvtchnStatus status) implements Leak {
        public String describe() {
            return "event channel: " + DomId.name(domid) + " port " + port + " " + status.describe();
        }
    }

    /** Destroyed domain whose grants {@code pinnedRefs} refs are still mapped by others. */
    public record ZombieDomain(int domid, String name, int pinnedRefs) implements Leak {
        public String describe() {
            return "zombie domain: " + DomId.name(domid) + " '" + name + "' destroyed but " + pinnedRefs
                    + " of its grant refs are still mapped";
        }
    }

    public boolean isEmpty() {
        return leaks.isEmpty();
    }

    /** The report without the leaks {@code allowed} accepts (e.g. the toolstack's own grants). */
    public LeakReport without(Predicate<? super Leak> allowed) {
        return new LeakReport(leaks.stream().filter(l -> !allowed.test(l)).toList());
    }

    public List<LiveMapping> mappings() {
        return of(LiveMapping.class);
    }

    public List<PermittedRef> permittedRefs() {
        return of(PermittedRef.class);
    }

    public List<BoundChannel> channels() {
        return of(BoundChannel.class);
    }

    public List<ZombieDomain> zombies() {
        return of(ZombieDomain.class);
    }

    private <T extends Leak> List<T> of(Class<T> type) {
        return leaks.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Each leak's {@link Leak#describe()}, in report order. */
    public List<String> describeAll() {
        return leaks.stream().map(Leak::describe).toList();
    }

    /** One leak per line, or {@code no leaks}. */
    public String text() {
        if (leaks.isEmpty()) {
            return "no leaks";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(leaks.size()).append(leaks.size() == 1 ? " leak:" : " leaks:");
        for (Leak l : leaks) {
            sb.append("\n  ").append(l.describe());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return text();
    }
}
