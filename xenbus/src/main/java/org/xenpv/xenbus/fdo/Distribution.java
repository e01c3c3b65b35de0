package org.xenpv.xenbus.fdo;

import java.util.Locale;

/**
 * The FDO's {@code drivers/<N>} entry ({@code [bus fdo.c FdoSetDistribution, __FdoMatchDistribution]},
 * windows-pv-drivers.md §1.8): {@code "<Vendor> <PRODUCT> a.b.c.d <attributes>"}, written at the first
 * {@code N} in 0..{@link #MAXIMUM_INDEX} whose READ fails with ENOENT, and at D3 removed wherever the
 * value matches this vendor and product.
 *
 * <p>Quirks reproduced:
 * <ul>
 *   <li>Every non-alphanumeric character of the vendor name becomes {@code _} ({@code Xen Project}
 *       is written {@code Xen_Project}).</li>
 *   <li>The format is {@code "%s %s %u.%u.%u.%u %s"} with attributes {@code (DEBUG)} in checked
 *       builds and empty otherwise, so a free build's value ends in a space.</li>
 *   <li>The match compares the first whitespace-separated token with the vendor only over the
 *       vendor's length (so a longer token with the same start matches), and the second token with
 *       the product case-insensitively.</li>
 * </ul>
 */
public final class Distribution {

    /** Highest {@code N} tried. */
    public static final int MAXIMUM_INDEX = 255;

    private Distribution() {
    }

    /** The vendor as written: non-alphanumerics replaced by {@code _}. */
    public static String vendorToken(String vendor) {
        StringBuilder b = new StringBuilder(vendor.length());
        for (int i = 0; i < vendor.length(); i++) {
            char c = vendor.charAt(i);
            b.append(c < 0x80 && Character.isLetterOrDigit(c) ? c : '_');
        }
        return b.toString();
    }

    /** The value written to {@code drivers/<N>}. */
    public static String value(String vendor, String product, int major, int minor, int micro, int build,
                               boolean debugBuild) {
        return String.format(Locale.ROOT, "%s %s %d.%d.%d.%d %s", vendorToken(vendor), product, major, minor, micro,
                build, debugBuild ? "(DEBUG)" : "");
    }

    /** {@code __FdoMatchDistribution}: whether {@code value} is an entry of this vendor's {@code product}. */
    public static boolean matches(String value, String vendor, String product) {
        String[] tokens = strtok(value, 2);
        if (tokens == null) {
            return false;
        }
        String v = tokens[0];
        for (int i = 0; i < vendor.length(); i++) {
            char want = vendor.charAt(i);
            char got = i < v.length() ? v.charAt(i) : '\0';
            if (want < 0x80 && Character.isLetterOrDigit(want) ? got != want : got != '_') {
                return false;
            }
        }
        return tokens[1].equalsIgnoreCase(product);
    }

    /** The first {@code n} tokens as {@code strtok(s, " ")} returns them, or null if there are fewer. */
    private static String[] strtok(String s, int n) {
        String[] out = new String[n];
        int i = 0;
        for (int t = 0; t < n; t++) {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            if (i == s.length()) {
                return null;
            }
            int start = i;
            while (i < s.length() && s.charAt(i) != ' ') {
                i++;
            }
            out[t] = s.substring(start, i);
        }
        return out;
    }
}
