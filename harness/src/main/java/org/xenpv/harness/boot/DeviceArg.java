package org.xenpv.harness.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import org.xenpv.harness.toolstack.DeviceSpec;

/**
 * An {@code xl}-style device argument ({@code --vif mac=00:16:3e:00:00:01,bridge=xenbr0},
 * {@code --vbd vdev=xvda,sectors=2097152}) turned into the {@link DeviceSpec} the toolstack attaches:
 * {@code backend=N} picks the backend domain (default dom0), {@code devid=N} the device id (default:
 * vifs count from 0, vbds use the Linux xvd encoding of {@code vdev}), every other key goes to the
 * backend directory, completed with the keys libxl always writes for that type.
 */
public final class DeviceArg {

    private DeviceArg() {
    }

    /**
     * Parses one argument of {@code type} ({@code vif} or {@code vbd}); {@code index} is its position
     * among the arguments of that type.
     *
     * @throws IllegalArgumentException naming the argument and the bad part
     */
    public static DeviceSpec parse(String type, String arg, int index) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (!arg.isBlank()) {
            for (String part : arg.split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--" + type + " '" + arg + "': '" + part + "' is not key=value");
                }
                keys.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            }
        }
        int backend = intKey(type, arg, keys.remove("backend"), 0);
        return switch (type) {
            case "vif" -> {
                int devid = intKey(type, arg, keys.remove("devid"), index);
                keys.putIfAbsent("mac", String.format("00:16:3e:00:00:%02x", devid & 0xff));
                keys.putIfAbsent("bridge", "xenbr0");
                keys.putIfAbsent("handle", Integer.toString(devid));
                keys.putIfAbsent("type", "vif");
                yield new DeviceSpec("vif", devid, backend, keys);
            }
            case "vbd" -> {
                String vdev = keys.getOrDefault("vdev", "xvd" + (char) ('a' + index));
                keys.remove("vdev");
                int devid = intKey(type, arg, keys.remove("devid"), xvdDevid(arg, vdev));
                keys.putIfAbsent("dev", vdev);
                keys.putIfAbsent("device-type", "disk");
                keys.putIfAbsent("mode", "w");
                keys.putIfAbsent("removable", "0");
                keys.putIfAbsent("type", "phy");
                keys.putIfAbsent("params", "/dev/xenpv/" + vdev);
                yield new DeviceSpec("vbd", devid, backend, keys);
            }
            default -> throw new IllegalArgumentException("unknown device type '" + type + "' (vif, vbd)");
        };
    }

    /** Linux/xl's device number for {@code xvd<letter>}: {@code (202 << 8) | (disk << 4)}. */
    static int xvdDevid(String arg, String vdev) {
        if (vdev.length() == 4 && vdev.startsWith("xvd") && vdev.charAt(3) >= 'a' && vdev.charAt(3) <= 'p') {
            return (202 << 8) | ((vdev.charAt(3) - 'a') << 4);
        }
        throw new IllegalArgumentException("--vbd '" + arg + "': vdev '" + vdev + "' is not xvda..xvdp (give devid=N)");
    }

    private static int intKey(String type, String arg, String value, int dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + type + " '" + arg + "': '" + value + "' is not a non-negative number");
        }
    }
}
