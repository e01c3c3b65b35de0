package org.xenpv.core.mem;

/**
 * A little-endian window onto simulated guest memory, addressed by byte offset.
 *
 * <p>Shared structures (rings, grant entries, shared info) are read and written only through this
 * interface, at the offsets the C headers give, so that what one domain writes is exactly what its
 * peer reads. The {@code *Acquire}/{@code *Release}/{@code *Volatile} accessors are the Java
 * equivalents of the barriers in {@code xen/include/public/io/ring.h}: a producer writes its slots,
 * then publishes the index with a release store ({@code xen_wmb(); prod = x}); a consumer reads the
 * index with an acquire load ({@code x = prod; xen_rmb()}) before it reads the slots.
 */
public interface MemoryView {

    /** Size of this view in bytes. */
    int size();

    byte getByte(int offset);

    void putByte(int offset, byte value);

    short getShort(int offset);

    void putShort(int offset, short value);

    int getInt(int offset);

    void putInt(int offset, int value);

    long getLong(int offset);

    void putLong(int offset, long value);

    /** Load of a u32 index with acquire semantics ({@code x = idx; xen_rmb()}). */
    int getIntAcquire(int offset);

    /** Store of a u32 index with release semantics ({@code xen_wmb(); idx = x}). */
    void putIntRelease(int offset, int value);

    /** Sequentially consistent load (used around {@code xen_mb()}). */
    int getIntVolatile(int offset);

    /** Sequentially consistent store (used around {@code xen_mb()}). */
    void putIntVolatile(int offset, int value);

    /** Atomic compare-and-set of a naturally aligned u16 (grant entry flags, {@code sync_cmpxchg}). */
    boolean compareAndSetShort(int offset, short expected, short value);

    /** Atomic compare-and-set of a naturally aligned u32. */
    boolean compareAndSetInt(int offset, int expected, int value);

    /** Copies {@code length} bytes starting at {@code offset} into {@code dst[dstOffset..]}. */
    void getBytes(int offset, byte[] dst, int dstOffset, int length);

    /** Copies {@code length} bytes from {@code src[srcOffset..]} to {@code offset}. */
    void putBytes(int offset, byte[] src, int srcOffset, int length);

    /** Fills {@code length} bytes at {@code offset} with {@code value}. */
    void fill(int offset, int length, byte value);

    /** Whether writes through this view are refused (a read-only grant mapping). */
    boolean readOnly();

    default byte[] getBytes(int offset, int length) {
        byte[] b = new byte[length];
        getBytes(offset, b, 0, length);
        return b;
    }

    default int getUnsignedShort(int offset) {
        return Short.toUnsignedInt(getShort(offset));
    }

    default int getUnsignedByte(int offset) {
        return Byte.toUnsignedInt(getByte(offset));
    }

    default long getUnsignedInt(int offset) {
        return Integer.toUnsignedLong(getInt(offset));
    }

    /** {@code xen_mb()}: a full fence. */
    static void fullFence() {
        java.lang.invoke.VarHandle.fullFence();
    }

    /** {@code xen_wmb()}: orders earlier stores before later stores. */
    static void storeFence() {
        java.lang.invoke.VarHandle.storeStoreFence();
    }

    /** {@code xen_rmb()}: orders earlier loads before later loads. */
    static void loadFence() {
        java.lang.invoke.VarHandle.loadLoadFence();
    }
}
