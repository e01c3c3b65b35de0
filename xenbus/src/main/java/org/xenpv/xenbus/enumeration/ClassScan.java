package org.xenpv.xenbus.enumeration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The FDO's device-class scan ({@code [bus fdo.c FdoScan]}, windows-pv-drivers.md §1.7): the names
 * under {@code device} upper-cased, plus the registry {@code SyntheticClasses}, kept only if they match
 * a {@code SupportedClasses} entry. The match is a prefix compare over the length of the scanned name
 * (§1.7), so {@code console} (xenstore's PV console directory) is not CONS; CONS exists only because it
 * is synthetic. A consequence of the same compare, reproduced as written: a scanned name that is a
 * proper prefix of a supported class ({@code vi} of VIF) is kept.
 */
public final class ClassScan {

    /** The registry default of {@code SupportedClasses}. */
    public static final List<String> SUPPORTED = List.of("VIF", "VBD", "VKBD", "IFACE", "CONS");
    /** The registry default of {@code SyntheticClasses}. */
    public static final List<String> SYNTHETIC = List.of("IFACE", "CONS");

    private ClassScan() {
    }

    /** The classes to have one PDO each, sorted, from a {@code DIRECTORY device} listing. */
    public static List<String> scan(List<String> deviceDirectory, List<String> synthetic, List<String> supported) {
        TreeSet<String> out = new TreeSet<>();
        List<String> all = new ArrayList<>();
        for (String n : deviceDirectory) {
            all.add(n.toUpperCase(Locale.ROOT));
        }
        all.addAll(synthetic);
        for (String name : all) {
            if (!name.isEmpty() && supported.stream().anyMatch(s -> matches(name, s))) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    /** {@link #scan(List, List, List)} with the registry defaults. */
    public static List<String> scan(List<String> deviceDirectory) {
        return scan(deviceDirectory, SYNTHETIC, SUPPORTED);
    }

    /** {@code strncmp(name, supported, strlen(name)) == 0}. */
    static boolean matches(String name, String supported) {
        return supported.startsWith(name);
    }
}
