package org.xenpv.core.grant;

import org.xenpv.core.domain.DomId;
import org.xenpv.core.mem.Page;

/**
 * A live grant mapping made by {@link GrantOps#map}: the granter's frame as the mapper sees it
 * ({@link #page()}: a {@link Page#readOnlyView()} for read-only maps) and the maptrack handle that
 * unmaps it ({@code grant_handle_t}).
 */
public final class GrantMapping {

    private final int mapper;
    private final int granter;
    private final int ref;
    private final int handle;
    private final boolean readOnly;
    private final long gfn;
    private final Page page;
    final GrantTable table;

    GrantMapping(int mapper, int granter, int ref, int handle, boolean readOnly, long gfn, Page page, GrantTable table) {
        this.mapper = mapper;
        this.granter = granter;
        this.ref = ref;
        this.handle = handle;
        this.readOnly = readOnly;
        this.gfn = gfn;
        this.page = page;
        this.table = table;
    }

    /** Domain that made the mapping. */
    public int mapper() {
        return mapper;
    }

    /** Domain whose frame is mapped. */
    public int granter() {
        return granter;
    }

    public int ref() {
        return ref;
    }

    /** The maptrack handle ({@code grant_handle_t}). */
    public int handle() {
        return handle;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** The granter's gfn the entry named when the mapping was made. */
    public long gfn() {
        return gfn;
    }

    /** The mapped frame: shared with the granter; refuses writes if {@link #readOnly()}. */
    public Page page() {
        return page;
    }

    @Override
    public String toString() {
        return "GrantMapping[" + DomId.name(mapper) + " <- " + DomId.name(granter) + " ref " + ref + " handle " + handle
                + (readOnly ? " ro" : " rw") + " gfn 0x" + Long.toHexString(gfn) + "]";
    }
}
