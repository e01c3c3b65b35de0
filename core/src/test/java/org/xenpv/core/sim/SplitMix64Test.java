package org.xenpv.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SplitMix64Test {
    @Test
    @DisplayName("SplitMix64 matches the published reference sequence for seed 0")
    void referenceValues() {
        SplitMix64 r = new SplitMix64(0);
        // First outputs of the reference C implementation (Vigna's splitmix64.c) for x = 0.
        assertThat(r.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(r.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
        assertThat(r.nextLong()).isEqualTo(0x06C45D188009454FL);
    }

    @Test
    @DisplayName("nextInt stays in bounds and nextDouble in [0,1)")
    void bounds() {
        SplitMix64 r = new SplitMix64(123);
        for (int i = 0; i < 10_000; i++) {
            assertThat(r.nextInt(7)).isBetween(0, 6);
            assertThat(r.nextDouble()).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
        }
    }
}
