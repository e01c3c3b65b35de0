package org.xenpv.xenbus.store;

import java.nio.charset.StandardCharsets;
import org.xenpv.xenstore.wire.XsError;

/**
 * {@code StoreCheckResponse} of {@code [bus store.c]} (windows-pv-drivers.md §1.4 "Errors"): how the
 * payload of an {@code XS_ERROR} reply becomes a status.
 *
 * <p>Quirk reproduced (§1.4): the driver compares with {@code strncmp(payload, name, len)} where
 * {@code len} is the payload length, first against {@code "EQUOTA"} and then against {@code xsd_errors} in
 * table order. So the compare is exact only for a well-formed {@code "ENAME\0"}; a payload without its NUL
 * still matches, a truncated one matches the first table entry it is a prefix of ({@code "EAG"} ->
 * EAGAIN, {@code "E"} -> EINVAL) and an empty payload matches {@code EQUOTA}.
 */
final class StoreErrors {

    private StoreErrors() {
    }

    static StoreException fromErrorPayload(byte[] payload, String what) {
        if (strncmp(payload, "EQUOTA")) {
            return new StoreException(StoreStatus.QUOTA_EXCEEDED, "EQUOTA", what + ": EQUOTA");
        }
        for (XsError e : XsError.values()) {
            if (e != XsError.EQUOTA && strncmp(payload, e.name())) {
                StoreStatus s = switch (e) {
                    case ENOENT -> StoreStatus.NAME_NOT_FOUND;
                    case EAGAIN -> StoreStatus.RETRY;
                    case EACCES, EPERM -> StoreStatus.ACCESS_DENIED;
                    default -> StoreStatus.ERRNO;
                };
                return new StoreException(s, e.name(), what + ": " + e.name());
            }
        }
        String text = new String(payload, StandardCharsets.ISO_8859_1).replace("\0", "\\0");
        return new StoreException(StoreStatus.UNSUCCESSFUL, null, what + ": unrecognised error \"" + text + "\"");
    }

    /** {@code strncmp(payload, name, payload.length) == 0} with {@code name} NUL-terminated. */
    private static boolean strncmp(byte[] payload, String name) {
        for (int i = 0; i < payload.length; i++) {
            int a = payload[i] & 0xff;
            int b = i < name.length() ? name.charAt(i) : 0;
            if (a != b) {
                return false;
            }
            if (a == 0) {
                return true;
            }
        }
        return true;
    }
}
