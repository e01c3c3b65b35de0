package org.xenpv.xenstore.ring;

import org.xenpv.xenstore.store.Errno;

/**
 * A programmatic {@link Xenstored#introduce} failed where cxenstored's {@code do_introduce()} answers an
 * error: the ring page could not be mapped or the event channel not bound. Carries the errno the
 * INTRODUCE request would have been answered with.
 */
public final class IntroduceException extends RuntimeException {

    private final int domid;
    private final int errno;

    public IntroduceException(int domid, int errno, String detail) {
        super("INTRODUCE of domain " + Integer.toUnsignedString(domid) + " failed (" + Errno.name(errno) + "): " + detail);
        this.domid = domid;
        this.errno = errno;
    }

    public int domid() {
        return domid;
    }

    /** The errno cxenstored would answer with. */
    public int errno() {
        return errno;
    }
}
