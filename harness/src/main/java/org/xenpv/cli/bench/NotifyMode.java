package org.xenpv.cli.bench;

import java.util.Locale;

/**
 * How the two ends of the benchmark ring learn about new work.
 *
 * <p>{@link #NOTIFY} is how PV drivers run: a producer sends on the event channel when
 * {@code RING_PUSH_*_AND_CHECK_NOTIFY} says the peer asked for it, and a consumer with nothing left after
 * {@code RING_FINAL_CHECK_FOR_*} waits for its port ({@link BenchPort#await()}: a bounded number of
 * {@code SCHEDOP_yield}s, then {@code SCHEDOP_poll} until the port is pending). {@link #SPIN}
 * busy-polls the shared indices and never sends: it measures the ring itself, without the notification path.
 */
public enum NotifyMode {
    SPIN(20_000_000L),
    NOTIFY(2_000_000L);

    private final long defaultCount;

    NotifyMode(long defaultCount) {
        this.defaultCount = defaultCount;
    }

    /** The name on the command line and in the C reference's argument list. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Round trips per run when {@code --count} is not given: about a second of work on an idle machine. */
    public long defaultCount() {
        return defaultCount;
    }

    public boolean notifies() {
        return this == NOTIFY;
    }
}
