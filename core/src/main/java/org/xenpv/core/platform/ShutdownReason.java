package org.xenpv.core.platform;

import java.util.Arrays;
import java.util.Optional;

/**
 * {@code SHUTDOWN_*} codes of {@code SCHEDOP_shutdown} ({@code xen/include/public/sched.h}). Also
 * the values a toolstack writes to {@code control/shutdown} by name ({@link #controlValue()}).
 */
public enum ShutdownReason {
    POWEROFF(0, "poweroff"),
    REBOOT(1, "reboot"),
    SUSPEND(2, "suspend"),
    CRASH(3, "crash"),
    WATCHDOG(4, "watchdog"),
    SOFT_RESET(5, "soft_reset");

    private final int code;
    private final String controlValue;

    ShutdownReason(int code, String controlValue) {
        this.code = code;
        this.controlValue = controlValue;
    }

    /** The {@code SHUTDOWN_*} value. */
    public int code() {
        return code;
    }

    /** The word {@code xl} writes to {@code control/shutdown} (and the event log's rendering). */
    public String controlValue() {
        return controlValue;
    }

    /** The reason with {@code SHUTDOWN_*} value {@code code}, if it is one. */
    public static Optional<ShutdownReason> of(int code) {
        return Arrays.stream(values()).filter(r -> r.code == code).findFirst();
    }
}
