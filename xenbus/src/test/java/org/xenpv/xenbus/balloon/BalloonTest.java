package org.xenpv.xenbus.balloon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BalloonTest {

    @Test
    void sizeArithmetic() {
        // 4 GiB static-max, 8 MiB videoram, 2 GiB target
        assertThat(BalloonTarget.balloonPages(4194304, 8192, 2097152)).isEqualTo((4194304 - 8192) / 4 - 2097152 / 4);
        assertThat(BalloonTarget.balloonPages(4194304, 8192, 8_000_000)).as("target above the cap").isZero();
        assertThat(BalloonTarget.balloonPages(4194304, 8192, 0)).isEqualTo((4194304 - 8192) / 4);
        assertThat(BalloonTarget.balloonPages(1026, 0, 5)).as("KiB to pages truncates").isEqualTo(256 - 1);
        assertThatThrownBy(() -> BalloonTarget.balloonPages(100, 200, 0)).hasMessageContaining("memory/videoram");
    }

    @Test
    void balloonActiveBracketsEveryMove() {
        List<String> log = new ArrayList<>();
        BalloonAdjuster b = new BalloonAdjuster((k, v) -> log.add(k + "=" + v), want -> {
            log.add("move " + want);
            return want;
        });
        assertThat(b.adjust(4096, 0, 2048)).isTrue();
        assertThat(log).containsExactly("control/balloon-active=1", "move 512", "control/balloon-active=0");
        log.clear();
        assertThat(b.adjust(4096, 0, 2048)).isTrue();
        assertThat(log).as("no move, no writes").isEmpty();
        BalloonAdjuster shortfall = new BalloonAdjuster((k, v) -> log.add(k + "=" + v), want -> want / 2);
        assertThat(shortfall.adjust(4096, 0, 0)).isFalse();
        assertThat(log).containsExactly("control/balloon-active=1", "control/balloon-active=0");
    }
}
