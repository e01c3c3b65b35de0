package org.xenpv.core.mem;

import java.util.List;
import java.util.Objects;

/**
 * Several frames seen as one contiguous range, the way a backend {@code vmap}s the
 * {@code ring-ref0..N} pages of a multi-page blkif ring. Accesses that straddle a frame boundary are
 * split byte by byte; index fields never straddle (they sit in the first frame).
 */
public final class PageSpan implements MemoryView {

    private final Page[] pages;
    private final boolean readOnly;

    public PageSpan(List<Page> pages) {
        if (pages.isEmpty()) {
            throw new IllegalArgumentException("a page span needs at least one page");
        }
        this.pages = pages.toArray(Page[]::new);
        boolean ro = false;
        for (Page p : this.pages) {
            ro |= Objects.requireNonNull(p).readOnly();
        }
        this.readOnly = ro;
    }

    /** A view over {@code pages}: the page itself when there is only one. */
    public static MemoryView of(List<Page> pages) {
        return pages.size() == 1 ? pages.get(0) : new PageSpan(pages);
    }

    public int pageCount() {
        return pages.length;
    }

    @Override
    public int size() {
        return pages.length * Page.SIZE;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    private Page page(int offset, int len) {
        Objects.checkFromIndexSize(offset, len, size());
        int first = offset >>> Page.SHIFT;
        int last = (offset + len - 1) >>> Page.SHIFT;
        return first == last ? pages[first] : null;
    }

    private static int in(int offset) {
        return offset & (Page.SIZE - 1);
    }

    private long getLE(int offset, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) {
            v = (v << 8) | (getByte(offset + i) & 0xff);
        }
        return v;
    }

    private void putLE(int offset, int len, long v) {
        for (int i = 0; i < len; i++) {
            putByte(offset + i, (byte) (v >>> (8 * i)));
        }
    }

    @Override
    public byte getByte(int offset) {
        return page(offset, 1).getByte(in(offset));
    }

    @Override
    public void putByte(int offset, byte value) {
        page(offset, 1).putByte(in(offset), value);
    }

    @Override
    public short getShort(int offset) {
        Page p = page(offset, 2);
        return p != null ? p.getShort(in(offset)) : (short) getLE(offset, 2);
    }

    @Override
    public void putShort(int offset, short value) {
        Page p = page(offset, 2);
        if (p != null) {
            p.putShort(in(offset), value);
        } else {
            putLE(offset, 2, value);
        }
    }

    @Override
    public int getInt(int offset) {
        Page p = page(offset, 4);
        return p != null ? p.getInt(in(offset)) : (int) getLE(offset, 4);
    }

    @Override
    public void putInt(int offset, int value) {
        Page p = page(offset, 4);
        if (p != null) {
            p.putInt(in(offset), value);
        } else {
            putLE(offset, 4, value);
        }
    }

    @Override
    public long getLong(int offset) {
        Page p = page(offset, 8);
        return p != null ? p.getLong(in(offset)) : getLE(offset, 8);
    }

    @Override
    public void putLong(int offset, long value) {
        Page p = page(offset, 8);
        if (p != null) {
            p.putLong(in(offset), value);
        } else {
            putLE(offset, 8, value);
        }
    }

    private Page aligned(int offset, int len) {
        Page p = page(offset, len);
        if (p == null || (offset & (len - 1)) != 0) {
            throw new IllegalArgumentException("unaligned atomic access at offset " + offset);
        }
        return p;
    }

    @Override
    public int getIntAcquire(int offset) {
        return aligned(offset, 4).getIntAcquire(in(offset));
    }

    @Override
    public void putIntRelease(int offset, int value) {
        aligned(offset, 4).putIntRelease(in(offset), value);
    }

    @Override
    public int getIntVolatile(int offset) {
        return aligned(offset, 4).getIntVolatile(in(offset));
    }

    @Override
    public void putIntVolatile(int offset, int value) {
        aligned(offset, 4).putIntVolatile(in(offset), value);
    }

    @Override
    public boolean compareAndSetShort(int offset, short expected, short value) {
        return aligned(offset, 2).compareAndSetShort(in(offset), expected, value);
    }

    @Override
    public boolean compareAndSetInt(int offset, int expected, int value) {
        return aligned(offset, 4).compareAndSetInt(in(offset), expected, value);
    }

    @Override
    public void getBytes(int offset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size());
        while (length > 0) {
            int n = Math.min(length, Page.SIZE - in(offset));
            pages[offset >>> Page.SHIFT].getBytes(in(offset), dst, dstOffset, n);
            offset += n;
            dstOffset += n;
            length -= n;
        }
    }

    @Override
    public void putBytes(int offset, byte[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size());
        while (length > 0) {
            int n = Math.min(length, Page.SIZE - in(offset));
            pages[offset >>> Page.SHIFT].putBytes(in(offset), src, srcOffset, n);
            offset += n;
            srcOffset += n;
            length -= n;
        }
    }

    @Override
    public void fill(int offset, int length, byte value) {
        Objects.checkFromIndexSize(offset, length, size());
        while (length > 0) {
            int n = Math.min(length, Page.SIZE - in(offset));
            pages[offset >>> Page.SHIFT].fill(in(offset), n, value);
            offset += n;
            length -= n;
        }
    }
}
