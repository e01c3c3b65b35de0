package org.xenpv.conformance.xenbus;

import org.xenpv.core.platform.Vm;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.xenbus.evtchn.EvtchnClient;
import org.xenpv.xenbus.gnttab.GnttabClient;
import org.xenpv.xenbus.memory.GuestFrames;
import org.xenpv.xenbus.store.StoreClient;

/** What the store suites boot in a guest without a whole FDO: EVTCHN, GNTTAB and STORE, acquired in that order. */
final class XenbusClients {

    private XenbusClients() {
    }

    /** An acquired STORE client of {@code vm}, on freshly acquired EVTCHN and GNTTAB clients with default options. */
    static StoreClient acquireStore(Vm vm) {
        GuestFrames frames = new GuestFrames(vm);
        EvtchnClient evtchn = new EvtchnClient(vm, frames, EvtchnClient.Options.DEFAULT);
        evtchn.acquire();
        GnttabClient gnttab = new GnttabClient(vm, frames);
        gnttab.acquire();
        StoreClient store = new StoreClient(vm, evtchn, gnttab, StoreClient.Options.DEFAULT);
        store.acquire();
        return store;
    }

    /** Puts all four indices of an empty ring at {@code start} (to exercise the u32 wrap). */
    static void startRingAt(XenstoreRing r, int start) {
        r.req().setCons(start);
        r.req().setProd(start);
        r.rsp().setCons(start);
        r.rsp().setProd(start);
    }
}
