package org.xenpv.core.ring;

import java.util.Objects;
import java.util.Optional;
import org.xenpv.core.log.Event;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.sim.Kernel;

/**
 * One direction of a byte-stream ring: a power-of-two data array and a pair of free-running u32 indices
 * ({@code cons}, {@code prod}); byte {@code x} of the stream sits at {@code data[x & (size - 1)]}
 * ({@code MASK_XENSTORE_IDX}, {@code MASK_XENCONS_IDX}). The xenstore ring ({@code io/xs_wire.h}) has two
 * of 1024 bytes, the console ring ({@code io/console.h}) one of 1024 and one of 2048.
 *
 * <p>The producer reads {@code cons} (acquire), copies bytes in, then publishes {@code prod} (release);
 * the consumer reads {@code prod} (acquire), copies bytes out, then publishes {@code cons} (release, so the
 * copy completes before the space is handed back). Both indices are in shared memory and both may have
 * been written by a misbehaving peer: every operation first checks {@code prod - cons <= size} and
 * otherwise throws a {@link RingIndexException} ("illegal ring indices prod=.. cons=..").
 *
 * <p>With a {@link Kernel}, every index access is a preemption point and faults are logged.
 */
public final class ByteRing {

    private final String name;
    private final MemoryView view;
    private final int dataOffset;
    private final int size;
    private final int consOffset;
    private final int prodOffset;
    private final Kernel kernel;

    /**
     * @param name       for faults and the debugger ({@code "xenstore req"}, {@code "console out"})
     * @param dataOffset offset of the data array
     * @param size       its length, a power of two
     * @param consOffset offset of the consumer index
     * @param prodOffset offset of the producer index
     * @param kernel     the simulation kernel to instrument with, or {@code null}
     */
    public ByteRing(String name, MemoryView view, int dataOffset, int size, int consOffset, int prodOffset,
                    Kernel kernel) {
        this.name = Objects.requireNonNull(name, "name");
        this.view = Objects.requireNonNull(view, "view");
        if (size <= 0 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("byte ring " + name + ": size must be a power of two: " + size);
        }
        Objects.checkFromIndexSize(dataOffset, size, view.size());
        Objects.checkFromIndexSize(consOffset, 4, view.size());
        Objects.checkFromIndexSize(prodOffset, 4, view.size());
        this.dataOffset = dataOffset;
        this.size = size;
        this.consOffset = consOffset;
        this.prodOffset = prodOffset;
        this.kernel = kernel;
    }

    public String name() {
        return name;
    }

    /** Length of the data array. */
    public int size() {
        return size;
    }

    /** {@code idx & (size - 1)}. */
    public int mask(int idx) {
        return idx & (size - 1);
    }

    private void preempt() {
        if (kernel != null) {
            kernel.preemptionPoint();
        }
    }

    /** The consumer index (acquire load). */
    public int cons() {
        preempt();
        return view.getIntAcquire(consOffset);
    }

    /** The producer index (acquire load). */
    public int prod() {
        preempt();
        return view.getIntAcquire(prodOffset);
    }

    /** Stores the consumer index (release). */
    public void setCons(int value) {
        preempt();
        view.putIntRelease(consOffset, value);
    }

    /** Stores the producer index (release). */
    public void setProd(int value) {
        preempt();
        view.putIntRelease(prodOffset, value);
    }

    /** The fault, if {@code prod - cons} (u32) exceeds the ring size for the given indices. */
    public Optional<RingFault> check(int prod, int cons) {
        long used = RingIdx.distance(cons, prod);
        if (used <= size) {
            return Optional.empty();
        }
        return Optional.of(new RingFault(name, "illegal ring indices prod=" + RingIdx.str(prod) + " cons="
                + RingIdx.str(cons) + " (prod - cons = " + used + " > ring size " + size + ")"));
    }

    /** Reads both indices and checks them. */
    public Optional<RingFault> check() {
        return check(prod(), cons());
    }

    private int used(int prod, int cons) {
        Optional<RingFault> f = check(prod, cons);
        if (f.isPresent()) {
            if (kernel != null) {
                kernel.log().record(new Event.Fault("ring " + name, f.get().message()));
            }
            throw new RingIndexException(f.get());
        }
        return prod - cons;
    }

    /** Bytes the consumer may read now. */
    public int available() {
        return used(prod(), cons());
    }

    /** Bytes the producer may write now. */
    public int space() {
        return size - used(prod(), cons());
    }

    /**
     * Producer side: copies up to {@code len} bytes of {@code src} into the ring (wrapping at the end of the
     * data array) and publishes them.
     *
     * @return bytes written, 0 when the ring is full
     */
    public int write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        int cons = cons();
        int prod = view.getInt(prodOffset);
        int n = Math.min(len, size - used(prod, cons));
        copyIn(prod, src, off, n);
        if (n > 0) {
            setProd(prod + n);
        }
        return n;
    }

    /**
     * Consumer side: copies up to {@code len} available bytes out of the ring into {@code dst} and hands the
     * space back.
     *
     * @return bytes read, 0 when the ring is empty
     */
    public int read(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        int prod = prod();
        int cons = view.getInt(consOffset);
        int n = Math.min(len, used(prod, cons));
        copyOut(cons, dst, off, n);
        if (n > 0) {
            setCons(cons + n);
        }
        return n;
    }

    /** Copies {@code n} stream bytes starting at stream index {@code idx} into the data array (no index update). */
    public void copyIn(int idx, byte[] src, int off, int n) {
        int m = mask(idx);
        int first = Math.min(n, size - m);
        view.putBytes(dataOffset + m, src, off, first);
        if (n > first) {
            view.putBytes(dataOffset, src, off + first, n - first);
        }
    }

    /** Copies {@code n} stream bytes starting at stream index {@code idx} out of the data array (no index update). */
    public void copyOut(int idx, byte[] dst, int off, int n) {
        int m = mask(idx);
        int first = Math.min(n, size - m);
        view.getBytes(dataOffset + m, dst, off, first);
        if (n > first) {
            view.getBytes(dataOffset, dst, off + first, n - first);
        }
    }

    /** Indices and the unread bytes (plain loads, no preemption point). */
    @Override
    public String toString() {
        int prod = view.getInt(prodOffset);
        int cons = view.getInt(consOffset);
        StringBuilder sb = new StringBuilder(name).append(" cons=").append(RingIdx.str(cons)).append(" prod=")
                .append(RingIdx.str(prod));
        long used = RingIdx.distance(cons, prod);
        if (used > size) {
            return sb.append(" INVALID (prod - cons = ").append(used).append(" > ").append(size).append(')').toString();
        }
        byte[] b = new byte[(int) Math.min(used, 64)];
        copyOut(cons, b, 0, b.length);
        sb.append(" unread ").append(used).append(" \"");
        for (byte x : b) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append(used > b.length ? "\"..." : "\"").toString();
    }
}
