package org.xenpv.xenbus.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code LOG_LEVEL} of {@code [bus include/xen.h]}: bit masks over Windows' {@code DPFLTR_*_LEVEL}
 * numbers (ERROR 0, WARNING 1, TRACE 2, INFO 3) plus CRITICAL in the top bit. A log disposition has a
 * mask of several levels (windows-pv-drivers.md §1.8 "Logging"); a mask of 0 ({@code LOG_LEVEL_NONE})
 * means the disposition is not installed at all.
 */
public enum LogLevel {
    ERROR(1),
    WARNING(1 << 1),
    TRACE(1 << 2),
    INFO(1 << 3),
    CRITICAL(0x8000_0000);

    /** {@code LOG_LEVEL_NONE}. */
    public static final int NONE = 0;

    private final int mask;

    LogLevel(int mask) {
        this.mask = mask;
    }

    /** This level's bit. */
    public int mask() {
        return mask;
    }

    /** Whether {@code mask} includes this level. */
    public boolean in(int mask) {
        return (mask & this.mask) != 0;
    }

    /** The union of {@code levels}. */
    public static int mask(LogLevel... levels) {
        int m = NONE;
        for (LogLevel l : levels) {
            m |= l.mask;
        }
        return m;
    }

    /**
     * {@code LogReadLogLevel}: a {@code REG_MULTI_SZ} of level names, compared without case; names it
     * does not know are skipped, as the driver does.
     */
    public static int parse(List<String> names) {
        int m = NONE;
        for (String n : names) {
            for (LogLevel l : values()) {
                if (l.name().equals(n.toUpperCase(Locale.ROOT))) {
                    m |= l.mask;
                }
            }
        }
        return m;
    }

    /** {@code "INFO|ERROR"}, or {@code "NONE"}. */
    public static String describe(int mask) {
        List<String> names = new ArrayList<>();
        for (LogLevel l : values()) {
            if (l.in(mask)) {
                names.add(l.name());
            }
        }
        return names.isEmpty() ? "NONE" : String.join("|", names);
    }
}
