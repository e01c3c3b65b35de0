package org.xenpv.xenbus.balloon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * {@link BalloonTarget}'s arithmetic. The {@code control/balloon-active} bracketing around moves is the FDO's balloon
 * thread's ({@code XenbusFdo}), checked by the conformance suites on a running guest.
 */
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
}
