package org.xenpv.core.grant;

import org.xenpv.core.domain.DomId;

/** A grant reference ({@code grant_ref_t}) qualified by the granting domain. */
public record GrantRef(int granter, int ref) {

    public GrantRef {
        if (ref < 0) {
            throw new IllegalArgumentException("negative grant ref " + ref);
        }
    }

    @Override
    public String toString() {
        return DomId.name(granter) + " ref " + ref;
    }
}
