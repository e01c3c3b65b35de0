package org.xenpv.xenbus.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XENBUS log sink ({@code LogPrintf} of {@code [bus xen/log.c]}, windows-pv-drivers.md §1.8
 * "Logging"): every message has one {@link LogLevel} and goes to each installed <em>disposition</em>
 * whose mask includes that level. xen.sys installs port 0xE9 (CRITICAL) and port 0x12 (INFO and up);
 * XENBUS adds the PV console when {@code ConsoleLogLevel} is non-zero ({@code ConsoleLog}).
 *
 * <p>As in the driver: at most {@link #MAX_DISPOSITIONS} dispositions; adding one with mask
 * {@link LogLevel#NONE} installs nothing; one message is at most {@link #BUFFER_SIZE} characters (the
 * slot buffer), the rest is cut. Every message is also mirrored to SLF4J. One difference: the driver
 * queues messages in slots and flushes them from a DPC when it cannot at once; here they are delivered
 * on the caller's thread, in call order.
 */
public final class XenbusLog {

    private static final Logger LOG = LoggerFactory.getLogger(XenbusLog.class);

    /** {@code LOG_BUFFER_SIZE}: characters kept of one message. */
    public static final int BUFFER_SIZE = 256;
    /** {@code LOG_NR_DISPOSITIONS}. */
    public static final int MAX_DISPOSITIONS = 8;

    /** An installed disposition ({@code PLOG_DISPOSITION}); identity matters, not content. */
    public static final class Disposition {
        private final int mask;
        private final LogOutput output;

        private Disposition(int mask, LogOutput output) {
            this.mask = mask;
            this.output = output;
        }

        public int mask() {
            return mask;
        }

        @Override
        public String toString() {
            return "disposition " + LogLevel.describe(mask);
        }
    }

    private final String name;
    private volatile List<Disposition> dispositions = List.of();

    /** @param name whose log this is (SLF4J mirror and error messages), e.g. {@code "d3 XENBUS"} */
    public XenbusLog(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    public String name() {
        return name;
    }

    /**
     * {@code LogAddDisposition}: installs {@code output} for the levels in {@code mask}.
     *
     * @return the disposition, or {@code null} if {@code mask} is {@link LogLevel#NONE} (nothing installed,
     *         which the driver also reports as success)
     * @throws IllegalStateException if {@link #MAX_DISPOSITIONS} are installed already
     */
    public synchronized Disposition addDisposition(int mask, LogOutput output) {
        Objects.requireNonNull(output, "output");
        if (mask == LogLevel.NONE) {
            return null;
        }
        if (dispositions.size() >= MAX_DISPOSITIONS) {
            throw new IllegalStateException(name + " log: all " + MAX_DISPOSITIONS + " dispositions in use "
                    + dispositions + "; cannot add " + LogLevel.describe(mask));
        }
        Disposition d = new Disposition(mask, output);
        List<Disposition> next = new ArrayList<>(dispositions);
        next.add(d);
        dispositions = List.copyOf(next);
        return d;
    }

    /** {@code LogRemoveDisposition}; {@code null} or an already removed disposition is ignored. */
    public synchronized void removeDisposition(Disposition d) {
        if (d == null) {
            return;
        }
        List<Disposition> next = new ArrayList<>(dispositions);
        next.remove(d);
        dispositions = List.copyOf(next);
    }

    /** Installed dispositions, in installation order. */
    public List<Disposition> dispositions() {
        return dispositions;
    }

    /** {@code LogPrintf(level, format, ...)} with Java's {@link String#format} syntax. */
    public void printf(LogLevel level, String format, Object... args) {
        log(level, String.format(Locale.ROOT, format, args));
    }

    /** Logs one message (cut to {@link #BUFFER_SIZE} characters). */
    public void log(LogLevel level, String text) {
        String t = text.length() > BUFFER_SIZE ? text.substring(0, BUFFER_SIZE) : text;
        mirror(level, t);
        for (Disposition d : dispositions) {
            if (level.in(d.mask)) {
                d.output.output(level, t);
            }
        }
    }

    private void mirror(LogLevel level, String t) {
        String line = t.endsWith("\n") ? t.substring(0, t.length() - 1) : t;
        switch (level) {
            case CRITICAL, ERROR -> LOG.error("{}: {}", name, line);
            case WARNING -> LOG.warn("{}: {}", name, line);
            case INFO -> LOG.debug("{}: {}", name, line); // the driver sends INFO to the QEMU port: chatty
            case TRACE -> LOG.trace("{}: {}", name, line);
        }
    }

    @Override
    public String toString() {
        return name + " log " + dispositions;
    }
}
