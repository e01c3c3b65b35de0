package org.xenpv.harness.toolstack;

import org.xenpv.xenstore.ring.Xenstored;

/**
 * {@link IntroduceHook} for a world whose store is the {@link Xenstored} daemon actor serving guest
 * rings: {@code XS_INTRODUCE} maps the guest's ring and binds its store channel (the daemon's end is
 * recorded as dom0's store port), xenconsoled's bind is simulated by binding dom0's console end,
 * and {@code XS_RELEASE} ends the ring connection before the domain is destroyed.
 */
public final class XenstoredIntroduceHook implements IntroduceHook {

    private final Xenstored xenstored;

    public XenstoredIntroduceHook(Xenstored xenstored) {
        this.xenstored = xenstored;
    }

    @Override
    public void introduce(Toolstack toolstack, GuestDomain guest) {
        xenstored.introduce(guest.domid(), guest.storeGfn(), guest.storePort());
        guest.dom0StorePort(xenstored.ringStatus(guest.domid()).orElseThrow().localPort());
        guest.dom0ConsolePort(toolstack.platform().dom0().evtchn().bindInterdomain(guest.domid(), guest.consolePort()));
    }

    @Override
    public void release(Toolstack toolstack, GuestDomain guest) {
        if (xenstored.ringStatus(guest.domid()).isPresent()) {
            xenstored.release(guest.domid());
        }
    }
}
