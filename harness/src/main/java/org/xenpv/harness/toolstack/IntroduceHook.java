package org.xenpv.harness.toolstack;

/**
 * What happens after the toolstack built a domain's store and console plumbing: xenstored's
 * {@code XS_INTRODUCE} (bind to the store port, map the ring, start serving it) and xenconsoled's
 * bind. Pluggable so the xenstored ring transport can serve real guests; {@link #BIND_ONLY} just binds
 * dom0's ends of both channels, which is all the event-channel layer needs.
 */
public interface IntroduceHook {

    /** Called once the domain's store/console grants, params and ports exist. */
    void introduce(Toolstack toolstack, GuestDomain guest);

    /** Called before the domain is destroyed (xenstored's {@code XS_RELEASE}). */
    default void release(Toolstack toolstack, GuestDomain guest) {
    }

    /** Binds dom0's end of the store and console channels (as xenstored and xenconsoled would). */
    IntroduceHook BIND_ONLY = (ts, g) -> {
        var d0 = ts.platform().dom0().evtchn();
        g.dom0StorePort(d0.bindInterdomain(g.domid(), g.storePort()));
        g.dom0ConsolePort(d0.bindInterdomain(g.domid(), g.consolePort()));
    };
}
