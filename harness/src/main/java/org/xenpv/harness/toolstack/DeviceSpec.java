package org.xenpv.harness.toolstack;

import java.util.Map;
import java.util.TreeMap;

/**
 * One PV device as {@code xl} configured it ({@code vif = [...]}, {@code disk = [...]}): what the
 * toolstack re-creates when the guest is restored or rebooted into a new domid.
 *
 * @param type        xenstore device type ({@code vif}, {@code vbd}, {@code console}, ...)
 * @param devid       device id
 * @param beDomid     backend domain
 * @param backendKeys keys the toolstack writes into the backend directory besides the standard ones
 */
public record DeviceSpec(String type, int devid, int beDomid, Map<String, String> backendKeys) {

    public DeviceSpec {
        backendKeys = Map.copyOf(new TreeMap<>(backendKeys));
    }
}
