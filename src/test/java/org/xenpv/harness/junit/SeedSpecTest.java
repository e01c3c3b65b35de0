package org.xenpv.harness.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SeedSpecTest {

    @Test
    @DisplayName("Lists, ranges and counts parse in order, without duplicates")
    void parses() {
        assertThat(SeedSpec.parse("1,5,9").seeds()).containsExactly(1L, 5L, 9L);
        assertThat(SeedSpec.parse(" 3..6 , 4, -2").seeds()).containsExactly(3L, 4L, 5L, 6L, -2L);
        assertThat(SeedSpec.parse("count:20").seeds()).isEqualTo(SeedSpec.derive(20, 0));
        assertThat(SeedSpec.parse("7,count:2").seeds()).startsWith(7L).hasSize(3);
    }

    @Test
    @DisplayName("Derived seeds are distinct, below 2^32, the same on every call, and differ by base")
    void derivedSeeds() {
        List<Long> a = SeedSpec.derive(500, 0);
        assertThat(a).hasSize(500).doesNotHaveDuplicates().allMatch(s -> s >= 0 && s < (1L << 32));
        assertThat(SeedSpec.derive(500, 0)).isEqualTo(a);
        assertThat(SeedSpec.derive(5, 0)).isEqualTo(a.subList(0, 5));
        assertThat(SeedSpec.derive(5, 1)).isNotEqualTo(a.subList(0, 5));
    }

    @Test
    @DisplayName("Malformed seed specs are rejected naming the bad item")
    void rejects() {
        assertThatThrownBy(() -> SeedSpec.parse("1,x")).hasMessageContaining("'x'");
        assertThatThrownBy(() -> SeedSpec.parse("1,,2")).hasMessageContaining("empty item");
        assertThatThrownBy(() -> SeedSpec.parse("count:0")).hasMessageContaining("count must be");
        assertThatThrownBy(() -> SeedSpec.parse("9..3")).hasMessageContaining("empty");
        assertThatThrownBy(() -> SeedSpec.parse("0..100000000")).hasMessageContaining("more than");
    }

    @Seeds(value = {1, 2}, count = 3)
    private static void both() {
    }

    @Seeds
    private static void neither() {
    }

    @Test
    @DisplayName("@Seeds with both seeds and count, or neither, is rejected naming where it is")
    void annotationErrors() throws Exception {
        Seeds both = SeedSpecTest.class.getDeclaredMethod("both").getAnnotation(Seeds.class);
        Seeds neither = SeedSpecTest.class.getDeclaredMethod("neither").getAnnotation(Seeds.class);
        assertThatThrownBy(() -> SeedSpec.of(both, "X#both")).hasMessageContaining("X#both")
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> SeedSpec.of(neither, "X#neither")).hasMessageContaining("positive count");
    }
}
