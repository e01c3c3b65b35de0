package org.xenpv.harness.samples;

import java.util.ArrayList;
import java.util.List;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Leak;
import org.xenpv.harness.junit.LeakCheck;
import org.xenpv.harness.junit.WorldFactory;
import org.xenpv.harness.junit.XenpvRun;

/**
 * A stand-in for the platform in the harness's own tests: it tracks bound ports and mapped grants
 * the way the real platform's leak report will, and records when it is built and closed.
 */
public final class FakeWorld implements LeakCheck, AutoCloseable {

    private final Kernel kernel;
    private final List<Integer> boundPorts = new ArrayList<>();
    private final List<Integer> mappedRefs = new ArrayList<>();

    FakeWorld(Kernel kernel) {
        this.kernel = kernel;
        Observations.event("world built on seed " + kernel.seed());
    }

    public Kernel kernel() {
        return kernel;
    }

    public void bind(int port) {
        boundPorts.add(port);
        kernel.log().note("fake", "bind port " + port);
    }

    public void close(int port) {
        boundPorts.remove(Integer.valueOf(port));
    }

    public void map(int ref) {
        mappedRefs.add(ref);
    }

    public void unmap(int ref) {
        mappedRefs.remove(Integer.valueOf(ref));
    }

    @Override
    public List<Leak> leaks() {
        List<Leak> out = new ArrayList<>();
        for (int p : boundPorts) {
            out.add(new Leak(Leak.Kind.EVTCHN_BOUND, "d1", "port " + p + " interdomain -> d0 port " + (p + 2)));
        }
        for (int r : mappedRefs) {
            out.add(new Leak(Leak.Kind.GRANT_MAPPED, "d0", "d1 ref " + r + " handle " + (r - 32)));
        }
        return out;
    }

    @Override
    public void close() {
        Observations.event("world closed");
    }

    /** Builds {@link FakeWorld}. */
    public static final class Factory implements WorldFactory<FakeWorld> {
        @Override
        public Class<FakeWorld> type() {
            return FakeWorld.class;
        }

        @Override
        public FakeWorld create(XenpvRun run) {
            return new FakeWorld(run.kernel());
        }
    }

    /** A second world object built on the first, like a toolstack on the platform. */
    public record Toolstack(FakeWorld world) implements AutoCloseable {
        @Override
        public void close() {
            Observations.event("toolstack closed");
        }
    }

    /** Builds {@link Toolstack} from the invocation's {@link FakeWorld}. */
    public static final class ToolstackFactory implements WorldFactory<Toolstack> {
        @Override
        public Class<Toolstack> type() {
            return Toolstack.class;
        }

        @Override
        public Toolstack create(XenpvRun run) {
            return new Toolstack(run.world(FakeWorld.class));
        }
    }
}
