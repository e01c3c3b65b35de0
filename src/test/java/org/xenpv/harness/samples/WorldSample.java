package org.xenpv.harness.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.xenpv.harness.junit.AllowLeaks;
import org.xenpv.harness.junit.Leak;
import org.xenpv.harness.junit.UseWorld;
import org.xenpv.harness.junit.XenpvRun;
import org.xenpv.harness.junit.XenpvTest;

/** World objects, their leak checks and their teardown. */
@Sample
@UseWorld({FakeWorld.Factory.class, FakeWorld.ToolstackFactory.class})
public class WorldSample {

    @XenpvTest
    void clean(FakeWorld world) {
        world.bind(5);
        world.map(33);
        world.close(5);
        world.unmap(33);
    }

    @XenpvTest
    void leaky(FakeWorld world) {
        world.bind(5);
        world.map(33);
    }

    @XenpvTest
    void leakyAndFailing(FakeWorld world) {
        world.bind(7);
        throw new AssertionError("deliberate failure with a port still bound");
    }

    @XenpvTest
    @AllowLeaks(value = Leak.Kind.EVTCHN_BOUND, reason = "the subject is a frontend that crashed")
    void allowed(FakeWorld world) {
        world.bind(9);
    }

    @XenpvTest
    void aborted(FakeWorld world) {
        world.bind(3);
        org.junit.jupiter.api.Assumptions.assumeTrue(false, "no xenstored here");
    }

    @XenpvTest
    void dependent(FakeWorld.Toolstack toolstack, FakeWorld world, XenpvRun run) {
        assertThat(toolstack.world()).isSameAs(world);
        assertThat(run.world(FakeWorld.class)).isSameAs(world);
        assertThat(world.kernel()).isSameAs(run.kernel());
    }

    @XenpvTest
    void sideCheck(XenpvRun run) {
        run.addLeakCheck("store", () -> List.of(new Leak(Leak.Kind.WATCH, "store conn d1",
                "watch 'device/vif' token 'tok1'")));
    }

    @XenpvTest
    void brokenCheck(XenpvRun run) {
        run.addLeakCheck("broken", () -> {
            throw new IllegalStateException("grant table unreadable");
        });
    }
}
