package org.xenpv.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.xenpv.core.mem.Page;

/** Guest physical memory: frames on demand up to the maximum, Xen pages in the physmap. */
class GuestMemoryTest {

    private final GuestMemory memory = new GuestMemory(3, 4096);

    @Test
    void framesAreAllocatedZeroedOnFirstTouchAndStayTheSame() {
        assertThat(memory.populatedPages()).isZero();
        assertThat(memory.populated(10)).isFalse();
        Page p = memory.page(10);
        assertThat(p.toByteArray()).containsOnly(0);
        assertThat(memory.page(10)).isSameAs(p);
        assertThat(memory.populated(10)).isTrue();
        assertThat(memory.populatedPages()).isEqualTo(1);
        assertThat(memory.page(4095)).isNotNull();
        assertThat(memory.populatedPages()).isEqualTo(2);
    }

    @Test
    void gfnsOutsideRamAreRefusedWithTheDomainNamed() {
        assertThat(memory.lookup(4096)).isNull();
        assertThat(memory.lookup(-1)).isNull();
        assertThatThrownBy(() -> memory.page(4096)).isInstanceOfSatisfying(BadGfnException.class, e -> {
            assertThat(e.domid()).isEqualTo(3);
            assertThat(e.gfn()).isEqualTo(4096);
            assertThat(e.getMessage()).contains("d3: gfn 0x1000 is not guest memory", "0..0xfff");
        });
        assertThat(memory.populatedPages()).isZero();
    }

    @Test
    void xenPagesShadowRamAndMayLiveAboveIt() {
        Page ram = memory.page(5);
        Page xen = new Page();
        assertThat(memory.addXenPage(5, xen)).isNull();
        assertThat(memory.page(5)).isSameAs(xen);
        Page hole = new Page();
        memory.addXenPage(0xF0000, hole);
        assertThat(memory.page(0xF0000)).isSameAs(hole);
        assertThat(memory.xenPages()).containsOnlyKeys(5L, 0xF0000L);
        assertThat(memory.removeXenPage(5)).isSameAs(xen);
        assertThat(memory.page(5)).isSameAs(ram);
    }

    @Test
    void byteAddressedReadsAndWritesCrossFrameBoundaries() {
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        long gpa = 7L * Page.SIZE - 40;
        memory.write(gpa, data);
        assertThat(memory.page(6).getByte(Page.SIZE - 40)).isZero();
        assertThat(memory.page(7).getByte(0)).isEqualTo((byte) 40);
        assertThat(memory.read(gpa, 100)).isEqualTo(data);
        assertThat(memory.pages(6, 2)).containsExactly(memory.page(6), memory.page(7));
    }
}
