package org.xenpv.core.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.LeakCheck;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;

/**
 * The revoke/map race on real threads: a guest revoking while a backend maps must never end with a
 * revoked entry that is still mapped, and the in-use flags must match the pins at the end.
 */
class ConcurrentGrantTest {

    private static final int ROUNDS = 3_000;

    @Test
    void revokeAndMapRacingNeverLeaveAMappingOfARevokedEntry() {
        try (Kernel kernel = Kernel.concurrent()) {
            kernel.log().setEnabled(false);
            Platform platform = new Platform(kernel);
            Domain dom0 = platform.dom0();
            Domain guest = platform.createDomain("guest");
            GrantTable table = guest.grantTable();
            AtomicInteger round = new AtomicInteger();
            AtomicInteger violations = new AtomicInteger();
            AtomicInteger mapped = new AtomicInteger();
            AtomicInteger revokedFirst = new AtomicInteger();
            AtomicInteger backendRound = new AtomicInteger();
            Actor front = kernel.spawn("front", () -> {
                for (int r = 0; r < ROUNDS; r++) {
                    table.permit(8, 0, 0x40, false);
                    round.set(r + 1);
                    while (!table.revoke(8)) {
                        Thread.onSpinWait();
                    }
                    // Revoked: from now on no mapping may exist until the next permit.
                    while (backendRound.get() < r + 1) {
                        Thread.onSpinWait();
                    }
                }
            });
            Actor back = kernel.spawn("back", () -> {
                for (int r = 0; r < ROUNDS; r++) {
                    while (round.get() < r + 1) {
                        Thread.onSpinWait();
                    }
                    try {
                        GrantMapping m = dom0.grants().map(guest.domid(), 8, false);
                        mapped.incrementAndGet();
                        GrantEntryV1 e = table.entry(8);
                        if (!e.permitsAccess() || !e.inUse()) {
                            violations.incrementAndGet();
                        }
                        dom0.grants().unmap(m);
                    } catch (GrantException refused) {
                        revokedFirst.incrementAndGet();
                    }
                    backendRound.set(r + 1);
                }
            });
            kernel.runUntil(() -> front.finished() && back.finished(), Duration.ofSeconds(60));
            assertThat(violations).hasValue(0);
            assertThat(mapped.get() + revokedFirst.get()).isEqualTo(ROUNDS);
            assertThat(table.pinnedRefs()).isZero();
            assertThat(table.entry(8)).isEqualTo(new GrantEntryV1(0, 0, 0));
            LeakCheck.assertNoLeaks(platform);
        }
    }
}
