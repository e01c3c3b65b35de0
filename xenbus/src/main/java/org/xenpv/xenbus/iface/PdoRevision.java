package org.xenpv.xenbus.iface;

import java.util.List;
import java.util.Locale;

/**
 * One row of XENBUS's PDO revision table ({@code [bus include/revision.h]}, windows-pv-drivers.md §1.7):
 * the revision number a child's INF binds to ({@code REV_09000008}...) and the version of each interface
 * a child bound to it asks for. A new interface version means a new revision; the newest revision asks
 * for every interface's newest version. A version of 0 means the interface is not part of that revision
 * (the driver allows it for CONSOLE only).
 *
 * @param number     the revision, {@code 0x09000008}...
 * @param suspend    S
 * @param sharedInfo SI
 * @param evtchn     E
 * @param debug      D
 * @param store      ST
 * @param rangeSet   R
 * @param cache      C
 * @param gnttab     G
 * @param unplug     U
 * @param console    CO (0 = none)
 * @param emulated   EM (XENFILT's)
 */
public record PdoRevision(int number, int suspend, int sharedInfo, int evtchn, int debug, int store, int rangeSet,
                          int cache, int gnttab, int unplug, int console, int emulated) {

    /** The table at HEAD (bus@1087a8d), oldest first. */
    public static final List<PdoRevision> TABLE = List.of(
            new PdoRevision(0x09000008, 1, 3, 9, 1, 2, 1, 2, 4, 1, 1, 2),
            new PdoRevision(0x09000009, 1, 4, 9, 1, 2, 1, 2, 4, 1, 1, 2),
            new PdoRevision(0x0900000A, 1, 4, 9, 1, 2, 1, 2, 4, 2, 1, 2),
            new PdoRevision(0x0900000B, 1, 4, 9, 1, 2, 1, 2, 4, 3, 1, 2),
            new PdoRevision(0x0900000C, 1, 4, 9, 1, 2, 1, 2, 4, 3, 1, 3));

    static {
        validate(TABLE, XenbusInterfaces.ALL);
    }

    /** The versions in the column order of {@link XenbusInterfaces#ALL}. */
    public List<Integer> versions() {
        return List.of(suspend, sharedInfo, evtchn, debug, store, rangeSet, cache, gnttab, unplug, console, emulated);
    }

    /**
     * The version this revision asks for of {@code spec} (matched by name among {@link XenbusInterfaces#ALL}).
     *
     * @throws IllegalArgumentException for an interface the table has no column for
     */
    public int versionOf(InterfaceSpec spec) {
        int i = column(spec.name());
        return versions().get(i);
    }

    private static int column(String name) {
        for (int i = 0; i < XenbusInterfaces.ALL.size(); i++) {
            if (XenbusInterfaces.ALL.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("revision.h has no column for interface " + name);
    }

    /** {@code "0900000C"}, as in {@code REV_0900000C}. */
    public String hex() {
        return String.format(Locale.ROOT, "%08X", number);
    }

    /** The row for {@code number}. */
    public static PdoRevision of(int number) {
        for (PdoRevision r : TABLE) {
            if (r.number == number) {
                return r;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "no PDO revision %08X (XENBUS has %s)", number,
                TABLE.stream().map(PdoRevision::hex).toList()));
    }

    /** The newest row. */
    public static PdoRevision newest() {
        return TABLE.get(TABLE.size() - 1);
    }

    /** The revision numbers, oldest first. */
    public static List<Integer> numbers() {
        return TABLE.stream().map(PdoRevision::number).toList();
    }

    /**
     * The checks {@code PdoDumpRevisions} asserts: numbers strictly rising; each version within its
     * interface's range ({@code specs}, in column order), CONSOLE also 0; the newest row asks for every
     * interface's newest version.
     *
     * @throws IllegalStateException naming the revision, interface, version and range at the first violation
     */
    public static void validate(List<PdoRevision> table, List<InterfaceSpec> specs) {
        if (table.isEmpty()) {
            throw new IllegalStateException("empty PDO revision table");
        }
        for (int r = 0; r < table.size(); r++) {
            PdoRevision rev = table.get(r);
            if (r > 0 && Integer.compareUnsigned(rev.number, table.get(r - 1).number) <= 0) {
                throw new IllegalStateException("PDO revision " + rev.hex() + " does not follow " + table.get(r - 1).hex());
            }
            List<Integer> v = rev.versions();
            for (int i = 0; i < specs.size(); i++) {
                InterfaceSpec s = specs.get(i);
                int version = v.get(i);
                boolean absentOk = version == 0 && s.name().equals(XenbusInterfaces.CONSOLE.name());
                if (!absentOk && !s.supports(version)) {
                    throw new IllegalStateException("PDO revision " + rev.hex() + " asks for " + s.name() + " version "
                            + version + " outside its range " + s.range());
                }
                if (r == table.size() - 1 && version != s.versionMax()) {
                    throw new IllegalStateException("newest PDO revision " + rev.hex() + " asks for " + s.name()
                            + " version " + version + ", not its newest " + s.versionMax());
                }
            }
        }
    }

    @Override
    public String toString() {
        return "REV_" + hex() + versions();
    }
}
