package org.xenpv.harness.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.UseWorld;
import org.xenpv.harness.junit.WorldFactory;
import org.xenpv.harness.junit.XenpvRun;
import org.xenpv.harness.junit.XenpvTest;

/** Factory registration (service, annotation), and the errors a misconfigured world gives. */
@Sample
public class WorldFactorySample {

    @XenpvTest
    @Seeds({4, 5})
    void fromService(ServiceWorld world) {
        assertThat(world.builtBy()).isEqualTo("service");
        Observations.event("service world for seed " + world.seed());
    }

    @XenpvTest
    @UseWorld(ServiceWorld.Overriding.class)
    void annotationWins(ServiceWorld world) {
        assertThat(world.builtBy()).isEqualTo("annotation");
    }

    @XenpvTest
    void noFactory(XenpvRun run) {
        run.world(StringBuilder.class);
    }

    /** Two world types that each need the other. */
    public record Chicken(Egg egg) { }

    public record Egg(Chicken chicken) { }

    public static final class ChickenFactory implements WorldFactory<Chicken> {
        @Override
        public Class<Chicken> type() {
            return Chicken.class;
        }

        @Override
        public Chicken create(XenpvRun run) {
            return new Chicken(run.world(Egg.class));
        }
    }

    public static final class EggFactory implements WorldFactory<Egg> {
        @Override
        public Class<Egg> type() {
            return Egg.class;
        }

        @Override
        public Egg create(XenpvRun run) {
            return new Egg(run.world(Chicken.class));
        }
    }

    @XenpvTest
    @UseWorld({ChickenFactory.class, EggFactory.class})
    void cycle(Chicken chicken) {
    }
}
