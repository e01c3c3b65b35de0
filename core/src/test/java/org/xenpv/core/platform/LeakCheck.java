package org.xenpv.core.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.xenpv.core.grant.GrantTable;

/**
 * Test fixture: fails a test if the platform still has grant mappings, permitted grant refs, bound
 * event channels or zombie domains, listing every one of them. Shared with other modules through
 * the core test-jar.
 *
 * <pre>{@code
 * LeakCheck.assertNoLeaks(platform);
 * LeakCheck.on(platform).allowingToolstackGrants().allowingPorts(1, storePort).verify();
 * }</pre>
 */
public final class LeakCheck {

    private final Platform platform;
    private final List<Predicate<? super LeakReport.Leak>> allowed = new ArrayList<>();

    private LeakCheck(Platform platform) {
        this.platform = platform;
    }

    /** A check of {@code platform} that allows nothing yet. */
    public static LeakCheck on(Platform platform) {
        return new LeakCheck(platform);
    }

    /** Fails with every leak listed unless the platform is clean. */
    public static void assertNoLeaks(Platform platform) {
        on(platform).verify();
    }

    /** Ignores leaks {@code predicate} accepts. */
    public LeakCheck allowing(Predicate<? super LeakReport.Leak> predicate) {
        allowed.add(predicate);
        return this;
    }

    /** Ignores permitted refs below {@code GNTTAB_NR_RESERVED_ENTRIES} (console and store rings the toolstack seeds). */
    public LeakCheck allowingToolstackGrants() {
        return allowing(l -> l instanceof LeakReport.PermittedRef p && p.ref() < GrantTable.NR_RESERVED_ENTRIES);
    }

    /** Ignores these bound ports of {@code domid} (e.g. store and console channels that live as long as the domain). */
    public LeakCheck allowingPorts(int domid, int... ports) {
        return allowing(l -> {
            if (l instanceof LeakReport.BoundChannel c && c.domid() == domid) {
                for (int p : ports) {
                    if (p == c.port()) {
                        return true;
                    }
                }
            }
            return false;
        });
    }

    /** The leaks that are not allowed. */
    public LeakReport report() {
        LeakReport r = platform.leakReport();
        for (Predicate<? super LeakReport.Leak> p : allowed) {
            r = r.without(p);
        }
        return r;
    }

    /** Throws an {@link AssertionError} listing every leak that is not allowed. */
    public void verify() {
        LeakReport r = report();
        if (!r.isEmpty()) {
            throw new AssertionError("platform not clean after the test: " + r.text());
        }
    }
}
