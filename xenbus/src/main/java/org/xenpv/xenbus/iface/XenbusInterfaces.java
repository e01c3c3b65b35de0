package org.xenpv.xenbus.iface;

import java.util.List;
import java.util.Optional;

/**
 * The interfaces XENBUS publishes at HEAD with the versions each implements (windows-pv-drivers.md
 * §1.7, the table; {@code [bus include/*_interface.h]} {@code VERSION_MIN/MAX} and GUIDs). EMULATED is
 * XENFILT's (the PDO delegates the query down the stack); BALLOON is XENBUS-internal and not offered to
 * children, so it is not listed.
 */
public final class XenbusInterfaces {

    public static final InterfaceSpec SUSPEND =
            new InterfaceSpec("SUSPEND", "{0554f2af-b510-4c71-ac03-1c503e394238}", 1, 1);
    public static final InterfaceSpec SHARED_INFO =
            new InterfaceSpec("SHARED_INFO", "{7e73c34f-1640-4649-a8f3-263bc930a004}", 2, 4);
    public static final InterfaceSpec EVTCHN =
            new InterfaceSpec("EVTCHN", "{be2440ac-1098-4150-af4d-452fadcef923}", 5, 9);
    public static final InterfaceSpec DEBUG =
            new InterfaceSpec("DEBUG", "{0df600ae-6b20-4227-bf94-03da9a26a114}", 1, 1);
    public static final InterfaceSpec STORE =
            new InterfaceSpec("STORE", "{86824c3b-d34e-4753-b281-2f1e3ad214d7}", 2, 2);
    public static final InterfaceSpec RANGE_SET =
            new InterfaceSpec("RANGE_SET", "{ee7e78a2-6847-48c5-b123-bb012f0eabf4}", 1, 1);
    public static final InterfaceSpec CACHE =
            new InterfaceSpec("CACHE", "{a98dfd78-416a-4949-92a5-e084f2f4b44e}", 1, 2);
    public static final InterfaceSpec GNTTAB =
            new InterfaceSpec("GNTTAB", "{763679c5-e5c2-4a6d-8b88-6bb02ec42d8e}", 2, 4);
    public static final InterfaceSpec UNPLUG =
            new InterfaceSpec("UNPLUG", "{73db6517-3d06-4937-989f-199b7501e229}", 1, 3);
    public static final InterfaceSpec CONSOLE =
            new InterfaceSpec("CONSOLE", "{04c4f738-034a-4268-bd20-a92ac90d4f82}", 1, 1);
    public static final InterfaceSpec EMULATED =
            new InterfaceSpec("EMULATED", "{959027a1-fcce-4e78-bcf4-637384f499c5}", 1, 3);

    /** In the column order of {@code revision.h}: S SI E D ST R C G U CO EM. */
    public static final List<InterfaceSpec> ALL = List.of(SUSPEND, SHARED_INFO, EVTCHN, DEBUG, STORE, RANGE_SET,
            CACHE, GNTTAB, UNPLUG, CONSOLE, EMULATED);

    private XenbusInterfaces() {
    }

    /** The spec named {@code name} (as written, e.g. {@code "SHARED_INFO"}). */
    public static Optional<InterfaceSpec> byName(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
