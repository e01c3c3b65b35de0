package org.xenpv.xenbus.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The watch token of {@code [bus store.c StoreWatchAdd]} (windows-pv-drivers.md §1.4 "Watches"):
 * {@code TOK|<caller as %p: 16 upper-case hex digits>|<id as %04X>}, 25 characters on x64.
 */
final class WatchToken {

    /** {@code strlen("TOK|XXXXXXXXXXXXXXXX|XXXX")}. */
    static final int LENGTH = 25;

    private WatchToken() {
    }

    static String format(long caller, int id) {
        return String.format(Locale.ROOT, "TOK|%016X|%04X", caller, id & 0xffff);
    }

    /**
     * {@code StoreParseWatchEvent}: the payload must be exactly {@code path\0} + a 25-byte token +
     * {@code \0}. Returns the token, or {@code null} for anything else.
     */
    static String tokenOf(byte[] payload) {
        int nul = 0;
        while (nul < payload.length && payload[nul] != 0) {
            nul++;
        }
        // Remaining length counted from the path's NUL: NUL + token + NUL.
        if (payload.length - nul != LENGTH + 2) {
            return null;
        }
        if (payload[payload.length - 1] != 0) {
            return null;
        }
        byte[] tok = Arrays.copyOfRange(payload, nul + 1, payload.length - 1);
        String s = new String(tok, StandardCharsets.ISO_8859_1);
        return s.startsWith("TOK|") ? s : null;
    }

    /** The event's path (bytes up to the first NUL). */
    static String pathOf(byte[] payload) {
        int nul = 0;
        while (nul < payload.length && payload[nul] != 0) {
            nul++;
        }
        return new String(payload, 0, nul, StandardCharsets.ISO_8859_1);
    }

    /** The id field of a token of this format, or -1. */
    static int idOf(String token) {
        int bar = token.lastIndexOf('|');
        if (bar < 0 || bar + 5 != token.length()) {
            return -1;
        }
        try {
            return Integer.parseInt(token.substring(bar + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
