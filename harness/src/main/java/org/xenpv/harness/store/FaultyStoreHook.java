package org.xenpv.harness.store;

import java.util.Map;
import org.xenpv.core.platform.Platform;
import org.xenpv.harness.toolstack.IntroduceHook;
import org.xenpv.xenstore.ring.FaultyRingStore;

/** Plugs {@link FaultyRingStore} into the simulated toolstack in place of the daemon's ring transport. */
public final class FaultyStoreHook {

    private FaultyStoreHook() {
    }

    /**
     * A toolstack introduce hook that serves each new guest with a {@code FaultyRingStore} on the
     * toolstack's engine (put in {@code servers} by domid, started) and binds dom0's console end as
     * {@link IntroduceHook#BIND_ONLY} does.
     */
    public static IntroduceHook introduceHook(Map<Integer, FaultyRingStore> servers) {
        return (ts, g) -> {
            Platform p = ts.platform();
            FaultyRingStore s = new FaultyRingStore(p.kernel(), p, p.domain(g.domid()), ts.store());
            g.dom0StorePort(s.port());
            g.dom0ConsolePort(p.dom0().evtchn().bindInterdomain(g.domid(), g.consolePort()));
            servers.put(g.domid(), s);
            s.start();
        };
    }
}
