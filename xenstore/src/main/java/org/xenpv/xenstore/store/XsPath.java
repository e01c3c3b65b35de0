package org.xenpv.xenstore.store;

/**
 * Node-name rules of cxenstored 4.17 ({@code is_valid_nodename()}, {@code valid_chars()},
 * {@code get_parent()}, {@code basename()} in xenstored_core.c; {@code is_child()} in xenstored_watch.c;
 * xen-pv-protocols.md §1.4). Paths are byte strings mapped to Java chars with ISO-8859-1.
 */
public final class XsPath {

    /** {@code XENSTORE_REL_PATH_MAX}: the cap on the path-max quota and on special watch paths. */
    public static final int REL_PATH_MAX = 2048;

    private static final String LOCAL_DOMAIN = "/local/domain/";

    private XsPath() {
    }

    /** {@code [A-Za-z0-9-/_@]*}. */
    public static boolean validChars(String node) {
        for (int i = 0; i < node.length(); i++) {
            char c = node.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '/' || c == '_' || c == '@';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * cxenstored's {@code is_valid_nodename()}: absolute, no trailing {@code /} (except "/"), no {@code //},
     * valid characters, and a length beyond an optional {@code /local/domain/<N>/} prefix of at most
     * {@code maxPathLen}.
     */
    public static boolean isValidNodename(String node, int maxPathLen) {
        if (!node.startsWith("/")) {
            return false;
        }
        if (node.endsWith("/") && !node.equals("/")) {
            return false;
        }
        if (node.contains("//")) {
            return false;
        }
        if ((long) node.length() > (long) localDomainPrefixLength(node) + maxPathLen) {
            return false;
        }
        return validChars(node);
    }

    /**
     * The length of a {@code /local/domain/<N>/} prefix as matched by
     * {@code sscanf(node, "/local/domain/%5u/%n", ...)}, else 0. {@code %5u} reads at most five characters
     * (an optional sign counts) after optional white space and needs at least one digit; the prefix counts
     * only if a {@code /} follows directly.
     */
    public static int localDomainPrefixLength(String node) {
        if (!node.startsWith(LOCAL_DOMAIN)) {
            return 0;
        }
        int i = LOCAL_DOMAIN.length();
        while (i < node.length() && isCSpace(node.charAt(i))) {
            i++;
        }
        int start = i;
        if (i < node.length() && (node.charAt(i) == '+' || node.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < node.length() && i - start < 5 && Character.isDigit(node.charAt(i)) && node.charAt(i) < 128) {
            i++;
            digits++;
        }
        if (digits == 0) {
            return 0;
        }
        if (i < node.length() && node.charAt(i) == '/') {
            return i + 1;
        }
        return 0;
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    /** {@code get_parent()}: "/a/b" -> "/a", "/a" -> "/", "/" -> "/". */
    public static String parent(String node) {
        int slash = node.lastIndexOf('/');
        if (slash <= 0) {
            return "/";
        }
        return node.substring(0, slash);
    }

    /** {@code basename()}: the part after the last {@code /} (not for "/"). */
    public static String basename(String node) {
        return node.substring(node.lastIndexOf('/') + 1);
    }

    /** {@code child_name()}: parent + "/" + child, without doubling the root slash. */
    public static String child(String parent, String child) {
        return parent.equals("/") ? "/" + child : parent + "/" + child;
    }

    /**
     * {@code is_child()} of xenstored_watch.c: {@code child} equals {@code parent} or lies below it;
     * "/" is the parent of everything.
     */
    public static boolean isChild(String child, String parent) {
        if (parent.equals("/")) {
            return true;
        }
        if (!child.startsWith(parent)) {
            return false;
        }
        return child.length() == parent.length() || child.charAt(parent.length()) == '/';
    }
}
