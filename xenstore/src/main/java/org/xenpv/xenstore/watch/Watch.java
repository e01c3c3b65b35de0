package org.xenpv.xenstore.watch;

import org.xenpv.xenstore.store.XsPath;

/**
 * A registered watch ({@code struct watch}, xenstored_watch.c 4.17). {@link #node} is the canonical
 * (absolute or {@code @special}) path; {@link #relativePath} is the connection's implicit path when the
 * client registered a relative path, so events are reported relative to it too.
 *
 * @param node         canonical watched path
 * @param token        the client's token
 * @param relativePath implicit path prefix ({@code /local/domain/<N>}) or null for absolute watches
 * @param traceId      pseudo pointer for traces
 */
public record Watch(String node, String token, String relativePath, long traceId) {

    /** {@code get_watch_path()}: the event path as the client expects it (relative watches get relative paths). */
    public String eventPath(String name) {
        if (relativePath == null) {
            return name;
        }
        String p = name.length() >= relativePath.length() ? name.substring(relativePath.length()) : "";
        return p.startsWith("/") ? p.substring(1) : p;
    }

    /**
     * Whether a modification of {@code name} fires this watch: exactly when {@code exact}, else when
     * {@code name} is the watched path or lies below it.
     */
    public boolean matches(String name, boolean exact) {
        return exact ? node.equals(name) : XsPath.isChild(name, node);
    }

    /** Bytes accounted to the domain's memory quota ({@code strlen(path) + strlen(token)}). */
    public int accountedSize() {
        return node.length() + token.length();
    }
}
