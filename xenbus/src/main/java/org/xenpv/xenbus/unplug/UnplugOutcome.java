package org.xenpv.xenbus.unplug;

/** The result of one run of the unplug port sequence. */
public enum UnplugOutcome {
    /** The masks were written. */
    DONE,
    /** Nothing was requested, so the ports were not touched. */
    NOTHING_REQUESTED,
    /** The magic was neither 0x49d2 nor 0xd249: no unplug protocol here. */
    UNSUPPORTED,
    /** The device model blacklisted this driver build (magic 0xd249). */
    BLACKLISTED
}
