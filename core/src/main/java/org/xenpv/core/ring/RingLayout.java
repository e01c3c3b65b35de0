package org.xenpv.core.ring;

import java.util.Objects;

/**
 * What {@code DEFINE_RING_TYPES(name, req_t, rsp_t)} declares: a request and a response structure
 * sharing one slot ({@code union name_sring_entry}), whose size is the larger of the two.
 *
 * @param name     the ring type's tag in {@code io/*.h} ({@code netif_tx}, {@code blkif}, ...)
 * @param request  codec of {@code req_t}
 * @param response codec of {@code rsp_t}
 */
public record RingLayout<Q, S>(String name, EntryCodec<Q> request, EntryCodec<S> response) {

    public RingLayout {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(response, "response");
    }

    /** {@code sizeof(union name_sring_entry)}. */
    public int entrySize() {
        return Math.max(request.size(), response.size());
    }

    /** The geometry of this ring over {@code bytes} bytes. */
    public RingGeometry geometry(int bytes) {
        return RingGeometry.of(bytes, entrySize());
    }
}
