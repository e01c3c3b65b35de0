package org.xenpv.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.xenpv.core.ring.blkif.BlkifAbi;
import org.xenpv.core.ring.netif.Netif;

class RingGeometryTest {

    @Test
    void ringSizeRoundsTheFittingEntriesDownToAPowerOfTwo() {
        // (4096 - 64) / 12 = 336 fit -> 256; / 8 = 504 -> 256; / 112 = 36 -> 32; / 16 = 252 -> 128
        assertThat(RingGeometry.ringSize(4096, 12)).isEqualTo(256);
        assertThat(RingGeometry.ringSize(4096, 8)).isEqualTo(256);
        assertThat(RingGeometry.ringSize(4096, 112)).isEqualTo(32);
        assertThat(RingGeometry.ringSize(4096, 108)).isEqualTo(32);
        assertThat(RingGeometry.ringSize(4096, 16)).isEqualTo(128);
        assertThat(RingGeometry.ringSize(64 + 7 * 10, 10)).isEqualTo(4);
        assertThat(RingGeometry.ringSize(64 + 8 * 10, 10)).isEqualTo(8);
        assertThat(RingGeometry.ringSize(64 + 10, 10)).isEqualTo(1);
    }

    @Test
    void multiPageBlkifRingsDoubleWithEachOrder() {
        for (BlkifAbi abi : BlkifAbi.values()) {
            for (int order = 0; order <= 4; order++) {
                RingGeometry g = RingGeometry.forOrder(order, abi.layout().entrySize());
                assertThat(g.size()).as("%s order %d", abi, order).isEqualTo(32 << order);
                assertThat(g.bytes()).isEqualTo(4096 << order);
            }
        }
    }

    @Test
    void rejectsRingsWithoutRoomForAnEntry() {
        assertThatThrownBy(() -> RingGeometry.ringSize(64, 8)).hasMessageContaining("no room for one 8-byte entry");
        assertThatThrownBy(() -> RingGeometry.ringSize(4096, 0)).hasMessageContaining("entry size must be positive");
        assertThatThrownBy(() -> RingGeometry.forOrder(-1, 8)).hasMessageContaining("order -1");
        assertThatThrownBy(() -> RingGeometry.forOrder(RingGeometry.MAX_ORDER + 1, 8)).hasMessageContaining("order");
        assertThatThrownBy(() -> new RingGeometry(4096, 12, 300)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new RingGeometry(4096, 12, 512)).hasMessageContaining("do not fit");
    }

    @Test
    void slotOffsetMasksU32Indices() {
        RingGeometry g = Netif.TX.geometry(4096);
        assertThat(g.slotOffset(0)).isEqualTo(64);
        assertThat(g.slotOffset(255)).isEqualTo(64 + 255 * 12);
        assertThat(g.slotOffset(256)).isEqualTo(64);
        assertThat(g.slotOffset(0xFFFFFFFF)).isEqualTo(64 + 255 * 12);
        assertThat(g.slot(0x80000001)).isEqualTo(1);
        assertThat(g.tailBytes()).isEqualTo(4096 - 64 - 256 * 12);
    }

    @Test
    void notifyIffEventInHalfOpenWindowModulo2To32() {
        // (old, new] = (10, 14]
        assertThat(RingIdx.needsNotify(10, 14, 10)).isFalse();
        assertThat(RingIdx.needsNotify(10, 14, 11)).isTrue();
        assertThat(RingIdx.needsNotify(10, 14, 14)).isTrue();
        assertThat(RingIdx.needsNotify(10, 14, 15)).isFalse();
        assertThat(RingIdx.needsNotify(10, 14, 0)).isFalse();
        assertThat(RingIdx.needsNotify(10, 10, 10)).isFalse();
        assertThat(RingIdx.needsNotify(10, 10, 11)).isFalse();
        // across 2^32: (0xFFFFFFFE, 2]
        int old = 0xFFFFFFFE;
        for (int ev : new int[] {0xFFFFFFFF, 0, 1, 2}) {
            assertThat(RingIdx.needsNotify(old, 2, ev)).as("event %s", Integer.toUnsignedString(ev)).isTrue();
        }
        for (int ev : new int[] {0xFFFFFFFE, 3, 0x7FFFFFFF, 0x80000000}) {
            assertThat(RingIdx.needsNotify(old, 2, ev)).as("event %s", Integer.toUnsignedString(ev)).isFalse();
        }
    }

    @Test
    void windowAndDistanceAreUnsigned() {
        assertThat(RingIdx.distance(0xFFFFFFF0, 0x10)).isEqualTo(0x20);
        assertThat(RingIdx.distance(5, 4)).isEqualTo(0xFFFFFFFFL);
        assertThat(RingIdx.inWindow(0, 0xFFFFFFF0, 0x10)).isTrue();
        assertThat(RingIdx.inWindow(0x10, 0xFFFFFFF0, 0x10)).isFalse();
        assertThat(RingIdx.lessThan(1, 0xFFFFFFFF)).isTrue();
        assertThat(RingIdx.str(-1)).isEqualTo("4294967295");
    }
}
