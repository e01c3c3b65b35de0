package org.xenpv.harness.samples;

import org.xenpv.harness.junit.WorldFactory;
import org.xenpv.harness.junit.XenpvRun;

/**
 * A world object whose factory is registered as a service (harness/src/test/resources/META-INF/
 * services), the way the platform's will be; {@link #builtBy} tells which factory built it.
 */
public record ServiceWorld(String builtBy, long seed) {

    /** The registered factory. */
    public static final class Factory implements WorldFactory<ServiceWorld> {
        @Override
        public Class<ServiceWorld> type() {
            return ServiceWorld.class;
        }

        @Override
        public ServiceWorld create(XenpvRun run) {
            return new ServiceWorld("service", run.seed());
        }
    }

    /** A factory named with @UseWorld, which wins over the registered one. */
    public static final class Overriding implements WorldFactory<ServiceWorld> {
        @Override
        public Class<ServiceWorld> type() {
            return ServiceWorld.class;
        }

        @Override
        public ServiceWorld create(XenpvRun run) {
            return new ServiceWorld("annotation", run.seed());
        }
    }
}
