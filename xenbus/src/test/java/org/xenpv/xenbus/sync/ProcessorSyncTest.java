package org.xenpv.xenbus.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.platform.Vm;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;

class ProcessorSyncTest {

    private final Kernel kernel = Kernel.deterministic(9);
    private final Platform platform = new Platform(kernel);
    private final ProcessorSync sync = new ProcessorSync(Vm.of(platform, platform.createDomain("g")));
    private final List<String> order = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void captureWaitsForADispatchSectionAndHoldsNewOnesUntilRelease() {
        Actor busy = kernel.spawn("busy", () -> {
            sync.enterDispatch();
            order.add("busy in");
            kernel.sleep(Duration.ofSeconds(1));
            order.add("busy out");
            sync.exitDispatch();
        });
        kernel.runUntil(() -> order.contains("busy in"), Duration.ofSeconds(1));
        Actor suspender = kernel.spawn("suspender", () -> {
            sync.capture();
            order.add("captured");
            sync.enterDispatch(); // the capturer itself is never held
            sync.exitDispatch();
            sync.disableInterrupts();
            kernel.sleep(Duration.ofSeconds(1));
            sync.enableInterrupts();
            order.add("releasing");
            sync.release();
        });
        kernel.runUntil(() -> order.contains("captured"), Duration.ofSeconds(5));
        Actor late = kernel.spawn("late", () -> {
            sync.enterDispatch();
            order.add("late in");
            sync.exitDispatch();
        });
        kernel.runUntil(() -> busy.finished() && suspender.finished() && late.finished(), Duration.ofSeconds(10));
        assertThat(order).containsExactly("busy in", "busy out", "captured", "releasing", "late in");
        assertThat(sync.captures()).isEqualTo(1);
        assertThat(sync.state()).isEqualTo(ProcessorSync.State.RUNNING);
    }

    @Test
    void interruptsOffRefusesIsrPassesAndTheWakeUpsRunWhenTheyComeBack() {
        int[] wakeUps = {0};
        sync.onChange(() -> wakeUps[0]++);
        assertThat(sync.tryEnterInterrupt()).isTrue();
        sync.exitInterrupt();
        boolean[] refused = {false};
        Actor suspender = kernel.spawn("suspender", () -> {
            sync.capture();
            sync.disableInterrupts();
            refused[0] = !sync.tryEnterInterrupt();
            sync.enableInterrupts();
            sync.release();
        });
        kernel.runUntil(suspender::finished, Duration.ofSeconds(1));
        assertThat(refused[0]).isTrue();
        assertThat(wakeUps[0]).as("enable and release").isEqualTo(2);
    }

    @Test
    void onlyTheCapturerMayGoOnAndCaptureNeedsAnActor() {
        assertThatThrownBy(sync::capture).isInstanceOf(IllegalStateException.class).hasMessageContaining("guest actor");
        Actor a = kernel.spawn("a", sync::capture);
        kernel.runUntil(a::finished, Duration.ofSeconds(1));
        Actor b = kernel.spawn("b", sync::release);
        assertThatThrownBy(() -> kernel.runUntil(b::finished, Duration.ofSeconds(1)))
                .hasMessageContaining("SyncRelease by b, but a captured");
    }
}
