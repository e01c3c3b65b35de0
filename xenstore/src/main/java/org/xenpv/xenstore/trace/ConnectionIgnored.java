package org.xenpv.xenstore.trace;

/**
 * cxenstored {@code CONN <p> ignored, reason <n>} ({@code ignore_connection()}): the daemon stopped
 * serving the connection. {@code reason} is an {@code XENSTORE_ERROR_*} code from {@code xs_wire.h}.
 */
public record ConnectionIgnored(long line, String conn, int reason) implements TraceRecord {

    /** {@code XENSTORE_ERROR_*} name for {@link #reason}. */
    public String reasonName() {
        return switch (reason) {
            case 0 -> "XENSTORE_ERROR_NONE";
            case 1 -> "XENSTORE_ERROR_COMM";
            case 2 -> "XENSTORE_ERROR_RINGIDX";
            case 3 -> "XENSTORE_ERROR_PROTO";
            default -> "reason " + reason;
        };
    }
}
