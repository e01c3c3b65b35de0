package org.xenpv.core.ring;

import java.util.Objects;
import org.xenpv.core.log.Event;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.sim.Kernel;

/**
 * What the front and back halves of a ring ({@code io/ring.h} {@code <name>_front_ring} /
 * {@code <name>_back_ring}) share: the header, the layout and geometry, slot access and the optional
 * instrumentation. Not thread-safe: a ring half belongs to one actor, as a C ring struct belongs to one
 * driver context.
 *
 * @param <Q> request type
 * @param <S> response type
 */
public abstract sealed class RingHalf<Q, S> permits FrontRing, BackRing {

    /** How many live slots {@link #toString()} renders. */
    private static final int SHOWN_SLOTS = 16;

    final String name;
    final MemoryView view;
    final Sring sring;
    final RingLayout<Q, S> layout;
    final RingGeometry geometry;
    final EntryCodec<Q> requestCodec;
    final EntryCodec<S> responseCodec;
    final int size;
    final Kernel kernel;

    RingHalf(String name, MemoryView view, RingLayout<Q, S> layout, Kernel kernel) {
        this.name = Objects.requireNonNull(name, "name");
        this.view = Objects.requireNonNull(view, "view");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.kernel = kernel;
        this.sring = new Sring(view, kernel);
        this.geometry = layout.geometry(view.size());
        this.requestCodec = layout.request();
        this.responseCodec = layout.response();
        this.size = geometry.size();
    }

    /** The ring's name, as it appears in the event log and in faults. */
    public final String name() {
        return name;
    }

    /** The shared header. */
    public final Sring sring() {
        return sring;
    }

    public final MemoryView view() {
        return view;
    }

    public final RingLayout<Q, S> layout() {
        return layout;
    }

    public final RingGeometry geometry() {
        return geometry;
    }

    /** {@code RING_SIZE}: {@code nr_ents}. */
    public final int size() {
        return size;
    }

    /**
     * Byte offset in {@link #view()} of the slot of ring index {@code idx} ({@code RING_GET_REQUEST}'s
     * address), for codecs that read or write in place.
     */
    public final int slotOffset(int idx) {
        return geometry.slotOffset(idx);
    }

    /** {@code RING_GET_REQUEST(idx)} decoded: reads the slot without consuming anything. */
    public final Q peekRequest(int idx) {
        return requestCodec.decode(view, geometry.slotOffset(idx));
    }

    /** {@code RING_GET_RESPONSE(idx)} decoded: reads the slot without consuming anything. */
    public final S peekResponse(int idx) {
        return responseCodec.decode(view, geometry.slotOffset(idx));
    }

    /** Decodes the slot of {@code idx} with another structure that shares the slot (netif extra info). */
    public final <T> T peek(EntryCodec<T> codec, int idx) {
        return checkFits(codec).decode(view, geometry.slotOffset(idx));
    }

    /**
     * {@code page}, refused unless it is this ring's own view (the overloads that take the page from a caller's
     * local must not reach another ring's memory).
     */
    final MemoryView ownView(MemoryView page) {
        if (page != view) {
            throw new IllegalArgumentException("ring " + name + ": " + page + " is not this ring's shared page");
        }
        return page;
    }

    final <T> EntryCodec<T> checkFits(EntryCodec<T> codec) {
        if (codec.size() > geometry.entrySize()) {
            throw new IllegalArgumentException("ring " + name + ": a " + codec.size() + "-byte structure does not fit its "
                    + geometry.entrySize() + "-byte slots");
        }
        return codec;
    }

    final void logPush(String side, int oldProd, int newProd, boolean notify) {
        if (kernel != null) {
            kernel.log().record(new Event.RingPush(name, side, oldProd, newProd, notify));
        }
    }

    final void logConsume(String side, int oldCons, int newCons) {
        if (kernel != null) {
            kernel.log().record(new Event.RingConsume(name, side, oldCons, newCons));
        }
    }

    final RingIndexException fault(String message) {
        RingFault f = new RingFault(name, message);
        if (kernel != null) {
            kernel.log().record(new Event.Fault("ring " + name, message));
        }
        return new RingIndexException(f);
    }

    /** Renders the slots {@code [from, to)} (at most {@link #SHOWN_SLOTS}) decoded with {@code codec}. */
    final void appendSlots(StringBuilder sb, String what, int from, int to, EntryCodec<?> codec) {
        long n = RingIdx.distance(from, to);
        sb.append("\n  ").append(what).append(" [").append(RingIdx.str(from)).append(", ").append(RingIdx.str(to))
                .append(")");
        if (n > size) {
            sb.append(" INVALID (").append(n).append(" > ring size ").append(size).append(')');
            return;
        }
        int shown = (int) Math.min(n, SHOWN_SLOTS);
        for (int i = 0; i < shown; i++) {
            int idx = from + i;
            sb.append("\n    ").append(RingIdx.str(idx)).append(" (slot ").append(geometry.slot(idx)).append("): ");
            try {
                sb.append(codec.decode(view, geometry.slotOffset(idx)));
            } catch (RuntimeException e) {
                sb.append("<undecodable: ").append(e.getMessage()).append('>');
            }
        }
        if (n > shown) {
            sb.append("\n    ... ").append(n - shown).append(" more");
        }
    }
}
