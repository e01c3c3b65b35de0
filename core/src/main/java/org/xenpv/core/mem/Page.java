package org.xenpv.core.mem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One 4 KiB frame of simulated memory, held off-heap in a direct buffer (x86 little-endian).
 *
 * <p>Index fields are accessed through {@link VarHandle}s with the ordering {@link MemoryView}
 * documents; everything else with plain accesses, as C does. Plain 16-, 32- and 64-bit accesses also go through
 * constant little-endian view {@link VarHandle}s rather than the buffer's own {@code getLong}/{@code putLong}: the
 * buffer's methods test its byte order on every access (a byte swap and a conditional move in compiled ring loops),
 * a constant handle's order is folded away. Bounds are checked the same way. The frame starts on a cache-line
 * boundary ({@link #CACHE_LINE} bytes), as a real page-aligned frame does, so that which fields of a shared
 * structure share a cache line (a ring's header, its slots) is what it is on hardware and in C;
 * {@code allocateDirect} alone only guarantees 16 bytes. A {@link #readOnlyView()} is what a
 * read-only grant mapping hands to the mapping domain: stores through it throw
 * {@link java.nio.ReadOnlyBufferException}.
 */
public final class Page implements MemoryView {

    /** {@code XEN_PAGE_SIZE}. */
    public static final int SIZE = 4096;
    /** {@code XEN_PAGE_SHIFT}. */
    public static final int SHIFT = 12;
    /** The x86 cache line: the alignment of every frame's first byte. */
    public static final int CACHE_LINE = 64;

    private static final VarHandle SHORT =
            MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer buf;
    private final boolean readOnly;
    private final Page writable;

    /** Allocates a zero-filled page. */
    public Page() {
        this.buf = ByteBuffer.allocateDirect(SIZE + CACHE_LINE - 1).alignedSlice(CACHE_LINE).slice(0, SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        this.readOnly = false;
        this.writable = this;
    }

    private Page(Page base) {
        this.buf = base.buf.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        this.readOnly = true;
        this.writable = base;
    }

    /** A view of the same frame that refuses writes. */
    public Page readOnlyView() {
        return readOnly ? this : new Page(this);
    }

    /** Offset of the frame's first byte from the previous multiple of {@code unit} (a power of two, at most 4096). */
    int alignmentOffset(int unit) {
        return buf.alignmentOffset(0, unit);
    }

    /** Whether {@code other} is a view of the same frame as this one. */
    public boolean sameFrame(Page other) {
        return other != null && other.writable == writable;
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    private static void check(int offset, int len) {
        Objects.checkFromIndexSize(offset, len, SIZE);
    }

    @Override
    public byte getByte(int offset) {
        return buf.get(offset);
    }

    @Override
    public void putByte(int offset, byte value) {
        buf.put(offset, value);
    }

    @Override
    public short getShort(int offset) {
        return (short) SHORT.get(buf, offset);
    }

    @Override
    public void putShort(int offset, short value) {
        SHORT.set(buf, offset, value);
    }

    @Override
    public int getInt(int offset) {
        return (int) INT.get(buf, offset);
    }

    @Override
    public void putInt(int offset, int value) {
        INT.set(buf, offset, value);
    }

    @Override
    public long getLong(int offset) {
        return (long) LONG.get(buf, offset);
    }

    @Override
    public void putLong(int offset, long value) {
        LONG.set(buf, offset, value);
    }

    @Override
    public int getIntAcquire(int offset) {
        return (int) INT.getAcquire(buf, offset);
    }

    @Override
    public void putIntRelease(int offset, int value) {
        INT.setRelease(buf, offset, value);
    }

    @Override
    public int getIntVolatile(int offset) {
        return (int) INT.getVolatile(buf, offset);
    }

    @Override
    public void putIntVolatile(int offset, int value) {
        INT.setVolatile(buf, offset, value);
    }

    @Override
    public boolean compareAndSetShort(int offset, short expected, short value) {
        if (readOnly) {
            throw new java.nio.ReadOnlyBufferException();
        }
        return SHORT.compareAndSet(buf, offset, expected, value);
    }

    @Override
    public boolean compareAndSetInt(int offset, int expected, int value) {
        if (readOnly) {
            throw new java.nio.ReadOnlyBufferException();
        }
        return INT.compareAndSet(buf, offset, expected, value);
    }

    @Override
    public void getBytes(int offset, byte[] dst, int dstOffset, int length) {
        check(offset, length);
        buf.get(offset, dst, dstOffset, length);
    }

    @Override
    public void putBytes(int offset, byte[] src, int srcOffset, int length) {
        check(offset, length);
        buf.put(offset, src, srcOffset, length);
    }

    @Override
    public void fill(int offset, int length, byte value) {
        check(offset, length);
        for (int i = 0; i < length; i++) {
            buf.put(offset + i, value);
        }
    }

    /** Copies the whole frame into a new array (for dumps and golden tests). */
    public byte[] toByteArray() {
        return getBytes(0, SIZE);
    }

    /** Copies {@code length} bytes between two pages ({@code GNTTABOP_copy}'s data move). */
    public static void copy(Page src, int srcOffset, Page dst, int dstOffset, int length) {
        check(srcOffset, length);
        check(dstOffset, length);
        dst.buf.put(dstOffset, src.buf, srcOffset, length);
    }
}
