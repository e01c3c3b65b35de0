package org.xenpv.xenstore.trace;

/**
 * A trace line that carries no xenstore message: the daemon's diagnostics, kept verbatim so that a
 * trace converts back byte for byte.
 *
 * @param raw        the line's bytes without the final newline (may span lines for glued output)
 * @param terminated whether a newline followed it in the file
 */
public record Noise(long line, Kind kind, Payload raw, boolean terminated) implements TraceRecord {

    public enum Kind {
        /** {@code wrl: ...} write-rate limiter. */
        WRL(true),
        /** {@code Checking store ...}, {@code check_store: ...}, {@code clean_store: ...}, corruption. */
        CHECK_STORE(true),
        /** {@code TDB: ...} (4.17), {@code tdb: ...} (4.18+), {@code TDB error on read: ...}. */
        TDB(true),
        /** {@code acc: ...} accounting (4.18+). */
        ACC(true),
        /** {@code Delaying transaction start ...}, {@code Stalling connection ...}, watch event time-outs. */
        FLOW(true),
        /** {@code orphaned node ...}, {@code moving orphaned node ...}. */
        ORPHAN(true),
        /** Other daemon log output ({@code log()}/{@code xprintf()}, e.g. {@code control: help}). */
        LOG(true),
        /** 4.19+ {@code io: OUT(START) ...}: a reply whose write was split; its {@code OUT(END)} follows. */
        OUT_START(true),
        /** A blank line that is not part of a {@code ***} marker. */
        BLANK(true),
        /** oxenstored {@code w notfired EPERM perms=[...] path=...}. */
        WATCH_NOT_FIRED(false),
        /** oxenstored {@code debug} lines of its own ({@code =======>} print output, live update). */
        DAEMON_DEBUG(false),
        /** A JSON-lines record kind this version does not know. */
        OTHER(false);

        private final boolean cxenstored;

        Kind(boolean cxenstored) {
            this.cxenstored = cxenstored;
        }

        /** Whether lines of this kind are cxenstored trace lines (written by the cxenstored writer). */
        public boolean cxenstored() {
            return cxenstored;
        }
    }

    /** The line as text (UTF-8, malformed bytes replaced). */
    public String text() {
        return raw.text();
    }
}
