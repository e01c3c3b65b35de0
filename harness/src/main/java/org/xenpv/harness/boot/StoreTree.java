package org.xenpv.harness.boot;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.perm.Perm;
import org.xenpv.xenstore.store.NodeRecord;

/**
 * {@code xenstore-ls -f -p} of subtrees of the store: one {@code path = "value"  (perms)} line per
 * node, depth first in child order, values with non-printable bytes escaped as {@code \xNN}.
 */
public final class StoreTree {

    private StoreTree() {
    }

    /** The nodes under each of {@code roots} (roots that do not exist are skipped). */
    public static String render(XenStore store, List<String> roots) {
        StringBuilder out = new StringBuilder();
        Map<String, NodeRecord> all = store.dump();
        for (String root : roots) {
            all.forEach((path, node) -> {
                if (path.equals(root) || path.startsWith(root + "/")) {
                    out.append(path).append(" = \"").append(escape(node.data())).append("\"  (")
                            .append(node.perms().list().stream().map(Perm::toWireString).collect(Collectors.joining(",")))
                            .append(")\n");
                }
            });
        }
        return out.toString();
    }

    static String escape(byte[] data) {
        StringBuilder b = new StringBuilder();
        for (byte x : data) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b.append((char) c);
            } else {
                b.append(String.format("\\x%02x", c));
            }
        }
        return b.toString();
    }

    /** Text of a node's value (for assertions). */
    static String text(NodeRecord r) {
        return new String(r.data(), StandardCharsets.UTF_8);
    }
}
