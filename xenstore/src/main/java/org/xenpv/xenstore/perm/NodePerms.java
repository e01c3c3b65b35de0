package org.xenpv.xenstore.perm;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.xenpv.xenstore.wire.XsPayload;

/**
 * A node's permission list ({@code struct node_perms}): entry 0 is the owner and the default access for
 * domains not listed; later entries grant per-domain access (xen-pv-protocols.md §1.5). Immutable; the
 * "modify" methods return copies.
 */
public final class NodePerms {

    private final Perm[] perms;

    public NodePerms(List<Perm> perms) {
        this.perms = perms.toArray(new Perm[0]);
    }

    private NodePerms(Perm[] perms, boolean own) {
        this.perms = own ? perms : perms.clone();
    }

    public static NodePerms of(Perm... perms) {
        return new NodePerms(perms, false);
    }

    /** The initial permission of a store node or special node: {@code n<domid>}. */
    public static NodePerms none(int owner) {
        return of(new Perm(owner, Perm.NONE));
    }

    public int size() {
        return perms.length;
    }

    public Perm get(int i) {
        return perms[i];
    }

    public Perm owner() {
        return perms[0];
    }

    public List<Perm> list() {
        return List.of(perms);
    }

    public NodePerms with(int index, Perm p) {
        Perm[] copy = perms.clone();
        copy[index] = p;
        return new NodePerms(copy, true);
    }

    /** Payload of a GET_PERMS reply: every entry as a string followed by NUL ({@code perms_to_strings()}). */
    public byte[] toWire() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Perm p : perms) {
            out.writeBytes(XsPayload.bytes(p.toWireString()));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** Human-readable, space-separated ("n0 r5"). */
    public String describe() {
        List<String> s = new ArrayList<>();
        for (Perm p : perms) {
            s.add(p.toString());
        }
        return String.join(" ", s);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodePerms n && Arrays.equals(n.perms, perms);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(perms);
    }

    @Override
    public String toString() {
        return describe();
    }
}
