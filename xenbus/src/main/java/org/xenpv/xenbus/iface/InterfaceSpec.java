package org.xenpv.xenbus.iface;

import java.util.Objects;

/**
 * One interface a bus publishes to its children: name, GUID and the version range its provider
 * implements ({@code XENBUS_<NAME>_INTERFACE_VERSION_MIN..MAX} of {@code [bus include/*_interface.h]},
 * windows-pv-drivers.md §1.7 "Versioning").
 *
 * @param name       {@code "EVTCHN"}: what error messages and leak lists show
 * @param guid       the interface GUID in registry form, or null for an interface without one
 * @param versionMin oldest version the provider still implements
 * @param versionMax newest version
 */
public record InterfaceSpec(String name, String guid, int versionMin, int versionMax) {

    public InterfaceSpec {
        Objects.requireNonNull(name, "name");
        if (versionMin < 1 || versionMax < versionMin) {
            throw new IllegalArgumentException(name + ": bad version range " + versionMin + ".." + versionMax);
        }
    }

    /** Whether {@code version} is in {@code versionMin..versionMax}. */
    public boolean supports(int version) {
        return version >= versionMin && version <= versionMax;
    }

    /** {@code "5..9"}, or {@code "1"} for a single version. */
    public String range() {
        return versionMin == versionMax ? Integer.toString(versionMin) : versionMin + ".." + versionMax;
    }

    @Override
    public String toString() {
        return name + " " + range();
    }
}
