package org.xenpv.core.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

/** {@link Page}: a zeroed 4 KiB little-endian frame on a cache-line boundary, with a read-only view. */
class PageTest {

    @Test
    void everyFrameStartsOnACacheLine() {
        // allocateDirect alone hands out 16-byte aligned buffers: several in a row would show 16, 32, 48.
        for (int i = 0; i < 16; i++) {
            Page p = new Page();
            assertThat(p.alignmentOffset(Page.CACHE_LINE)).as("frame %d", i).isZero();
            assertThat(p.readOnlyView().alignmentOffset(Page.CACHE_LINE)).isZero();
        }
    }

    @Test
    void isExactlyOnePageOfZeroedLittleEndianMemory() {
        Page p = new Page();
        assertThat(p.size()).isEqualTo(Page.SIZE);
        assertThat(p.toByteArray()).hasSize(Page.SIZE).containsOnly(0);
        p.putInt(0, 0x0403_0201);
        assertThat(p.getBytes(0, 4)).containsExactly(1, 2, 3, 4);
        p.putLong(Page.SIZE - 8, -1L);
        assertThat(p.getLong(Page.SIZE - 8)).isEqualTo(-1L);
        assertThatThrownBy(() -> p.getLong(Page.SIZE - 7)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> p.getBytes(Page.SIZE, new byte[1], 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void readOnlyViewSeesWritesAndRefusesStores() {
        Page p = new Page();
        Page ro = p.readOnlyView();
        p.putIntRelease(8, 42);
        assertThat(ro.getIntAcquire(8)).isEqualTo(42);
        assertThat(ro.sameFrame(p)).isTrue();
        assertThatThrownBy(() -> ro.putInt(0, 1)).isInstanceOf(ReadOnlyBufferException.class);
        assertThatThrownBy(() -> ro.compareAndSetInt(0, 0, 1)).isInstanceOf(ReadOnlyBufferException.class);
    }
}
