package org.xenpv.xenbus.enumeration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PDO identity strings ({@code [bus pdo.c]}, windows-pv-drivers.md §1.7): DeviceID
 * {@code XENBUS\VEN_<prefix>&DEV_<CLASS>}; HardwareIDs
 * {@code XENBUS\VEN_<prefix><devid>&DEV_<CLASS>&REV_<rev>} for every revision newest first, then
 * {@code XENCLASS}.
 */
public final class PdoIds {

    /** Default vendor prefix. */
    public static final String DEFAULT_PREFIX = "XP";
    /** The PDO revisions at HEAD (0x09000008-0x0900000C), oldest first. */
    public static final List<Integer> REVISIONS = List.of(0x09000008, 0x09000009, 0x0900000A, 0x0900000B, 0x0900000C);

    private PdoIds() {
    }

    public static String deviceId(String prefix, String cls) {
        return "XENBUS\\VEN_" + prefix + "&DEV_" + cls.toUpperCase(Locale.ROOT);
    }

    public static List<String> hardwareIds(String prefix, String devid, String cls, List<Integer> revisions) {
        List<String> out = new ArrayList<>();
        for (int i = revisions.size() - 1; i >= 0; i--) {
            out.add(String.format("XENBUS\\VEN_%s%s&DEV_%s&REV_%08X", prefix, devid, cls.toUpperCase(Locale.ROOT),
                    revisions.get(i)));
        }
        out.add("XENCLASS");
        return List.copyOf(out);
    }
}
