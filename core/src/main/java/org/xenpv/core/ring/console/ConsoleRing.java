package org.xenpv.core.ring.console;

import java.util.Optional;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.ByteRing;
import org.xenpv.core.ring.RingFault;
import org.xenpv.core.sim.Kernel;

/**
 * The PV console page, {@code struct xencons_interface} in {@code io/console.h}: {@code in[1024]}@0,
 * {@code out[2048]}@1024, {@code in_cons}@3072, {@code in_prod}@3076, {@code out_cons}@3080,
 * {@code out_prod}@3084 (3088 bytes). {@code MASK_XENCONS_IDX(idx, ring)} masks with the size of the
 * ring the index belongs to.
 *
 * <p>The guest consumes {@link #in()} (keyboard input from the backend) and produces {@link #out()}.
 * hvc_xen after XSA-376 rejects {@code prod - cons > sizeof(ring)} ("Illegal ring page indices"); so does
 * every {@link ByteRing} operation here.
 */
public final class ConsoleRing {

    public static final int IN = 0;
    public static final int IN_SIZE = 1024;
    public static final int OUT = 1024;
    public static final int OUT_SIZE = 2048;
    public static final int IN_CONS = 3072;
    public static final int IN_PROD = 3076;
    public static final int OUT_CONS = 3080;
    public static final int OUT_PROD = 3084;
    /** {@code sizeof(struct xencons_interface)}. */
    public static final int SIZE = 3088;

    private final MemoryView view;
    private final ByteRing in;
    private final ByteRing out;

    public ConsoleRing(MemoryView view) {
        this(view, null);
    }

    /** @param kernel the simulation kernel to instrument index accesses with, or {@code null} */
    public ConsoleRing(MemoryView view, Kernel kernel) {
        if (view.size() < SIZE) {
            throw new IllegalArgumentException("console ring needs " + SIZE + " bytes, view has " + view.size());
        }
        this.view = view;
        this.in = new ByteRing("console in", view, IN, IN_SIZE, IN_CONS, IN_PROD, kernel);
        this.out = new ByteRing("console out", view, OUT, OUT_SIZE, OUT_CONS, OUT_PROD, kernel);
    }

    public MemoryView view() {
        return view;
    }

    /** Backend to guest. */
    public ByteRing in() {
        return in;
    }

    /** Guest to backend. */
    public ByteRing out() {
        return out;
    }

    /** The first index fault of either direction. */
    public Optional<RingFault> check() {
        Optional<RingFault> f = in.check();
        return f.isPresent() ? f : out.check();
    }

    @Override
    public String toString() {
        return "ConsoleRing[" + in + "; " + out + "]";
    }
}
