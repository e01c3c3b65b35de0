package org.xenpv.xenbus.unplug;

/** What a child asks XENBUS to unplug ({@code XENBUS_UNPLUG_DEVICE_TYPE}, windows-pv-drivers.md §1.6). */
public enum UnplugType {
    /** Emulated disks; registry value {@code Unplug\DISKS}. */
    DISKS,
    /** Emulated NICs; registry value {@code Unplug\NICS}. */
    NICS
}
