package org.xenpv.harness.toolstack;

import java.util.List;
import java.util.Map;
import org.xenpv.core.platform.DomainImage;

/**
 * What {@code xl save} produced: the platform image (RAM, HVM params, the suspended guest), the
 * guest's identity ({@code name}, {@code uuid}), its devices, and the toolstack-owned store keys
 * carried over ({@code memory/*}, relative to the domain path). Keys the guest wrote itself
 * ({@code data}, {@code drivers}, {@code feature}, {@code attr}, {@code control/feature-*}) are
 * deliberately not carried, as libxl does not carry them: the guest re-publishes them after resume.
 */
public record SavedDomain(DomainImage image, String name, String uuid, List<DeviceSpec> devices,
        Map<String, String> storeKeys) {

    public SavedDomain {
        devices = List.copyOf(devices);
        storeKeys = Map.copyOf(storeKeys);
    }

    /** The domid the image was taken from. */
    public int savedFrom() {
        return image.savedFrom();
    }
}
